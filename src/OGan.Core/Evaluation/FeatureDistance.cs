using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>
/// Distances between two sets of feature vectors: the Fréchet distance (FID's formula) and the kernel
/// distance (KID: unbiased MMD² with the cubic polynomial kernel, averaged over random subsets).
/// </summary>
public static class FeatureDistance
{
    /// <summary>‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa Σb)^½) of (N, D) and (M, D) features, in float64.</summary>
    public static double Frechet(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        using var scope = NewDisposeScope();
        var (meanA, covA) = Moments(a);
        var (meanB, covB) = Moments(b);
        var meanTerm = (meanA - meanB).square().sum();

        // Tr((Σa Σb)^½) = Σ √λ of the symmetric Σa^½ Σb Σa^½, whose eigenvalues are those of Σa Σb.
        var (values, vectors) = linalg.eigh(covA);
        var rootA = vectors.matmul(diag(values.clamp_min(0).sqrt())).matmul(vectors.mT);
        var traceRoot = linalg.eigvalsh(rootA.matmul(covB).matmul(rootA)).clamp_min(0).sqrt().sum();
        return (meanTerm + covA.trace() + covB.trace() - 2 * traceRoot).item<double>();
    }

    /// <summary>
    /// The kernel distance: mean over <paramref name="subsets"/> random subsets of <paramref name="subsetSize"/>
    /// of the unbiased MMD² with k(x, y) = (x·y / d + 1)³.
    /// </summary>
    public static double Kernel(Tensor a, Tensor b, int subsets = 10, int subsetSize = 1000, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(seed);
        var x64 = a.to(ScalarType.Float64, CPU);
        var y64 = b.to(ScalarType.Float64, CPU);
        var m = (int)Math.Min(subsetSize, Math.Min(a.shape[0], b.shape[0]));
        var dim = a.shape[1];
        var total = 0.0;
        for (var s = 0; s < subsets; s++)
        {
            using var inner = NewDisposeScope();
            var x = x64.index_select(0, randperm(a.shape[0], generator: random)[..m]);
            var y = y64.index_select(0, randperm(b.shape[0], generator: random)[..m]);
            Tensor K(Tensor p, Tensor q) => (p.matmul(q.mT) / dim + 1.0).pow(3);
            double OffDiagonalMean(Tensor k) => (k.sum() - k.diagonal().sum()).item<double>() / (m * (m - 1.0));
            total += OffDiagonalMean(K(x, x)) + OffDiagonalMean(K(y, y)) - 2 * K(x, y).mean().item<double>();
        }

        return total / subsets;
    }

    /// <summary>Mean (D) and covariance (D, D) of (N, D) features, in float64 on the CPU.</summary>
    internal static (Tensor Mean, Tensor Covariance) Moments(Tensor features)
    {
        var x = features.to(ScalarType.Float64, CPU);
        var mean = x.mean([0]);
        var centred = x - mean;
        return (mean, centred.mT.matmul(centred) / (x.shape[0] - 1.0));
    }
}
