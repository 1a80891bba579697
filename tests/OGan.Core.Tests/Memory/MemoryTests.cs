using System.Diagnostics;
using OGan.Inference;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Memory;

/// <summary>
/// Tensors are freed deterministically: training steps, log intervals, grids, checkpoints and inference
/// requests leave no tensor alive behind them (TorchSharp's own count of live tensors on this thread), and
/// the process's resident memory stays flat over a longer run.
/// </summary>
[Collection(nameof(RunsAlone))] // alone: resident memory is the whole test process's
public sealed class MemoryTests
{
    private static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    private static RunSettings Tiny(Formulation formulation, long steps) => new(
        new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 },
        new TrainingOptions
        {
            BatchSize = 8, Steps = steps, LogEvery = 5, SampleEvery = 10, SnapshotEvery = 10, Seed = 2,
            Formulation = formulation, EmaDecay = 0.9, Flip = true, CalibrationImages = 16, MetricsEvery = 20,
        },
        "fashion-mnist");

    [Theory]
    [InlineData(Formulation.Alternating)]
    [InlineData(Formulation.SinglePass)]
    public void Training_steps_grids_and_checkpoints_leave_no_tensor_behind(Formulation formulation)
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        using var trainer = new Trainer(Tiny(formulation, 40), data, new RunFolder(Fixtures.TemporaryFolder()));
        trainer.TrainStep(); // optimizer state and lazily made buffers exist from the first step on
        var before = LiveTensors;
        trainer.Run();
        Assert.Equal(40, trainer.Step);
        Assert.Equal(before, LiveTensors);
    }

    [Fact]
    public void Inference_requests_leave_no_tensor_behind()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 16);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        using (var trainer = new Trainer(Tiny(Formulation.Alternating, 2), data, folder))
        {
            trainer.Run();
        }

        using var model = OGanModel.Load(folder.Checkpoint(2));
        var before = LiveTensors;
        for (var i = 0; i < 50; i++)
        {
            // No dispose scope here: the test frees only what each call returns, so any tensor a call makes and
            // does not free itself stays alive and is counted.
            using var real = data.First(4, CPU);
            using var a = real[..1];
            using var b = real[1..2];
            using (model.Reconstruct(real, 0.9))
            using (model.Interpolate(a, b, 4, slerp: true))
            using (model.Encode(real))
            using (model.EncodeFeatures(real))
            using (var sample = model.Sample(2, seed: (ulong)i))
            {
                _ = OGanModel.ToPixels(sample);
            }
        }

        Assert.Equal(before, LiveTensors);
    }

    [Fact]
    public void Resident_memory_stays_flat_over_a_longer_run()
    {
        // Resident memory moves by tens of MB as the allocators and the GC work, so this compares the lowest
        // of the first samples with the lowest of the last: a leak grows both, noise does not.
        // The default width: at 2.4 million parameters, a gradient or optimizer buffer kept alive per step
        // (by a handle left to the finalizer) grows memory by gigabytes over the run.
        using var data = Fixtures.FashionMnist(train: true, limit: 1024);
        var settings = new RunSettings(
            new OGanConfig { ImageSize = 32, Channels = 1, Width = 128, ZDim = 32 },
            Tiny(Formulation.Alternating, 1).Training with { BatchSize = 8 },
            "fashion-mnist");
        using var trainer = new Trainer(settings, data);
        var samples = new List<double>();
        for (var block = 0; block < 7; block++)
        {
            for (var i = 0; i < 150; i++)
            {
                trainer.TrainStep();
            }

            samples.Add(ResidentBytes() / 1e6);
        }

        var grown = samples[^2..].Min() - samples[1..3].Min(); // the first block warms up
        Assert.True(grown < 32, $"resident memory grew by {grown:F1} MB over 600 steps (samples: {string.Join(", ", samples.Select(m => $"{m:F0}"))} MB)");
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}

/// <summary>Runs <see cref="MemoryTests"/> while no other test runs.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;
