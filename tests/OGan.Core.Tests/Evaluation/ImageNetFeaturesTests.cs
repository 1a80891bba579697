using Microsoft.ML.OnnxRuntime;
using OGan.Evaluation;
using OGan.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

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
        using var runOptions = new RunOptions();
        var input = ImageNetFeatures.NetworkInput(faces).contiguous();
        var worst = 0.0;
        for (var i = 0; i < 12; i++)
        {
            var pixels = input[i].data<float>().ToArray();
            using var value = OrtValue.CreateTensorValueFromMemory(pixels, [1, 3, ImageNetFeatures.Side, ImageNetFeatures.Side]);
            using var prepared = preprocess.Run(runOptions, [preprocess.InputNames[0]], [value], preprocess.OutputNames);
            using var output = network.Run(runOptions, [network.InputNames[0]], [prepared[0]], network.OutputNames);
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

    [Theory]
    [InlineData("celeba-128", 128)] // enlarged to 224
    [InlineData("celeba-hq", 512)] // shrunk to 224
    public void Features_of_photos_match_the_documented_preprocessing_done_by_hand(string set, int size)
    {
        // The documented preprocessing, written out here without OGan's code or the preprocessing graph: the photo
        // resized to 224 px by ImageSharp, its pixels 0..255 in planes ordered B, G, R, minus the mean image (the
        // preprocessing graph's one constant), into the network graph alone, run by ONNX Runtime.
        var photos = Fixtures.SharedPhotos(set).Take(6).ToArray();
        var mean = MeanImage();
        using var network = new InferenceSession(Path.Combine(ImageNetFeatures.DefaultFolder, ImageNetFeatures.NetworkFile));
        using var runOptions = new RunOptions();
        float[] ByHand(string file, bool bgr)
        {
            using var image = SixLabors.ImageSharp.Image.Load<Rgb24>(file);
            image.Mutate(x => x.Resize(ImageNetFeatures.Side, ImageNetFeatures.Side, KnownResamplers.Triangle));
            const int plane = ImageNetFeatures.Side * ImageNetFeatures.Side;
            var input = new float[3 * plane];
            for (var y = 0; y < ImageNetFeatures.Side; y++)
            {
                for (var x = 0; x < ImageNetFeatures.Side; x++)
                {
                    var pixel = image[x, y];
                    var (first, last) = bgr ? (pixel.B, pixel.R) : (pixel.R, pixel.B);
                    var at = y * ImageNetFeatures.Side + x;
                    input[at] = first - mean[at];
                    input[plane + at] = pixel.G - mean[plane + at];
                    input[2 * plane + at] = last - mean[2 * plane + at];
                }
            }

            using var value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, ImageNetFeatures.Side, ImageNetFeatures.Side]);
            using var output = network.Run(runOptions, [network.InputNames[0]], [value], network.OutputNames);
            return output[0].GetTensorDataAsSpan<float>().ToArray();
        }

        using var scope = NewDisposeScope();
        using var features = ImageNetFeatures.Load();
        var ours = features.Features(Pixels.ToModel(stack(photos.Select(f => Preprocess.Load(f, 3, size)).ToArray())));
        var right = stack(photos.Select(f => tensor(ByHand(f, bgr: true))).ToArray());
        var swapped = stack(photos.Select(f => tensor(ByHand(f, bgr: false))).ToArray());

        double Distance(Tensor a) => ((ours - a).norm(1) / a.norm(1)).mean().item<float>();
        var toRight = Distance(right);
        var toSwapped = Distance(swapped);
        var toOtherPhoto = Distance(right.roll(1, 0));
        Console.WriteLine($"{set} at {size} px: relative distance of OGan's features to the hand-made ones {toRight:F3}, " +
                          $"with R and B swapped {toSwapped:F3}, to another photo's {toOtherPhoto:F3}");
        Assert.True(toRight < 0.06, $"OGan's features are {toRight:F3} from the documented preprocessing's");
        Assert.True(toRight * 2 < toSwapped, "a channel-order mistake would be seen");
        Assert.True(toRight * 3 < toOtherPhoto, "another photo is far farther");
    }

    [Fact]
    public void The_model_outlives_the_dispose_scope_it_was_loaded_in()
    {
        ImageNetFeatures features;
        using (NewDisposeScope())
        {
            features = ImageNetFeatures.Load();
        }

        using (features)
        using (NewDisposeScope())
        {
            var output = features.Features(Pixels.ToModel(stack([Preprocess.Load(Fixtures.SharedPhotos("celeba-128")[0], 3, 64)])));
            Assert.Equal([1L, ImageNetFeatures.Dimension], output.shape);
            Assert.True(output.isfinite().all().item<bool>());
        }
    }

    private static float[] MeanImage()
    {
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(ImageNetFeatures.DefaultFolder, ImageNetFeatures.PreprocessFile)));
        var mean = model.Graph.Initializer.Single();
        var values = mean.RawData.Length > 0 ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(mean.RawData.Span).ToArray() : [.. mean.FloatData];
        Assert.Equal(3 * ImageNetFeatures.Side * ImageNetFeatures.Side, values.Length);
        return values;
    }
}
