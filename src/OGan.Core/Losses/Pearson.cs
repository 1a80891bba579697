using OGan.Engine;
using static TorchSharp.torch;

namespace OGan.Losses;

/// <summary>
/// Pearson correlation per sample, rho(z, zh) = cos(z - avg z, zh - avg zh): blind to the mean and the
/// scale of zh, which the critic keeps for itself. As the author's code, each centred vector is divided by
/// sqrt(max(|v|², 1e-12)), so a constant vector gives 0, not NaN.
/// </summary>
public static class Pearson
{
    private const double Epsilon = 1e-12;

    /// <summary>(N, D) and (N, D) to (N) correlations in [-1, 1].</summary>
    public static Tensor Correlation(Tensor z, Tensor zh)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(zh);
        return (Normalise(z) * Normalise(zh)).sum(1);
    }

    /// <summary>N(z) = (z - avg z) / std z per row: the code that reconstruction feeds to G.</summary>
    public static Tensor Standardise(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        var centred = z - z.mean([1], keepdim: true);
        var std = centred.Squared().mean([1], keepdim: true).AtLeast(Epsilon).sqrt();
        return centred / std;
    }

    private static Tensor Normalise(Tensor v)
    {
        var centred = v - v.mean([1], keepdim: true);
        return centred * centred.Squared().sum(1, keepdim: true).AtLeast(Epsilon).rsqrt();
    }
}
