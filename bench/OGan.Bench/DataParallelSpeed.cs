using System.Diagnostics;
using System.Globalization;
using OGan.Data;
using OGan.Distributed;
using OGan.MixedPrecision;
using OGan.Models;
using OGan.Training;

namespace OGan.Bench;

/// <summary>
/// The O-GAN iteration trained by every process of the MPI job (or one process without mpirun) at one global
/// batch, on random images: the job's images/s and the share of the time in the gradients' all-reduce.
/// </summary>
internal static class DataParallelSpeed
{
    public static void Run(int size, int width, int batch, int iterations, Precision precision)
    {
        using var group = ProcessGroup.FromEnvironment();
        var pixels = new byte[batch * 4 * size * size];
        new Random(7).NextBytes(pixels);
        using var data = new ImageSet(pixels, batch * 4, 1, size);
        var settings = new RunSettings(
            new OGanConfig { ImageSize = size, Channels = 1, Width = width },
            new TrainingOptions { BatchSize = batch, Steps = long.MaxValue, LogEvery = 1_000_000, SampleEvery = 0, SnapshotEvery = 0, CalibrationImages = 0, Precision = precision },
            "bench");
        using var trainer = new Trainer(settings, data, null, group);
        var warmup = Stopwatch.StartNew();
        for (var i = 0; i < TrainStep.Warmup || !group.Any(warmup.Elapsed.TotalSeconds >= TrainStep.WarmupSeconds); i++)
        {
            trainer.TrainStep();
        }

        group.Barrier();
        var reductionBefore = trainer.Parallel.ReductionTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            trainer.TrainStep();
        }

        group.Barrier();
        var seconds = clock.Elapsed.TotalSeconds;
        var reduction = (trainer.Parallel.ReductionTime - reductionBefore).TotalSeconds;
        var values = trainer.State.Generator.parameters().Concat(trainer.State.Encoder.parameters()).Sum(p => p.numel());
        var transfer = ReductionSeconds(group, values, 5);
        if (group.IsMain)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"images_per_second {batch * iterations / seconds:F1} seconds_per_iteration {seconds / iterations:F5} allreduce_share {reduction / seconds:F4} processes {group.Size} threads {TorchSharp.torch.get_num_threads()} precision {trainer.Precision.Precision} gradient_values {values} allreduce_alone_seconds {transfer:F5}"));
        }
    }

    /// <summary>Prints the seconds one all-reduce of <paramref name="values"/> floats takes in this job.</summary>
    public static void AllReduceOnly(long values, int repeats)
    {
        using var group = ProcessGroup.FromEnvironment();
        var seconds = ReductionSeconds(group, values, repeats);
        if (group.IsMain)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allreduce_seconds {seconds:F5} values {values} processes {group.Size} gb_per_second {4 * values / seconds / 1e9:F2}"));
        }
    }

    /// <summary>Seconds to all-reduce G's and E's gradients (<paramref name="values"/> floats, as two buffers) with the processes in step: the transfer alone, without waiting.</summary>
    internal static double ReductionSeconds(ProcessGroup group, long values, int repeats)
    {
        using var buffer = TorchSharp.torch.ones(values);
        group.AllReduce(buffer);
        group.Barrier();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++)
        {
            group.AllReduce(buffer);
        }

        return clock.Elapsed.TotalSeconds / repeats;
    }
}
