using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace OGan.MixedPrecision;

/// <summary>A square 2-d convolution, as TorchSharp's Conv2d, computing in its policy's type. State: weight (out, in, k, k), bias (out).</summary>
public sealed class AutocastConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0)
    : AutocastLayer(nameof(AutocastConv2d), [outChannels, inChannels, kernelSize, kernelSize], inChannels * kernelSize * kernelSize, outChannels, (inChannels, outChannels))
{
    private readonly long[] strides = [stride, stride];
    private readonly long[] paddings = [padding, padding];

    /// <inheritdoc/>
    public override string Configuration => $"convolution {InChannels} → {OutChannels}, kernel {kernelSize}, stride {stride}, padding {padding}";

    /// <inheritdoc/>
    private protected override long[] WeightPadding(long padIn, long padOut) => [0, 0, 0, 0, 0, padIn, 0, padOut]; // (out, in, k, k)

    /// <inheritdoc/>
    private protected override Tensor Apply(Tensor input, Tensor weight, Tensor? bias) => F.conv2d(input, weight, bias, strides, paddings);

    // A matrix product of unfolded patches: libtorch's float64 conv2d asks NNPACK first, which prints a warning on
    // every CPU NNPACK does not support.
    private protected override Tensor ApplyInFloat64(Tensor input, Tensor weight)
    {
        var side = ((input.shape[2] + (2 * padding) - kernelSize) / stride) + 1;
        var patches = F.unfold(input, kernelSize, padding: padding, stride: stride);
        return weight.flatten(1).matmul(patches).view(input.shape[0], weight.shape[0], side, side);
    }

    /// <inheritdoc/>
    private protected override long[] ProbeInputShape(long side) => [8, InChannels, side, side];
}
