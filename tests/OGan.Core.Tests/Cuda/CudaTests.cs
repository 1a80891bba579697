using OGan.Inference;
using OGan.MixedPrecision;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Cuda;

/// <summary>Training and inference on a GPU. Where libtorch sees none, each test is skipped and says so.</summary>
public sealed class CudaTests
{
    private static void RequireCuda() =>
        Skip.If(!cuda.is_available(), $"no CUDA device: this libtorch ({__version__}, TorchSharp-cpu) sees no GPU; build with -p:OGanBackend=cuda-linux on a GPU machine to run it");

    [SkippableFact]
    public void A_model_trains_on_the_GPU_and_its_checkpoint_samples_the_same_on_the_CPU()
    {
        RequireCuda();
        using var data = Fixtures.FashionMnist(train: true, limit: 256);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        var settings = new RunSettings(
            new OGanConfig { ImageSize = 32, Channels = 1, Width = 32, ZDim = 16 },
            new TrainingOptions { BatchSize = 32, Steps = 5, LogEvery = 1, SampleEvery = 0, SnapshotEvery = 0, Device = "cuda", CalibrationImages = 64 },
            "fashion-mnist");
        var progress = new List<TrainingProgress>();
        using (var trainer = new Trainer(settings, data, folder))
        {
            trainer.Run(new CallbackProgress<TrainingProgress>(progress.Add));
        }

        Assert.All(progress, p => Assert.True(double.IsFinite(p.EncoderLoss) && double.IsFinite(p.GeneratorLoss)));
        using var onGpu = OGanModel.Load(folder.Checkpoint(5), new Device(DeviceType.CUDA, 0), Precision.Fp32);
        using var onCpu = OGanModel.Load(folder.Checkpoint(5), CPU, Precision.Fp32);
        using var scope = NewDisposeScope();
        var z = onCpu.Latents(8, seed: 3);
        var gpu = onGpu.Sample(z).cpu().data<float>().ToArray();
        var cpu = onCpu.Sample(z).data<float>().ToArray();
        Assert.True(gpu.Zip(cpu).Max(p => Math.Abs(p.First - p.Second)) < 1e-3, "G(z) differs between GPU and CPU");
    }

    [SkippableFact]
    public void A_bf16_run_on_the_GPU_stays_finite_and_its_model_matches_fp32_on_the_CPU()
    {
        RequireCuda();
        var device = new Device(DeviceType.CUDA, 0);
        var auto = PrecisionChoice.Resolve(Precision.Auto, device);
        Assert.Contains("compute capability", auto.Reason, StringComparison.Ordinal); // read from the CUDA driver
        using var data = Fixtures.FashionMnist(train: true, limit: 256);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        var settings = new RunSettings(
            new OGanConfig { ImageSize = 32, Channels = 1, Width = 128, ZDim = 16 },
            new TrainingOptions { BatchSize = 32, Steps = 5, LogEvery = 1, SampleEvery = 0, SnapshotEvery = 0, Device = "cuda", CalibrationImages = 64, Precision = Precision.Bf16 },
            "fashion-mnist");
        var progress = new List<TrainingProgress>();
        using (var trainer = new Trainer(settings, data, folder))
        {
            trainer.Run(new CallbackProgress<TrainingProgress>(progress.Add));
        }

        Assert.All(progress, p => Assert.True(double.IsFinite(p.EncoderLoss) && double.IsFinite(p.GeneratorLoss)));
        using var onGpu = OGanModel.Load(folder.Checkpoint(5), device, Precision.Bf16);
        using var onCpu = OGanModel.Load(folder.Checkpoint(5), CPU, Precision.Fp32);
        using var scope = NewDisposeScope();
        var z = onCpu.Latents(8, seed: 3);
        var difference = (onGpu.Sample(z).cpu() - onCpu.Sample(z)).abs();
        Assert.True(difference.mean().ToDouble() < 0.005 && difference.max().ToDouble() < 0.05, $"G(z) in bf16 on the GPU differs from fp32 on the CPU by {difference.mean().ToDouble():G3} on average, {difference.max().ToDouble():G3} at most");
    }

    [SkippableFact]
    public void Batches_reach_the_GPU_as_the_CPU_computes_them()
    {
        RequireCuda();
        using var data = Fixtures.FashionMnist(train: false, limit: 64);
        using var scope = NewDisposeScope();
        var indices = Enumerable.Range(0, 64).Select(i => (long)i).ToArray();
        var gpu = data.Batch(indices, new Device(DeviceType.CUDA, 0)).cpu().data<float>().ToArray();
        Assert.Equal(data.Batch(indices, CPU).data<float>().ToArray(), gpu);
    }
}
