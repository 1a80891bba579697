using TorchSharp;
using static TorchSharp.torch;

namespace OGan.MixedPrecision;

/// <summary>
/// What the layers of one network compute in, after PyTorch's autocast: convolutions, transposed convolutions
/// and linear layers cast their input, weight and bias to <see cref="ComputeType"/>; everything else (BatchNorm
/// with its fp32 parameters and statistics, activations) takes the activations as they come, and the networks
/// hand fp32 to whatever follows them (G's tanh, the critic, the losses).
/// </summary>
public sealed record AutocastPolicy
{
    /// <summary>Plain fp32, NCHW: no cast anywhere.</summary>
    public static AutocastPolicy Fp32 { get; } = new() { ComputeType = ScalarType.Float32 };

    /// <summary>bf16 convolutions and linear layers.</summary>
    public static AutocastPolicy Bf16 { get; } = new() { ComputeType = ScalarType.BFloat16 };

    /// <summary>The dtype of convolutions and linear layers: Float32 or BFloat16.</summary>
    public ScalarType ComputeType { get; init; } = ScalarType.Float32;

    /// <summary>Whether images and feature maps are laid out NHWC (channels last) in memory; the shapes stay NCHW.</summary>
    public bool ChannelsLast { get; init; }

    /// <summary>The precision this policy implements.</summary>
    public Precision Precision => ComputeType == ScalarType.BFloat16 ? Precision.Bf16 : Precision.Fp32;

    /// <summary>The policy of <paramref name="precision"/> (fp32 or bf16; resolve auto with <see cref="PrecisionChoice"/> first).</summary>
    /// <exception cref="ArgumentException"><paramref name="precision"/> is auto.</exception>
    public static AutocastPolicy For(Precision precision, bool channelsLast = false) => precision switch
    {
        Precision.Fp32 => Fp32 with { ChannelsLast = channelsLast },
        Precision.Bf16 => Bf16 with { ChannelsLast = channelsLast },
        _ => throw new ArgumentException("precision auto depends on the device: resolve it with PrecisionChoice.Resolve first", nameof(precision)),
    };

    /// <summary>Sets this policy on every <see cref="AutocastLayer"/> of <paramref name="network"/>; returns the policy.</summary>
    internal AutocastPolicy ApplyTo(nn.Module network)
    {
        foreach (var layer in network.modules().OfType<AutocastLayer>())
        {
            layer.Policy = this;
        }

        return this;
    }

    /// <summary>
    /// Convolutions with fewer channels than this on either side are thin: on the CPUs where oneDNN's bf16 kernels
    /// get them wrong (off by 7-87%, relative L2, where bf16 should be off by 0.3%: pytorch/pytorch#163347;
    /// docs/mixed-precision.md) they compute in fp32, as <see cref="ThinConvolutionProbe"/> measures once per
    /// process. These are the first and last layers (the image's 1 or 3 channels), a small share of the work. Thin
    /// on both sides, even fp32 goes wrong on some CPUs, so such layers are zero-padded to this many channels
    /// (exact, and only at tiny widths).
    /// </summary>
    public const int MinimumBf16Channels = 16;

    /// <summary>
    /// The dtype <paramref name="layer"/> computes in on <paramref name="input"/>: <see cref="ComputeType"/>, but fp32
    /// for a thin convolution on the CPU unless bf16 computes it right there: as the layer's own configuration
    /// measures in this policy's layout (<see cref="AutocastLayer.Bf16IsRightIn"/>), or as a test or OGAN_THIN_BF16
    /// sets for all of them (<see cref="ThinConvolutionProbe"/>).
    /// </summary>
    public ScalarType ComputeTypeOf(AutocastLayer layer, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(input);
        if (ComputeType == ScalarType.Float32 || input.device_type != DeviceType.CPU || !layer.IsThin)
        {
            return ComputeType;
        }

        return ThinInBf16(layer) ? ComputeType : ScalarType.Float32;
    }

    /// <summary>What <paramref name="network"/>'s thin convolutions compute in on the CPU under this policy, with the error measured: for logs.</summary>
    public string DescribeThinLayers(nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var thin = network.modules().OfType<AutocastLayer>().Where(l => l.IsThin).Select(layer =>
        {
            var bf16 = ComputeType == ScalarType.BFloat16 && ThinInBf16(layer);
            var measured = ThinConvolutionProbe.Bf16IsRightForAll is null ? $", bf16 error {layer.Bf16Error(ChannelsLast):G2}" : "";
            return $"{layer.Configuration} in {(bf16 ? "bf16" : "fp32")}{measured}";
        });
        return string.Join("; ", thin.DefaultIfEmpty("none"));
    }

    // Whether a thin layer may compute in bf16 on the CPU: as a test or OGAN_THIN_BF16 sets for all, else as it measures itself.
    private bool ThinInBf16(AutocastLayer layer) => ThinConvolutionProbe.Bf16IsRightForAll ?? layer.Bf16IsRightIn(ChannelsLast);

    /// <summary>A 4-d tensor in the policy's memory format (itself when it already is).</summary>
    internal Tensor Layout(Tensor tensor)
    {
        if (!ChannelsLast || tensor.dim() != 4 || tensor.permute(0, 2, 3, 1).is_contiguous())
        {
            return tensor;
        }

        return tensor.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }

    /// <summary>A network's result as fp32, for the fp32 operations after it.</summary>
    internal static Tensor Output(Tensor tensor) => tensor.dtype == ScalarType.Float32 ? tensor : tensor.to(ScalarType.Float32);
}
