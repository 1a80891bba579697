using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace OGan.MixedPrecision;

/// <summary>y = x Wᵀ + b, as TorchSharp's Linear, computing in its policy's type. State: weight (out, in), bias (out).</summary>
public sealed class AutocastLinear(long inFeatures, long outFeatures)
    : AutocastLayer(nameof(AutocastLinear), [outFeatures, inFeatures], inFeatures, outFeatures, channels: null)
{
    /// <inheritdoc/>
    public override string Configuration => $"linear {Weight.shape[1]} → {Weight.shape[0]}";

    /// <inheritdoc/>
    private protected override Tensor Apply(Tensor input, Tensor weight, Tensor? bias) => F.linear(input, weight, bias);
}
