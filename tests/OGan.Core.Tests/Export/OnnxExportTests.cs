using OGan.Core.Tests.Cli;
using OGan.Data;
using OGan.Export;
using OGan.Imaging;
using OGan.Inference;
using OGan.Models;
using OGan.Onnx;
using OGan.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.Processing;

namespace OGan.Core.Tests.Export;

/// <summary>
/// `ogan export` writes G and E as ONNX graphs that ONNX Runtime (through OGan.Onnx, without TorchSharp) runs
/// as TorchSharp does in fp32: G(z) within 1e-5, codes within 1e-4, for a Fashion-MNIST model and an RGB face
/// model, each briefly trained so that its BatchNorm statistics are its own; BatchNorm folded or as nodes.
/// </summary>
public sealed class OnnxExportTests
{
    private const double ImageTolerance = 1e-5, CodeTolerance = 1e-4;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_Fashion_MNIST_model_runs_in_ONNX_Runtime_as_in_TorchSharp(bool foldBatchNorm)
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 256);
        var checkpoint = Train(new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 16 }, data, "fashion-mnist");
        var folder = Fixtures.TemporaryFolder();
        OnnxExport.Write(checkpoint, folder, foldBatchNorm);
        using var real = data.Batch(First(32), CPU);
        AssertParity(checkpoint, folder, real);
    }

    [Fact]
    public void A_model_with_skips_runs_in_ONNX_Runtime_as_in_TorchSharp()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 256);
        var checkpoint = Train(new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 16, Skips = 2 }, data, "fashion-mnist");
        var folder = Fixtures.TemporaryFolder();
        OnnxExport.Write(checkpoint, folder);
        using var real = data.Batch(First(32), CPU);
        AssertParity(checkpoint, folder, real);
    }

    [Fact]
    public void An_RGB_face_model_runs_in_ONNX_Runtime_as_in_TorchSharp_and_prepares_photos_alike()
    {
        var photos = Fixtures.SharedPhotos("celeba-128").Take(128).ToArray();
        const int Size = 64;
        var pixels = photos.SelectMany(p => Preprocess.Square(File.ReadAllBytes(p), 3, Size)).ToArray();
        using var data = new ImageSet(pixels, photos.Length, 3, Size, name: "celeba-128");
        var checkpoint = Train(new OGanConfig { ImageSize = Size, Channels = 3, Width = 16, ZDim = 16 }, data, "celeba-128");
        var folder = Fixtures.TemporaryFolder();
        OnnxExport.Write(checkpoint, folder);
        using var real = data.Batch(First(16), CPU);
        AssertParity(checkpoint, folder, real);

        // Photos given to OGan.Onnx as ImageSharp images become the values training made of the same files.
        using var onnx = OnnxModel.Load(folder);
        var images = photos.Take(4).Select(p => Image.Load(p)).ToArray();
        var values = onnx.ToValues(images);
        using var expected = Pixels.ToModel(stack(photos.Take(4).Select(p => Preprocess.Load(p, 3, Size)).ToArray()));
        Assert.Equal(expected.data<float>().ToArray(), values);
        foreach (var image in images)
        {
            image.Dispose();
        }

        // A phone photo stored turned, with an EXIF orientation: both prepare it as a viewer shows it, upright.
        var turned = Path.Combine(Fixtures.TemporaryFolder(), "turned.jpg");
        using (var upright = Image.Load(photos[0]))
        {
            upright.Mutate(x => x.Rotate(RotateMode.Rotate270));
            upright.Metadata.ExifProfile = new ExifProfile();
            upright.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6); // "turn 90 degrees clockwise to show"
            upright.SaveAsJpeg(turned, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 100 });
        }

        using var turnedImage = Image.Load(turned);
        var turnedValues = onnx.ToValues([turnedImage]);
        using var turnedExpected = Pixels.ToModel(Preprocess.Load(turned, 3, Size).unsqueeze(0));
        Assert.Equal(turnedExpected.data<float>().ToArray(), turnedValues);
        var uprightValues = values.Take(turnedValues.Length).ToArray();
        var difference = uprightValues.Zip(turnedValues, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(difference < 0.05, $"the turned photo prepares {difference:G3} away from the upright one on average: its orientation was not applied");
    }

    [Fact]
    public void A_failing_check_leaves_the_folder_as_it_was_and_no_staging_folder_behind()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 256);
        var checkpoint = Train(new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 16 }, data, "fashion-mnist");
        var parent = Fixtures.TemporaryFolder();
        var output = Path.Combine(parent, "model");
        var (images, codes) = OGan.Cli.ExportCommand.WriteChecked(checkpoint, output, foldBatchNorm: false);
        Assert.True(images <= 1e-5 && codes <= 1e-4, $"the real check failed: {images:G3}, {codes:G3}");
        var before = Directory.GetFiles(output).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

        // Another model whose check fails (as a broken runtime would): the folder keeps the first export, whole.
        var other = Train(new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 }, data, "fashion-mnist");
        var error = Assert.Throws<OGan.Cli.UserError>(() => OGan.Cli.ExportCommand.WriteChecked(other, output, foldBatchNorm: false, check: (_, _) => (0.5, 0.5)));
        Assert.Contains("nothing was written", error.Message, StringComparison.Ordinal);
        Assert.Equal(before.Keys.Order(), Directory.GetFiles(output).Select(Path.GetFileName).Order());
        Assert.All(before, file => Assert.Equal(file.Value, File.ReadAllBytes(Path.Combine(output, file.Key))));
        Assert.Equal(["model"], Directory.GetDirectories(parent).Select(Path.GetFileName));
        using var onnx = OnnxModel.Load(output);
        Assert.Equal(16, onnx.LatentDim);
    }

    [Fact]
    public void The_image_API_samples_encodes_reconstructs_and_interpolates_and_serves_threads_at_once()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 256);
        var checkpoint = Train(new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 16 }, data, "fashion-mnist");
        var folder = Fixtures.TemporaryFolder();
        OnnxExport.Write(checkpoint, folder);
        using var onnx = OnnxModel.Load(folder);
        Assert.Equal((32, 1, 16), (onnx.ImageSize, onnx.Channels, onnx.LatentDim));

        var samples = onnx.Sample(5, seed: 3);
        Assert.Equal(5, samples.Length);
        Assert.All(samples, s => Assert.Equal((32, 32), (s.Width, s.Height)));
        var latents = onnx.Encode(samples);
        Assert.All(latents, z => Assert.Equal(16, z.Length));
        Assert.All(latents, z => Assert.InRange(z.Average(), -1e-4, 1e-4)); // N(.) centres each code
        var reconstructions = onnx.Reconstruct(samples, onnx.RecommendedReconstructionScale);
        Assert.Equal(5, reconstructions.Length);
        var frames = onnx.Interpolate(samples[0], samples[1], steps: 6);
        Assert.Equal(6, frames.Length);

        // More than a batch: the graphs run OnnxModel.BatchSize at a time, and the result is the whole run's.
        var many = onnx.Latents(OnnxModel.BatchSize * 2 + 3, seed: 4);
        var generated = onnx.Generate(many);
        var firstAlone = onnx.Generate(many[..16]);
        var lastAlone = onnx.Generate(many[^16..]);
        Assert.Equal(many.Length / 16 * 32 * 32, generated.Length);
        Assert.Equal(firstAlone, generated[..(32 * 32)]);
        Assert.Equal(lastAlone, generated[^(32 * 32)..]);
        var codes = onnx.EncodeValues(generated).Latents;
        Assert.Equal(many.Length, codes.Length);
        Assert.Equal(onnx.EncodeValues(lastAlone).Latents, codes[^16..]);
        foreach (var image in onnx.Sample(OnnxModel.BatchSize + 1, seed: 5))
        {
            image.Dispose();
        }

        // Concurrent calls on one model give what one call alone gives.
        var z = onnx.Latents(16, seed: 9);
        var alone = onnx.Generate(z);
        var results = new float[8][];
        Parallel.For(0, 8, i => results[i] = onnx.Generate(z));
        Assert.All(results, r => Assert.Equal(alone, r));
        foreach (var image in samples.Concat(reconstructions).Concat(frames))
        {
            image.Dispose();
        }
    }

    [Fact]
    public void Ogan_export_checks_its_graphs_and_refuses_bad_input_in_one_line()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var checkpoint = Train(new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 }, data, "fashion-mnist", steps: 2);
        var work = Fixtures.TemporaryFolder();

        var done = Ogan.Run(work, "export", "-c", checkpoint, "-o", "exported");
        Assert.True(done.ExitCode == 0, done.Error);
        Assert.Contains("checked by ONNX Runtime", done.Error + done.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(work, "exported", "generator.onnx")));

        var damaged = Path.Combine(work, "damaged.safetensors");
        var bytes = File.ReadAllBytes(checkpoint);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(damaged, bytes);
        var file = Path.Combine(work, "a-file");
        File.WriteAllText(file, "");
        foreach (var (arguments, expected) in new[]
        {
            (new[] { "export", "-c", damaged, "-o", "x" }, "damaged.safetensors"),
            (new[] { "export", "-c", Path.Combine(work, "none.safetensors"), "-o", "x" }, "none.safetensors"),
            (new[] { "export", "-c", checkpoint, "-o", Path.Combine(file, "sub") }, "a-file"),
            (new[] { "export", "-c", checkpoint, "-o", file }, "a-file"),
        })
        {
            var result = Ogan.Run(work, arguments);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Single(result.ErrorLines);
            Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_folder_that_is_not_a_whole_export_is_refused_naming_the_file()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var checkpoint = Train(new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 }, data, "fashion-mnist", steps: 2);
        var folder = Fixtures.TemporaryFolder();
        OnnxExport.Write(checkpoint, folder);

        // A valid graph from another export (the same weights, BatchNorm as nodes) is not this set's: model.json's digests say so.
        var other = Fixtures.TemporaryFolder();
        OnnxExport.Write(checkpoint, other, foldBatchNorm: false);
        var original = File.ReadAllBytes(Path.Combine(folder, ExportManifest.EncoderFile));
        File.Copy(Path.Combine(other, ExportManifest.EncoderFile), Path.Combine(folder, ExportManifest.EncoderFile), overwrite: true);
        Assert.Contains("is not the graph model.json was written with", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(folder)).Message, StringComparison.Ordinal);
        File.WriteAllBytes(Path.Combine(folder, ExportManifest.EncoderFile), original);
        OnnxModel.Load(folder).Dispose();

        File.WriteAllBytes(Path.Combine(folder, ExportManifest.EncoderFile), [1, 2, 3, 4]);
        Assert.Contains("encoder.onnx", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(folder)).Message, StringComparison.Ordinal);
        File.Delete(Path.Combine(folder, ExportManifest.EncoderFile));
        Assert.Contains("encoder.onnx", Assert.Throws<FileNotFoundException>(() => OnnxModel.Load(folder)).Message, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, ExportManifest.FileName), "{\"format\": \"something-else\"}");
        Assert.Contains("model.json", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(folder)).Message, StringComparison.Ordinal);
    }

    /// <summary>TorchSharp (fp32, CPU) and ONNX Runtime on the same latents and the same real images.</summary>
    private static void AssertParity(string checkpoint, string folder, Tensor real)
    {
        using var model = OGanModel.Load(checkpoint, CPU, OGan.MixedPrecision.Precision.Fp32);
        using var onnx = OnnxModel.Load(folder);
        using var scope = NewDisposeScope();
        var latents = model.Latents(16, seed: 5);
        var images = model.Sample(latents).data<float>().ToArray();
        var onnxImages = onnx.Generate(latents.data<float>().ToArray());
        Assert.InRange(MaxDifference(images, onnxImages), 0, ImageTolerance);

        var (onnxLatents, onnxCodes) = onnx.EncodeValues(real.contiguous().data<float>().ToArray());
        Assert.InRange(MaxDifference(model.EncodeRaw(real).data<float>().ToArray(), onnxCodes), 0, CodeTolerance);
        Assert.InRange(MaxDifference(model.Encode(real).data<float>().ToArray(), onnxLatents), 0, CodeTolerance);

        // The statistics exported are E's calibrated ones, not a fresh BatchNorm's (mean 0, variance 1).
        Assert.Contains(model.Encoder.state_dict().Where(p => p.Key.EndsWith("running_var", StringComparison.Ordinal)), p => Math.Abs(p.Value.mean().item<float>() - 1) > 0.05);
    }

    private static long[] First(int count) => [.. Enumerable.Range(0, count).Select(i => (long)i)];

    internal static double MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();
    }

    internal static string Train(OGanConfig config, ImageSet data, string name, int steps = 20)
    {
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        var options = new TrainingOptions { BatchSize = 16, Steps = steps, LogEvery = 100, SampleEvery = 0, SnapshotEvery = 0, CalibrationImages = 64 };
        using var trainer = new Trainer(new RunSettings(config, options, name), data, folder);
        trainer.Run();
        return trainer.SaveCheckpoint(folder.Checkpoint(steps))!;
    }
}
