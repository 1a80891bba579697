using System.Collections.Concurrent;
using OGan.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.MixedPrecision;

/// <summary>What <see cref="ThinConvolutionProbe"/> measured: the relative L2 error of thin bf16 convolutions against fp32.</summary>
/// <param name="ConvolutionError">A 3 → 64 convolution (E's first layer).</param>
/// <param name="TransposedError">A 64 → 1 transposed convolution (G's last layer).</param>
/// <param name="Forced">Whether the answer was set (by a test or OGAN_THIN_BF16) rather than measured.</param>
public sealed record ThinConvolutionCheck(double ConvolutionError, double TransposedError, bool Forced = false)
{
    /// <summary>
    /// The relative error against float64 of fp32 convolutions thin on both sides on 1-channel images (E's first layer
    /// 1 → 4 and G's last 4 → 1 at width 16), as <see cref="AutocastLayer.Fp32Error"/> measures them: for the log and
    /// `ogan info` (such layers are padded whatever it is, <see cref="AutocastLayer.Fp32NeedsPadding"/>).
    /// </summary>
    public double GreyFp32Error { get; init; }

    /// <summary>The same for 3-channel images (3 → 8 and 8 → 3, the full-resolution layers at 128 px and width 128); each such layer is measured for itself and padded where it is wrong.</summary>
    public double ColourFp32Error { get; init; }

    /// <summary>Whether the probe's two thin convolutions compute right in bf16: both errors within <see cref="ThinConvolutionProbe.Tolerance"/> (each layer decides by its own, <see cref="AutocastLayer.Bf16IsRightIn"/>, unless <see cref="Forced"/>).</summary>
    public bool Bf16IsRight => Math.Max(ConvolutionError, TransposedError) < ThinConvolutionProbe.Tolerance;

    /// <summary>One sentence for logs and `ogan info`.</summary>
    public string Describe() => DescribeBf16() +
        $"; fp32 convolutions thin on both sides: on 1 channel padded to {AutocastPolicy.MinimumBf16Channels} channels (error unpadded {GreyFp32Error:G2} against float64), " +
        (ColourFp32Error < ThinConvolutionProbe.Fp32Tolerance
            ? $"on 3 channels right (error {ColourFp32Error:G2}), not padded"
            : $"on 3 channels wrong (error {ColourFp32Error:G2}), padded");

    private string DescribeBf16() => Forced
        ? $"thin convolutions (fewer than {AutocastPolicy.MinimumBf16Channels} channels on a side) in {(Bf16IsRight ? "bf16" : "fp32")}, as OGAN_THIN_BF16 says"
        : $"thin convolutions (fewer than {AutocastPolicy.MinimumBf16Channels} channels on a side) in bf16 where their own configuration computes right in it, else fp32 " +
          $"(oneDNN's thin bf16 kernels are right or wrong by channels and layout; the probe's 3 → 64 convolution: error {ConvolutionError:G2}, transposed 64 → 1: {TransposedError:G2}, bf16 should give ~0.003)";
}

/// <summary>
/// Whether oneDNN's bf16 kernels compute thin convolutions right on this machine and libtorch build. On some CPUs
/// they are off by 7-87% (relative L2) where bf16 should be off by 0.3% (pytorch/pytorch#163347), on others of
/// the same kind they are right: a property of the machine and the build, not of its CPU flags, so it is
/// measured once per process (a few milliseconds) and <see cref="AutocastPolicy"/> follows the answer.
/// </summary>
public static class ThinConvolutionProbe
{
    /// <summary>The largest relative error accepted: bf16's own error on these layers is about 0.003.</summary>
    public const double Tolerance = 0.01;

    /// <summary>The largest relative error accepted of an fp32 convolution against float64 (right ones are below 1e-6).</summary>
    public const double Fp32Tolerance = 1e-4;

    /// <summary>
    /// Convolutions thin on both sides with fewer channels than this on their thin side (grey images) are padded in
    /// fp32 without asking the probe: on these CPUs their kernels were wrong in most calls and right in some, so a
    /// probe that happens to pass proves nothing (docs/mixed-precision.md).
    /// </summary>
    public const int FewestChannelsMeasured = 3;

    /// <summary>The environment variable that sets the answer without measuring: 1 (bf16 is right) or 0 (use fp32).</summary>
    public const string Variable = "OGAN_THIN_BF16";

