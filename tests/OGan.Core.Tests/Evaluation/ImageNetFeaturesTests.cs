using Microsoft.ML.OnnxRuntime;
using OGan.Evaluation;
using OGan.Imaging;

namespace OGan.Core.Tests.Evaluation;

/// <summary>The ImageNet ResNet-18 behind FID on photos: TorchSharp against ONNX Runtime on the same graphs and real faces.</summary>
public sealed class ImageNetFeaturesTests
{
    private static Tensor Faces(int skip, int count, int size) =>
        Pixels.ToModel(stack(Fixtures.SharedPhotos("celeba-128").Skip(skip).Take(count).Select(f => Preprocess.Load(f, 3, size)).ToArray()));

    [Fact]
    public void TorchSharp_runs_the_ONNX_graphs_as_ONNX_Runtime_does_on_real_faces_batched()
    {
        using var scope = NewDisposeScope();
        using var features = ImageNetFeatures.Load();
        var faces = Faces(0, 12, 64);
        var ours = features.Features(faces); // batched: the file's batch axis says 1
        Assert.Equal([12L, ImageNetFeatures.Dimension], ours.shape);

        using var preprocess = new InferenceSession(Path.Combine(ImageNetFeatures.DefaultFolder, ImageNetFeatures.PreprocessFile));
        using var network = new InferenceSession(Path.Combine(ImageNetFeatures.DefaultFolder, ImageNetFeatures.NetworkFile));
        var input = ImageNetFeatures.NetworkInput(faces).contiguous();
        var worst = 0.0;
        for (var i = 0; i < 12; i++)
        {
            var pixels = input[i].data<float>().ToArray();
            using var value = OrtValue.CreateTensorValueFromMemory(pixels, [1, 3, ImageNetFeatures.Side, ImageNetFeatures.Side]);
            using var prepared = preprocess.Run(new RunOptions(), [preprocess.InputNames[0]], [value], preprocess.OutputNames);
            using var output = network.Run(new RunOptions(), [network.InputNames[0]], [prepared[0]], network.OutputNames);
            var reference = tensor(output[0].GetTensorDataAsSpan<float>().ToArray());
            worst = Math.Max(worst, (ours[i] - reference).abs().max().item<float>() / reference.abs().max().item<float>());
        }

        Console.WriteLine($"ImageNetFeatures against ONNX Runtime, 12 faces: max |difference| / max |feature| = {worst:E2}");
        Assert.True(worst < 1e-4, $"relative difference {worst:E2}");
    }

    [Fact]
    public void Faces_are_near_other_faces_and_far_from_blocky_copies_and_from_noise()
    {
        using var scope = NewDisposeScope();
        using var features = ImageNetFeatures.Load();
        var a = features.Features(Faces(0, 24, 64));
        var b = features.Features(Faces(24, 24, 64));
        var noise = features.Features(randn(24, 3, 64, 64, generator: new torch.Generator(1)).clamp(-1, 1));
        var blurred = features.Features(nn.functional.avg_pool2d(Faces(24, 24, 64), 4).repeat_interleave(4, 2).repeat_interleave(4, 3));

        var faces = FeatureDistance.Frechet(a, b);
        var toNoise = FeatureDistance.Frechet(a, noise);
        var toBlur = FeatureDistance.Frechet(a, blurred);
        Console.WriteLine($"FID (ResNet-18), 24 vs 24: other faces {faces:F1}, blocky faces {toBlur:F1}, noise {toNoise:F1}");
        Assert.True(faces * 2 < toBlur, "blocky copies of faces are far farther than other faces");
        Assert.True(faces * 2 < toNoise, "noise is far farther than other faces");
    }
}
