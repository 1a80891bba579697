using System.Diagnostics;
using System.Globalization;
using OGan.Engine;
using OGan.MixedPrecision;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace OGan.Bench;

/// <summary>
/// Which fp32 convolutions thin on both sides oneDNN gets wrong on this CPU, what OGan's layers decide for them, and
/// what the padding that makes them right costs at 128 px (docs/mixed-precision.md).
/// </summary>
internal static class ThinConvolutions
{
    private static readonly (long Thin, long Wide)[] Pairs = [(1, 2), (1, 4), (1, 8), (1, 15), (1, 16), (2, 8), (3, 3), (3, 4), (3, 8), (3, 12), (3, 16), (4, 8), (8, 8)];

    public static void Run(int batch, int rounds)
    {
        using var random = new torch.Generator(5);
        Console.WriteLine("fp32 against float64, 8 images, kernel 5, stride 2: largest relative error of output and input gradient over 5 calls");
        Console.WriteLine("thin <-> wide | layout | convolution 16 px | convolution 128 px | transposed 16 px | transposed 128 px | OGan pads (convolution, transposed)");
        foreach (var (thin, wide) in Pairs)
        {
            foreach (var channelsLast in new[] { false, true })
            {
                var errors = new List<string>();
                foreach (var transposed in new[] { false, true })
                {
                    foreach (var side in new long[] { 16, 128 })
                    {
                        var worst = 0.0;
                        for (var call = 0; call < 5; call++)
                        {
                            using var scope = NewDisposeScope();
                            var input = transposed ? randn([8, wide, side / 2, side / 2], generator: random) : randn([8, thin, side, side], generator: random);
                            var weight = randn([wide, thin, 5, 5], generator: random).Times(0.1);
                            worst = Math.Max(worst, Error(transposed, input, weight, channelsLast));
                        }

                        errors.Add(worst.ToString("G2", CultureInfo.InvariantCulture));
                    }
                }

                using var convolution = new AutocastConv2d(thin, wide, 5, 2, 2);
                using var transposedLayer = new AutocastConvTranspose2d(wide, thin, 5, 2, 2, 1);
                Console.WriteLine($"{thin} <-> {wide} | {(channelsLast ? "channels-last" : "NCHW")} | {string.Join(" | ", errors)} | {convolution.Fp32NeedsPadding}, {transposedLayer.Fp32NeedsPadding}");
            }
        }

        // E's first layer and G's last at 128 px and width 128, the photo default, forward and backward with the input's gradient.
        var images = randn([batch, 3, 128, 128], generator: random);
        var features = randn([batch, 8, 64, 64], generator: random);
        var convolutionWeight = randn([8, 3, 5, 5], generator: random).Times(0.1);
        var transposedWeight = randn([8, 3, 5, 5], generator: random).Times(0.1);
        Console.WriteLine($"{batch} images at 128 px, forward and backward, best of {rounds} (s): direct | padded to 16 channels");
        Console.WriteLine($"convolution 3 -> 8 | {Seconds(x => Convolution(x, convolutionWeight, 0), images, rounds):F4} | {Seconds(x => Convolution(x, convolutionWeight, 13), images, rounds):F4}");
        Console.WriteLine($"transposed 8 -> 3 | {Seconds(x => Transposed(x, transposedWeight, 0), features, rounds):F4} | {Seconds(x => Transposed(x, transposedWeight, 8), features, rounds):F4}");
    }

    // Zero-padded by padIn input channels (and to 16 output channels when padIn > 0), the output cut back.
    private static Tensor Convolution(Tensor input, Tensor weight, long padIn)
    {
        var padOut = padIn > 0 ? 16 - weight.shape[0] : 0;
        return F.conv2d(F.pad(input, [0, 0, 0, 0, 0, padIn]), F.pad(weight, [0, 0, 0, 0, 0, padIn, 0, padOut]), null, [2, 2], [2, 2]).narrow(1, 0, weight.shape[0]);
    }

    private static Tensor Transposed(Tensor input, Tensor weight, long padIn)
    {
        var padOut = padIn > 0 ? 16 - weight.shape[1] : 0;
        return F.conv_transpose2d(F.pad(input, [0, 0, 0, 0, 0, padIn]), F.pad(weight, [0, 0, 0, 0, 0, padOut, 0, padIn]), null, [2, 2], [2, 2], [1, 1]).narrow(1, 0, weight.shape[1]);
    }

    private static double Error(bool transposed, Tensor input, Tensor weight, bool channelsLast)
    {
        static Tensor Layout(Tensor t, bool channelsLast) => channelsLast ? t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : t;
        // (wide, thin, k, k) is a convolution's weight thin -> wide and a transposed one's wide -> thin.
        Tensor Operation(Tensor x, Tensor w) => transposed
            ? F.conv_transpose2d(x, w, null, [2, 2], [2, 2], [1, 1])
            : F.conv2d(x, w, null, [2, 2], [2, 2]);
        Tensor Exact(Tensor x, Tensor w)
        {
            if (transposed)
            {
                return Operation(x, w);
            }

            var side = x.shape[2] / 2; // unfolded: float64 conv2d asks NNPACK, which warns on this CPU
            return w.flatten(1).matmul(F.unfold(x, 5, padding: 2, stride: 2)).view(x.shape[0], w.shape[0], side, side);
        }

        var fp32Input = Layout(input, channelsLast).detach().requires_grad_();
        var exactInput = input.to(ScalarType.Float64).requires_grad_();
        var fp32 = Operation(fp32Input, Layout(weight, channelsLast));
        var exact = Exact(exactInput, weight.to(ScalarType.Float64));
        fp32.Squared().sum().backward();
        exact.Squared().sum().backward();
        static double Relative(Tensor actual, Tensor expected) => (actual.to(ScalarType.Float64) - expected).norm().ToDouble() / expected.norm().ToDouble();
        var error = Math.Max(Relative(fp32.detach(), exact.detach()), Relative(fp32Input.grad!, exactInput.grad!));
        return double.IsFinite(error) ? error : double.PositiveInfinity;
    }

    private static double Seconds(Func<Tensor, Tensor> operation, Tensor input, int rounds)
    {
        var clock = new Stopwatch();
        var best = double.MaxValue;
        for (var round = -2; round < rounds; round++) // two rounds of warm-up
        {
            using var scope = NewDisposeScope();
            var x = input.detach().requires_grad_();
            clock.Restart();
            operation(x).sum().backward();
            if (round >= 0)
            {
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
        }

        return best;
    }
}
