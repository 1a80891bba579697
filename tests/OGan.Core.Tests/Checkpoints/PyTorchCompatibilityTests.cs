using System.Diagnostics;
using System.Runtime.InteropServices;
using OGan.Data;
using OGan.Distributed;
using OGan.Inference;
using OGan.MixedPrecision;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Checkpoints;

/// <summary>
/// A checkpoint loaded into the torch.nn modules of docs/checkpoint-format.md (python/ogan_torch.py) must
/// give the same G(z) and E(x) as OGan, weights PyTorch changes and saves load back into OGan, and the PyTorch benchmark
/// (bench/faces_torch.py) grows a model by skips into the one OGan grows. Runs Debian's /usr/bin/python3 with python3-torch, which ./test.sh installs.
/// </summary>
public sealed class PyTorchCompatibilityTests
{
    private const string Python = "/usr/bin/python3";

    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, 16)]
    public void PyTorch_modules_built_from_the_documented_format_compute_the_same_G_and_E(int skips, int minChannels)
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        var settings = new RunSettings(
            new OGanConfig { ImageSize = 32, Channels = 1, Width = 32, ZDim = 12, Skips = skips, MinChannels = minChannels },
            new TrainingOptions { BatchSize = 16, Steps = 3, SampleEvery = 0, SnapshotEvery = 0, EmaDecay = 0.5 },
            "fashion-mnist");
        using (var trainer = new Trainer(settings, data, folder))
        {
            trainer.Run();
        }

        using var model = OGanModel.Load(folder.Checkpoint(3), CPU, Precision.Fp32);
        using var scope = NewDisposeScope();
        var z = model.Latents(5, seed: 2);
        var images = data.First(5, CPU);

        AssertClose(model.Sample(z).data<float>().ToArray(), RunPython("sample", folder.Checkpoint(3), z.data<float>().ToArray(), folder.Path));
        AssertClose(model.EncodeRaw(images).data<float>().ToArray(), RunPython("encode", folder.Checkpoint(3), images.data<float>().ToArray(), folder.Path));
    }

    [Fact]
    public void Weights_changed_and_saved_by_PyTorch_load_into_OGan_and_compute_what_PyTorch_computes()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        var settings = new RunSettings(
            new OGanConfig { ImageSize = 32, Channels = 1, Width = 32, ZDim = 12 },
            new TrainingOptions { BatchSize = 16, Steps = 2, SampleEvery = 0, SnapshotEvery = 0 },
            "fashion-mnist");
        using (var trainer = new Trainer(settings, data, folder))
        {
            trainer.Run();
        }

        var fromPyTorch = Path.Combine(folder.Path, "from-pytorch.safetensors");
        RunPythonScript("perturb", folder.Checkpoint(2), fromPyTorch);
        using var original = OGanModel.Load(folder.Checkpoint(2), CPU, Precision.Fp32);
        using var model = OGanModel.Load(fromPyTorch, CPU, Precision.Fp32);
        Assert.True(model.IsVerified, "the file PyTorch wrote carries no SHA-256 digest");
        using var scope = NewDisposeScope();
        Assert.Equal(original.Config, model.Config);
        var z = model.Latents(5, seed: 2);
        var images = data.First(5, CPU);
        var samples = model.Sample(z);

        var before = original.Sample(z);
        Assert.True(samples.sub(before).abs().max().item<float>() > 0.05 * before.abs().max().item<float>(), "PyTorch's perturbed weights did not change G(z)");
        AssertClose(samples.data<float>().ToArray(), RunPython("sample", fromPyTorch, z.data<float>().ToArray(), folder.Path));
        AssertClose(model.EncodeRaw(images).data<float>().ToArray(), RunPython("encode", fromPyTorch, images.data<float>().ToArray(), folder.Path));
    }

    [Fact]
    public void The_PyTorch_reader_refuses_a_checkpoint_whose_digest_does_not_match()
    {
        var folder = Fixtures.TemporaryFolder();
        var path = Path.Combine(folder, "checkpoint.safetensors");
        var config = new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 };
        using (var state = new TrainingState(config, new TrainingOptions { BatchSize = 4 }, CPU, dataCount: 8))
        {
            OGan.Checkpoints.Checkpoint.Write(path, new RunSettings(config, new TrainingOptions { BatchSize = 4 }, "fashion-mnist"), state);
        }

        var latents = Path.Combine(folder, "z.f32");
        File.WriteAllBytes(latents, new byte[8 * 4]);
        RunPythonScript("sample", path, latents, Path.Combine(folder, "out.f32"));
        var bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var (code, errors) = RunPythonProcess("sample", path, latents, Path.Combine(folder, "out.f32"));
        Assert.NotEqual(0, code);
        Assert.Contains("do not match the SHA-256", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void The_PyTorch_benchmark_grows_a_checkpoint_by_skips_into_the_model_OGan_grows()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 32);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        var training = new TrainingOptions { BatchSize = 16, Steps = 2, SampleEvery = 0, SnapshotEvery = 0, EmaDecay = 0.5, Precision = Precision.Fp32 };
        string checkpoint;
        using (var trainer = new Trainer(new RunSettings(new OGanConfig { ImageSize = 32, Channels = 1, Width = 32, ZDim = 12 }, training, "fashion-mnist"), data, folder))
        {
            checkpoint = trainer.Run()!;
        }

        var grownSettings = new RunSettings(
            new OGanConfig { ImageSize = 64, Channels = 1, Width = 32, ZDim = 12, Skips = 1 }, training with { GrowFrom = "set by Trainer.Grow" }, "fashion-mnist");
        using var blank = new ImageSet(new byte[16 * 64 * 64], 16, 1, 64, name: "blank-64");
        using var grown = Trainer.Grow(checkpoint, grownSettings, blank, null, ProcessGroup.Single);
        var fromPyTorch = Path.Combine(folder.Path, "grown-by-pytorch.safetensors");
        var (code, errors) = RunPythonFile(Path.Combine(Fixtures.RepositoryRoot, "tests", "fixtures", "grow_torch.py"), checkpoint, fromPyTorch);
        Assert.True(code == 0, $"grow_torch.py exited with {code}: {errors}");

        using var pyTorch = OGan.Checkpoints.Checkpoint.Read(fromPyTorch);
        string[] newInGenerator = ["deconv3.", "bn3."], newInEncoder = ["conv0.", "conv1.", "bn1."];
        AssertGrownAlike(grown.State.Generator, pyTorch.Part(OGan.Checkpoints.Checkpoint.GeneratorPrefix), newInGenerator, ["out.weight", "out.bias"]);
        AssertGrownAlike(grown.State.Ema!, pyTorch.Part(OGan.Checkpoints.Checkpoint.EmaPrefix), newInGenerator, ["out.weight", "out.bias"]);
        AssertGrownAlike(grown.State.Encoder, pyTorch.Part(OGan.Checkpoints.Checkpoint.EncoderPrefix), newInEncoder, ["bn1.weight"]);
    }

    // Every entry that came from the smaller model is the same in both; the silenced ones are zero in both; the new blocks' own initialisation differs.
    private static void AssertGrownAlike(nn.Module ogan, IReadOnlyDictionary<string, Tensor> pyTorch, string[] newBlocks, string[] silenced)
    {
        var entries = ogan.state_dict();
        Assert.Equal(entries.Keys.Order(StringComparer.Ordinal), pyTorch.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, value) in entries)
        {
            using var scope = NewDisposeScope();
            if (silenced.Contains(name))
            {
                Assert.True(value.abs().sum().ToDouble() == 0 && pyTorch[name].abs().sum().ToDouble() == 0, $"'{name}' does not start at zero in both");
            }
            else if (!newBlocks.Any(block => name.StartsWith(block, StringComparison.Ordinal)))
            {
                var difference = (value.to_type(ScalarType.Float64) - pyTorch[name].to_type(ScalarType.Float64)).abs().max().ToDouble();
                Assert.True(difference == 0, $"'{name}' differs between OGan's grown model and PyTorch's by {difference:G3}");
            }
        }
    }

    private static float[] RunPython(string command, string checkpoint, float[] input, string folder)
    {
        var inputPath = Path.Combine(folder, "in.f32");
        var outputPath = Path.Combine(folder, "out.f32");
        File.WriteAllBytes(inputPath, MemoryMarshal.AsBytes(input.AsSpan()).ToArray());
        RunPythonScript(command, checkpoint, inputPath, outputPath);
        return MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(outputPath)).ToArray();
    }

    internal static void RunPythonScript(params string[] arguments)
    {
        var (code, errors) = RunPythonProcess(arguments);
        Assert.True(code == 0, $"python exited with {code}: {errors}");
    }

    private static (int ExitCode, string Errors) RunPythonProcess(params string[] arguments) =>
        RunPythonFile(Path.Combine(Fixtures.RepositoryRoot, "python", "ogan_torch.py"), arguments);

    private static (int ExitCode, string Errors) RunPythonFile(string script, params string[] arguments)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: install Debian's python3-torch (./test.sh does)");
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, errors.Result);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst < 1e-5, $"largest difference between OGan and PyTorch: {worst:G3}");
    }
}
