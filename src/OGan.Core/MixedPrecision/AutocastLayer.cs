using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OGan.MixedPrecision;

/// <summary>
/// A convolution or linear layer with fp32 parameters "weight" and "bias" whose arithmetic follows its
/// <see cref="Policy"/>. The casts are part of the autograd graph, so gradients reach the parameters as fp32,
/// and nothing cast is kept from one call to the next: the optimizer's update is always what the next call sees.
/// </summary>
public abstract class AutocastLayer : Module<Tensor, Tensor>
{
    // Named as the state dict's keys: Module.to replaces parameters by field name.
    private Parameter weight;
    private Parameter bias;
    private bool? fp32NeedsPadding;
    private bool? bf16IsRightChannelsLast; // Bf16IsRightIn, asked on every call of a thin layer: answered once per layout
    private bool? bf16IsRightNchw;

    /// <summary>Parameters of <paramref name="weightShape"/> and (<paramref name="outputs"/>), drawn as PyTorch's defaults: U(±1/√fan_in).</summary>
    /// <param name="name">The module's name.</param>
    /// <param name="weightShape">The weight's shape.</param>
    /// <param name="fanIn">Inputs per output, for the initial range.</param>
    /// <param name="outputs">The bias's length.</param>
    /// <param name="channels">A convolution's input and output channel counts; null for a linear layer.</param>
    private protected AutocastLayer(string name, long[] weightShape, long fanIn, long outputs, (long In, long Out)? channels)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(weightShape);
        (InChannels, OutChannels) = channels ?? (0, 0);
        var bound = 1 / Math.Sqrt(fanIn);
        weight = Parameter(empty(weightShape));
        bias = Parameter(empty(outputs));
        weight.DetachFromDisposeScope(); // the layer owns its parameters, whatever scope builds it
        bias.DetachFromDisposeScope();
        using (no_grad())
        {
            weight.uniform_(-bound, bound);
            bias.uniform_(-bound, bound);
        }

        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    /// <summary>A convolution's input channels (0 for a linear layer).</summary>
    public long InChannels { get; }

    /// <summary>A convolution's output channels (0 for a linear layer).</summary>
    public long OutChannels { get; }

    /// <summary>A convolution with fewer than <see cref="AutocastPolicy.MinimumBf16Channels"/> channels on a side (see there).</summary>
    public bool IsThin => InChannels > 0 && Math.Min(InChannels, OutChannels) < AutocastPolicy.MinimumBf16Channels;

    /// <summary>A convolution with fewer than <see cref="AutocastPolicy.MinimumBf16Channels"/> channels on both sides.</summary>
    public bool IsThinOnBothSides => InChannels > 0 && Math.Max(InChannels, OutChannels) < AutocastPolicy.MinimumBf16Channels;

    /// <summary>
    /// Whether this convolution computes padded in fp32 on the CPU (<see cref="Padded"/>), because oneDNN's fp32
    /// kernels may get it wrong here. Only convolutions thin on both sides can be: those with fewer than
    /// <see cref="ThinConvolutionProbe.FewestChannelsMeasured"/> channels on their thin side always are, the others
    /// where their configuration measures wrong (<see cref="Fp32Error"/>). On the AVX-512 EPYCs of these machines the
    /// first were wrong in most calls and right in some, 3 → 8 and 8 → 3 right in every call, and padding made those
    /// three times slower (docs/mixed-precision.md).
    /// </summary>
    public bool Fp32NeedsPadding => fp32NeedsPadding ??= IsThinOnBothSides &&
        (Math.Min(InChannels, OutChannels) < ThinConvolutionProbe.FewestChannelsMeasured || !(Fp32Error < ThinConvolutionProbe.Fp32Tolerance));

    /// <summary>The relative error of this layer's configuration in fp32 against float64 on the CPU, as <see cref="ThinConvolutionProbe.Fp32ErrorOf"/> measures it once per process.</summary>
    public double Fp32Error => ThinConvolutionProbe.Fp32ErrorOf(Configuration, Apply, ApplyInFloat64, ProbeInputShape, weight.shape);

