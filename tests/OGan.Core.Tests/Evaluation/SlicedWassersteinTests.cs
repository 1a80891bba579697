using OGan.Evaluation;
using OGan.Imaging;

namespace OGan.Core.Tests.Evaluation;

public sealed class SlicedWassersteinTests
{
    [Fact]
    public void Identical_sets_are_at_distance_zero_on_every_level()
    {
        using var scope = NewDisposeScope();
        var faces = Load("celeba-hq", 0, 8);
        var (levels, mean) = SlicedWasserstein.Distance(faces, faces.clone());
        Assert.Equal(3, levels.Length); // 64 px: Laplacian 64 and 32, Gaussian 16
        Assert.All(levels, l => Assert.Equal(0, l, 6));
        Assert.Equal(0, mean, 6);
    }

    [Fact]
    public void Faces_are_closer_to_other_faces_than_to_animals_and_blur_shows_on_the_finest_level()
    {
        using var scope = NewDisposeScope();
        var faces = Load("celeba-hq", 0, 15);
        var otherFaces = Load("celeba-hq", 15, 15);
        var animals = Load("afhq", 0, 15);
        var (_, faceToFace) = SlicedWasserstein.Distance(faces, otherFaces);
        var (_, faceToAnimal) = SlicedWasserstein.Distance(faces, animals);
        Assert.True(faceToFace < faceToAnimal, $"SWD faces/faces {faceToFace:F1}, faces/animals {faceToAnimal:F1}");

        var blurred = nn.functional.interpolate(nn.functional.avg_pool2d(faces, 4, 4), [64, 64], mode: InterpolationMode.Bilinear, align_corners: false);
        var (blurLevels, _) = SlicedWasserstein.Distance(faces, blurred);
        Assert.True(blurLevels[0] > blurLevels[^1], $"blur: finest level {blurLevels[0]:F1}, coarsest {blurLevels[^1]:F1}");
    }

    private static Tensor Load(string set, int skip, int count)
    {
        using var scope = NewDisposeScope();
        var images = Fixtures.SharedPhotos(set).Skip(skip).Take(count).Select(p => Preprocess.Load(p, 3, 64)).ToList();
        return Pixels.ToModel(stack(images)).MoveToOuterDisposeScope();
    }
}