    private static readonly Lazy<ThinConvolutionCheck> Measured = new(FromEnvironmentOrMeasure);

    private static readonly AsyncLocal<ThinConvolutionCheck?> ForcedHere = new();

    private static readonly ConcurrentDictionary<string, double> Errors = new();

    private static readonly long[] ProbeSides = [16, 64];

    private static readonly bool[] Layouts = [false, true]; // channels-last or not

    /// <summary>The answer for this process: measured on first use (or set by <see cref="Variable"/>), or what a test forced.</summary>
    public static ThinConvolutionCheck Result => ForcedHere.Value ?? Measured.Value;

    /// <summary>The answer for every thin layer where a test or <see cref="Variable"/> sets it; null where each layer measures its own (<see cref="AutocastLayer.Bf16IsRightIn"/>).</summary>
    internal static bool? Bf16IsRightForAll => (ForcedHere.Value ?? (Measured.Value.Forced ? Measured.Value : null))?.Bf16IsRight;

    /// <summary>Sets the answer for the calling flow of execution only (null: back to the measured one); for tests of the policy.</summary>
    internal static ThinConvolutionCheck? Forced
    {
        get => ForcedHere.Value;
        set => ForcedHere.Value = value;
    }

    /// <summary>Measures now: a thin convolution and a thin transposed convolution in bf16 against fp32, in both memory layouts; and (once per process) the fp32 ones thin on both sides against float64.</summary>
    public static ThinConvolutionCheck Measure()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var random = new torch.Generator(163347);
        var images = randn([4, 3, 16, 16], generator: random);
        var convolution = randn([64, 3, 5, 5], generator: random).Times(0.1);
        var features = randn([4, 64, 8, 8], generator: random);
        var transposed = randn([64, 1, 5, 5], generator: random).Times(0.1);
        var convolutionError = 0.0;
        var transposedError = 0.0;
        foreach (var channelsLast in new[] { false, true })
        {
            convolutionError = Math.Max(convolutionError, Error(
                (x, w) => nn.functional.conv2d(x, w, null, [2, 2], [2, 2]), images, convolution, channelsLast));
            transposedError = Math.Max(transposedError, Error(
                (x, w) => nn.functional.conv_transpose2d(x, w, null, [2, 2], [2, 2], [1, 1]), features, transposed, channelsLast));
        }

