using System.Diagnostics;
using System.Globalization;
using OGan.Data;
using OGan.Evaluation;
using OGan.Inference;
using OGan.MixedPrecision;
using OGan.Models;
using OGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Bench;

/// <summary>
/// The O-GAN training iteration through OGan's Trainer: timed on random images of any size (speed), or
/// trained on Fashion-MNIST and evaluated (quality). The same as bench/train_step.py.
/// </summary>
internal static class TrainStep
{
    private static RunSettings Settings(int size, int width, int batch, long steps, bool singlePass, int channels = 1, string device = "cpu", Precision precision = Precision.Fp32, bool channelsLast = false) => new(
        new OGanConfig { ImageSize = size, Channels = channels, Width = width, ZDim = 0 },
        new TrainingOptions
        {
            BatchSize = batch, Steps = steps, LogEvery = 1_000_000, SampleEvery = 0, SnapshotEvery = 0, CalibrationImages = 0,
            Formulation = singlePass ? Formulation.SinglePass : Formulation.Alternating, Seed = 1, Device = device,
            Precision = precision, ChannelsLast = channelsLast,
        },
        "bench");

    /// <summary>Warm-up before timing, on both sides (bench/train_step.py): at least this many iterations and <see cref="WarmupSeconds"/>.</summary>
    public const int Warmup = 10;

    /// <summary>Seconds of warm-up at least: .NET's tiered JIT and the allocators settle.</summary>
    public const double WarmupSeconds = 5;

    /// <summary>Seconds per iteration on random images, after <see cref="Warmup"/> iterations.</summary>
    public static double Speed(int size, int width, int batch, int iterations, bool singlePass, int channels = 1, string device = "cpu", Precision precision = Precision.Fp32, bool channelsLast = false)
    {
        var pixels = new byte[batch * 4 * channels * size * size];
        new Random(7).NextBytes(pixels);
        using var data = new ImageSet(pixels, batch * 4, channels, size);
        using var trainer = new Trainer(Settings(size, width, batch, long.MaxValue, singlePass, channels, device, precision, channelsLast), data);
        var cuda = trainer.Device.type == DeviceType.CUDA;
        var warmup = Stopwatch.StartNew();
        for (var i = 0; i < Warmup || warmup.Elapsed.TotalSeconds < WarmupSeconds; i++)
        {
            trainer.TrainStep();
        }

        if (cuda)
        {
            torch.cuda.synchronize(trainer.Device);
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            trainer.TrainStep();
        }

        if (cuda)
        {
            torch.cuda.synchronize(trainer.Device);
        }

        return clock.Elapsed.TotalSeconds / iterations;
    }

    /// <summary>Trains at 32 px on Fashion-MNIST, then prints rho and test MSE before and after recalibrating E's BatchNorm.</summary>
    public static void Quality(int width, int batch, int iterations, bool singlePass)
    {
        using var train = FashionMnist.Load(train: true);
        using var test = FashionMnist.Load(train: false);
        using var trainer = new Trainer(Settings(32, width, batch, iterations, singlePass), train);
        var clock = Stopwatch.StartNew();
        trainer.Run();
        var seconds = clock.Elapsed.TotalSeconds;
        using var model = new OGanModel(trainer.Config, trainer.State.Generator, trainer.State.Encoder, ownsNetworks: false);
        Print("running", seconds, model, test);
        model.CalibrateEncoder(train.Batches(1024, 64, CPU));
        Print("calibrated", seconds, model, test);
    }

    private static void Print(string statistics, double seconds, OGanModel model, ImageSet test)
    {
        var rho = EncoderMetrics.LatentCorrelation(model);
        var mse = EncoderMetrics.Reconstruction(model, test).Mse;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bn_statistics {statistics} rho {rho:F4} test_mse {mse:F4} train_seconds {seconds:F1}"));
    }
}
