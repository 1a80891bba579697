using OGan.Evaluation;
using OGan.Imaging;

namespace OGan.Core.Tests.Evaluation;

public sealed class SlicedWassersteinTests
{
    [Fact]
    public void Identical_sets_are_at_distance_zero_on_every_level()
    {
        using var scope = DisposeScope.Enter();
        var faces = Load("celeba-hq", 0, 8);
        var (levels, mean) = SlicedWasserstein.Distance(faces, faces.Clone());
        Assert.Equal(3, levels.Length); // 64 px: Laplacian 64 and 32, Gaussian 16
        Assert.All(levels, l => Assert.Equal(0, l, 6));
        Assert.Equal(0, mean, 6);
    }

    [Fact]
    public void Faces_are_closer_to_other_faces_than_to_animals_and_blur_shows_on_the_finest_level()
    {
        using var scope = DisposeScope.Enter();
        var faces = Load("celeba-hq", 0, 15);
        var otherFaces = Load("celeba-hq", 15, 15);
        var animals = Load("afhq", 0, 15);
        var (_, faceToFace) = SlicedWasserstein.Distance(faces, otherFaces);
        var (_, faceToAnimal) = SlicedWasserstein.Distance(faces, animals);
        Assert.True(faceToFace < faceToAnimal, $"SWD faces/faces {faceToFace:F1}, faces/animals {faceToAnimal:F1}");

        var blurred = OGan.Nn.Functional.Interpolate(OGan.Nn.Functional.AvgPool2d(faces, 4, 4), 64, 64);
        var (blurLevels, _) = SlicedWasserstein.Distance(faces, blurred);
        Assert.True(blurLevels[0] > blurLevels[^1], $"blur: finest level {blurLevels[0]:F1}, coarsest {blurLevels[^1]:F1}");
    }

    [Fact]
    public void Sort_orders_values_along_a_dimension()
    {
        using var scope = DisposeScope.Enter();
        var values = Torch.FromArray<float>([3, 1, 2, 9, 7, 8], [2, 3]);
        Assert.Equal([1f, 2, 3, 7, 8, 9], values.Sort(1).ToArray<float>());
        Assert.Equal([9f, 7, 8, 3, 1, 2], values.Sort(0, descending: true).ToArray<float>());
    }

    private static Tensor Load(string set, int skip, int count)
    {
        using var scope = DisposeScope.Enter();
        var images = Fixtures.SharedPhotos(set).Skip(skip).Take(count).Select(p => Preprocess.Load(p, 3, 64)).ToList();
        return (Torch.Stack(images).To(DType.Float32) / 127.5 - 1.0).MoveToOuterScope();
    }
}