        // New layers draw their weights from the default generator: its state is put back, so that measuring (at a
        // moment that depends on the program, such as the first layer call) changes no random stream.
        var state = torch.random.get_rng_state();
        try
        {
            return new ThinConvolutionCheck(convolutionError, transposedError)
            {
                GreyFp32Error = Math.Max(ErrorOfLayer(new AutocastConv2d(1, 4, 5, 2, 2)), ErrorOfLayer(new AutocastConvTranspose2d(4, 1, 5, 2, 2, 1))),
                ColourFp32Error = Math.Max(ErrorOfLayer(new AutocastConv2d(3, 8, 5, 2, 2)), ErrorOfLayer(new AutocastConvTranspose2d(8, 3, 5, 2, 2, 1))),
            };
        }
        finally
        {
            torch.random.set_rng_state(state);
        }
    }

    private static double ErrorOfLayer(AutocastLayer layer)
    {
        using (layer)
        {
            return layer.Fp32Error;
        }
    }

    /// <summary>
    /// The relative error of a convolution's configuration in fp32 against float64 on the CPU: the largest, over two
    /// image sizes (16 and 64 px), both memory layouts and two calls each, of the error of the output and of the
    /// gradients of the input and the weight. Measured once per process for each configuration (a few milliseconds):
    /// oneDNN's wrong kernels are not even wrong in every call (docs/mixed-precision.md), so one call would not do.
    /// </summary>
    internal static double Fp32ErrorOf(string configuration, Func<Tensor, Tensor, Tensor?, Tensor> fp32, Func<Tensor, Tensor, Tensor> float64, Func<long, long[]> inputShape, long[] weightShape) =>
        Errors.GetOrAdd($"{configuration}, fp32", _ => ErrorAgainstFloat64((x, w) => fp32(x, w, null), float64, inputShape, weightShape, Layouts, calls: 2));

    /// <summary>
    /// The relative error of a convolution's configuration in bf16 (input and weight cast, as <see cref="AutocastLayer"/>
    /// does) against float64 on the CPU, in one memory layout: the largest, over two image sizes (16 and 64 px) and
    /// four calls each, of the error of the output and of the gradients of the input and the weight. Once per process
    /// for each configuration and layout: oneDNN's thin bf16 kernels are right or wrong by channel count and layout
    /// (a 3 → 64 convolution's input gradient: 0.0026 channels-last, 0.075 NCHW on one CPU), not by CPU alone.
    /// </summary>
    internal static double Bf16ErrorOf(string configuration, bool channelsLast, Func<Tensor, Tensor, Tensor?, Tensor> apply, Func<Tensor, Tensor, Tensor> float64, Func<long, long[]> inputShape, long[] weightShape) =>
        Errors.GetOrAdd($"{configuration}, bf16, {(channelsLast ? "channels-last" : "NCHW")}", _ => ErrorAgainstFloat64(
            (x, w) => apply(x.to(ScalarType.BFloat16), w.to(ScalarType.BFloat16), null).to(ScalarType.Float32), float64, inputShape, weightShape, [channelsLast], calls: 4));

    private static double ErrorAgainstFloat64(Func<Tensor, Tensor, Tensor> operation, Func<Tensor, Tensor, Tensor> float64, Func<long, long[]> inputShape, long[] weightShape, bool[] layouts, int calls)
    {
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(163347);
        var error = 0.0;
        foreach (var side in ProbeSides)
        {
            foreach (var channelsLast in layouts)
            {
                for (var call = 0; call < calls; call++)
                {
                    Tensor input, weight;
                    using (no_grad())
                    {
                        input = randn(inputShape(side), generator: random);
                        weight = randn(weightShape, generator: random).Times(0.1);
                    }

                    error = Math.Max(error, ErrorAgainstFloat64(operation, float64, input, weight, channelsLast));
                }
            }
        }

        return error;
    }

    // The largest relative error, of the output and of the gradients of input and weight (of the sum of squares), of
    // an operation on fp32 tensors against the same operation in float64.
    private static double ErrorAgainstFloat64(Func<Tensor, Tensor, Tensor> operation, Func<Tensor, Tensor, Tensor> float64Operation, Tensor input, Tensor weight, bool channelsLast)
    {
        using var grad = enable_grad();
        var x = (channelsLast ? ChannelsLast(input) : input).detach().requires_grad_();
        var w = (channelsLast ? ChannelsLast(weight) : weight).detach().requires_grad_();
        var exactInput = input.to(ScalarType.Float64).requires_grad_();
        var exactWeight = weight.to(ScalarType.Float64).requires_grad_();
        var actual = operation(x, w);
        var exact = float64Operation(exactInput, exactWeight);
        actual.Squared().sum().backward();
        exact.Squared().sum().backward();
        static double Relative(Tensor actual, Tensor expected) => (actual.to(ScalarType.Float64) - expected).norm().ToDouble() / expected.norm().ToDouble();
        var error = Math.Max(Relative(actual.detach(), exact.detach()), Math.Max(Relative(x.grad!, exactInput.grad!), Relative(w.grad!, exactWeight.grad!)));
        return double.IsFinite(error) ? error : double.PositiveInfinity;
    }

    private static Tensor ChannelsLast(Tensor tensor) => tensor.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    private static double Error(Func<Tensor, Tensor, Tensor> operation, Tensor input, Tensor weight, bool channelsLast)
    {
        Tensor Layout(Tensor t) => channelsLast ? ChannelsLast(t) : t;
        var exact = operation(input, weight);
        var bf16 = operation(Layout(input.to(ScalarType.BFloat16)), Layout(weight.to(ScalarType.BFloat16))).to(ScalarType.Float32);
        var error = (bf16 - exact).norm().ToDouble() / exact.norm().ToDouble();
        return double.IsFinite(error) ? error : double.PositiveInfinity;
    }

    // One measurement; the variable sets the bf16 answer only (the fp32 padding stays measured, layer by layer).
    private static ThinConvolutionCheck FromEnvironmentOrMeasure()
    {
        var measured = Measure();
        return Environment.GetEnvironmentVariable(Variable) switch
        {
            "1" => measured with { ConvolutionError = 0, TransposedError = 0, Forced = true },
            "0" => measured with { ConvolutionError = double.PositiveInfinity, TransposedError = double.PositiveInfinity, Forced = true },
            _ => measured,
        };
    }
}
