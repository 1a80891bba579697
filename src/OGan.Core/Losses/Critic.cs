using static TorchSharp.torch;

namespace OGan.Losses;

/// <summary>The O-GAN critic: D(x) = avg(E(x)), the mean of the code's entries. Low means real.</summary>
public static class Critic
{
    /// <summary>(N, ZDim) codes to (N) scores.</summary>
    public static Tensor Score(Tensor code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return code.mean([1]);
    }
}
