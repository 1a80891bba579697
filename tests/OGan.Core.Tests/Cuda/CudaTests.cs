using OGan.Inference;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Cuda;

/// <summary>Training and inference on a GPU. Where libtorch sees none, each test is skipped and says so.</summary>
public sealed class CudaTests
{
    private static void RequireCuda() =>
        Skip.If(Torch.CudaDeviceCount == 0, $"no CUDA device: this libtorch ({Torch.Version}) sees no GPU; build native/ against a CUDA libtorch on a GPU machine to run it");

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
            trainer.Progress += progress.Add;
            trainer.Run();
        }

        Assert.All(progress, p => Assert.True(double.IsFinite(p.EncoderLoss) && double.IsFinite(p.GeneratorLoss)));
        using var onGpu = OGanModel.Load(folder.Checkpoint(5), Device.Parse("cuda"));
        using var onCpu = OGanModel.Load(folder.Checkpoint(5), Device.Cpu);
        using var scope = DisposeScope.Enter();
        var z = onCpu.Latents(8, seed: 3);
        var gpu = onGpu.Sample(z).To(Device.Cpu).ToArray<float>();
        var cpu = onCpu.Sample(z).ToArray<float>();
        Assert.True(gpu.Zip(cpu).Max(p => Math.Abs(p.First - p.Second)) < 1e-3, "G(z) differs between GPU and CPU");
    }

    [SkippableFact]
    public void Batches_reach_the_GPU_as_the_CPU_computes_them()
    {
        RequireCuda();
        using var data = Fixtures.FashionMnist(train: false, limit: 64);
        using var scope = DisposeScope.Enter();
        var indices = Torch.Arange(0, 64);
        var gpu = data.Batch(indices, Device.Parse("cuda")).To(Device.Cpu).ToArray<float>();
        Assert.Equal(data.Batch(indices, Device.Cpu).ToArray<float>(), gpu);
    }
}
