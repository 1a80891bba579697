using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace OGan.MixedPrecision;

/// <summary>A square 2-d transposed convolution, as TorchSharp's ConvTranspose2d, computing in its policy's type. State: weight (in, out, k, k), bias (out).</summary>
public sealed class AutocastConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long outputPadding = 0)
    // PyTorch draws a transposed convolution's defaults from fan_in = weight.size(1) · k · k, the output channels.
    : AutocastLayer(nameof(AutocastConvTranspose2d), [inChannels, outChannels, kernelSize, kernelSize], outChannels * kernelSize * kernelSize, outChannels, (inChannels, outChannels))
{
    private readonly long[] strides = [stride, stride];
    private readonly long[] paddings = [padding, padding];
    private readonly long[] outputPaddings = [outputPadding, outputPadding];

    /// <inheritdoc/>
    public override string Configuration => $"transposed convolution {InChannels} → {OutChannels}, kernel {kernelSize}, stride {stride}, padding {padding}, output padding {outputPadding}";

    /// <inheritdoc/>
    private protected override long[] WeightPadding(long padIn, long padOut) => [0, 0, 0, 0, 0, padOut, 0, padIn]; // (in, out, k, k)

    /// <inheritdoc/>
    private protected override Tensor Apply(Tensor input, Tensor weight, Tensor? bias) => F.conv_transpose2d(input, weight, bias, strides, paddings, outputPaddings);

    /// <inheritdoc/>
    private protected override Tensor ApplyInFloat64(Tensor input, Tensor weight) => Apply(input, weight, null);

    /// <inheritdoc/>
    private protected override long[] ProbeInputShape(long side) => [8, InChannels, side / stride, side / stride];
}