    /// <summary>
    /// Whether this thin convolution computes right in bf16 on the CPU in the given memory layout: its thin side has at
    /// least <see cref="ThinConvolutionProbe.FewestChannelsMeasured"/> channels (fewer, as on grey images, were wrong
    /// on these CPUs in both layouts) and its configuration measures right (<see cref="Bf16Error"/>). Where it does
    /// not, <see cref="AutocastPolicy"/> computes it in fp32.
    /// </summary>
    public bool Bf16IsRightIn(bool channelsLast) => channelsLast
        ? bf16IsRightChannelsLast ??= Bf16IsRight(channelsLast: true)
        : bf16IsRightNchw ??= Bf16IsRight(channelsLast: false);

    /// <summary>The relative error of this layer's configuration in bf16 against float64 on the CPU in the given layout, as <see cref="ThinConvolutionProbe.Bf16ErrorOf"/> measures it once per process.</summary>
    public double Bf16Error(bool channelsLast) => ThinConvolutionProbe.Bf16ErrorOf(Configuration, channelsLast, Apply, ApplyInFloat64, ProbeInputShape, weight.shape);

    private bool Bf16IsRight(bool channelsLast) =>
        Math.Min(InChannels, OutChannels) >= ThinConvolutionProbe.FewestChannelsMeasured && Bf16Error(channelsLast) < ThinConvolutionProbe.Tolerance;

    /// <summary>The operation and its sizes, e.g. "convolution 3 → 8, kernel 5, stride 2, padding 2".</summary>
    public abstract string Configuration { get; }

    /// <summary>What this layer computes in; the network sets it for all its layers.</summary>
    public AutocastPolicy Policy { get; set; } = AutocastPolicy.Fp32;

    /// <summary>The fp32 weight (the master copy the optimizer updates).</summary>
    public Parameter Weight => weight;

    /// <summary>The fp32 bias.</summary>
    public Parameter Bias => bias;

    /// <summary>The layer's operation on the input, weight and bias as the policy casts them.</summary>
    public sealed override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var policy = Policy;
        if (IsThinOnBothSides && input.device_type == DeviceType.CPU && Fp32NeedsPadding)
        {
            return Padded(Cast(input, ScalarType.Float32), weight, bias);
        }

        if (policy == AutocastPolicy.Fp32)
        {
            return Apply(input, weight, bias);
        }

        var type = policy.ComputeTypeOf(this, input);
        return Apply(policy.Layout(Cast(input, type)), policy.Layout(Cast(weight, type)), Cast(bias, type));
    }

    /// <summary>
    /// The operation with both channel counts zero-padded to <see cref="AutocastPolicy.MinimumBf16Channels"/> and
    /// the output cut back: exactly the same result, but through oneDNN's kernels for 16 channels, since on some
    /// CPUs its fp32 kernels get convolutions that are thin on both sides wrong too (docs/mixed-precision.md).
    /// </summary>
    private Tensor Padded(Tensor input, Tensor weight, Tensor bias)
    {
        long padIn = AutocastPolicy.MinimumBf16Channels - InChannels, padOut = AutocastPolicy.MinimumBf16Channels - OutChannels;
        var paddedInput = nn.functional.pad(input, [0, 0, 0, 0, 0, padIn]);
        var paddedWeight = nn.functional.pad(weight, WeightPadding(padIn, padOut));
        var paddedBias = nn.functional.pad(bias, [0, padOut]);
        return Apply(paddedInput, paddedWeight, paddedBias).narrow(1, 0, OutChannels);
    }

    /// <summary>The padding (last dimension first, as functional.pad takes it) that adds <paramref name="padIn"/> input and <paramref name="padOut"/> output channels to the weight.</summary>
    private protected virtual long[] WeightPadding(long padIn, long padOut) => throw new NotSupportedException("a linear layer is never padded");

    private static Tensor Cast(Tensor tensor, ScalarType type) => tensor.dtype == type ? tensor : tensor.to(type);

    /// <summary>The operation itself (functional conv2d, conv_transpose2d or linear).</summary>
    private protected abstract Tensor Apply(Tensor input, Tensor weight, Tensor? bias);

    /// <summary>The operation in float64 without oneDNN, for <see cref="ThinConvolutionProbe"/>.</summary>
    private protected virtual Tensor ApplyInFloat64(Tensor input, Tensor weight) => throw new NotSupportedException("a linear layer is never probed");

    /// <summary>The shape of a probe's input batch for an image of <paramref name="side"/> pixels.</summary>
    private protected virtual long[] ProbeInputShape(long side) => throw new NotSupportedException("a linear layer is never probed");

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            weight.Dispose();
            bias.Dispose();
        }

        base.Dispose(disposing);
    }
}
