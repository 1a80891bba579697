using System.Diagnostics;
using System.Globalization;
using OGan.Losses;
using OGan.MixedPrecision;
using OGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Bench;

/// <summary>
/// Where an alternating O-GAN iteration spends its time: the iteration of <see cref="Training.TrainingStep"/>
/// cut into phases (forward passes with their losses, backward passes, optimizer steps), each timed over the
/// same iterations. bench/train_step.py phases does the same in PyTorch.
/// </summary>
internal static class Phases
{
    private static readonly string[] Names = ["g_forward_no_grad", "e_forward_loss", "e_backward", "e_adam", "ge_forward_loss", "g_backward", "g_adam"];

    public static void Run(int size, int width, int batch, int iterations, int channels, Precision precision, bool channelsLast)
    {
        var config = new OGanConfig { ImageSize = size, Channels = channels, Width = width };
        using var random = new torch.Generator(1);
        using var generator = new Models.Generator(config, random);
        using var encoder = new Encoder(config, random);
        var autocast = AutocastPolicy.For(precision, channelsLast);
        generator.Autocast = autocast;
        encoder.Autocast = autocast;
        using var optimizerG = optim.Adam(generator.parameters(), 2e-4, 0.5, 0.999);
        using var optimizerE = optim.Adam(encoder.parameters(), 2e-4, 0.5, 0.999);
        var encoderParameters = encoder.parameters().ToArray();
        var loss = new OGanLoss(GanObjective.Create(GanLoss.Qp));
        var seconds = new double[Names.Length];
        var clock = new Stopwatch();

        void Phase(int index, Action action)
        {
            clock.Restart();
            action();
            seconds[index] += clock.Elapsed.TotalSeconds;
        }

        for (var i = 0; i < TrainStep.Warmup + iterations; i++)
        {
            if (i == TrainStep.Warmup)
            {
                Array.Clear(seconds);
            }

            using var scope = NewDisposeScope();
            var real = rand(batch, channels, size, size) * 2 - 1;
            var z = randn(batch, config.LatentDim);
            Tensor fake = null!, lossE = null!, lossG = null!;
            Phase(0, () =>
            {
                using var noGrad = no_grad();
                fake = generator.call(z);
            });
            Phase(1, () => lossE = loss.Encoder(z, encoder.call(real), encoder.call(fake), real, fake).Total);
            Phase(2, () =>
            {
                optimizerE.zero_grad();
                lossE.backward();
            });
            Phase(3, () => optimizerE.step());
            foreach (var p in encoderParameters)
            {
                p.requires_grad = false;
            }

            var zg = randn(batch, config.LatentDim);
            Phase(4, () => lossG = loss.Generator(zg, encoder.call(generator.call(zg))).Total);
            Phase(5, () =>
            {
                optimizerG.zero_grad();
                lossG.backward();
            });
            Phase(6, () => optimizerG.step());
            foreach (var p in encoderParameters)
            {
                p.requires_grad = true;
            }
        }

        var total = seconds.Sum();
        for (var i = 0; i < Names.Length; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Names[i],-18} {seconds[i] / iterations:F4} s {100 * seconds[i] / total,5:F1}%"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",-18} {total / iterations:F4} s"));
        if (precision == Precision.Bf16)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"of which casts",-18} {WeightCasts(generator, encoder, channelsLast, iterations):F4} s (weights to bf16, forward only: G twice, E three times)"));
        }
    }

    // What casting the weights costs in an iteration: G's are cast in two forward passes, E's in three.
    private static double WeightCasts(Models.Generator generator, Encoder encoder, bool channelsLast, int iterations)
    {
        var policy = AutocastPolicy.Bf16 with { ChannelsLast = channelsLast };
        var weights = generator.modules().OfType<AutocastLayer>().Select(l => (l.Weight, Calls: 2))
            .Concat(encoder.modules().OfType<AutocastLayer>().Select(l => (l.Weight, Calls: 3)))
            .ToArray();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            using var scope = NewDisposeScope();
            foreach (var (weight, calls) in weights)
            {
                for (var call = 0; call < calls; call++)
                {
                    policy.Layout(weight.to(ScalarType.BFloat16));
                }
            }
        }

        return clock.Elapsed.TotalSeconds / iterations;
    }
}
