using OGan.Tensors;

namespace OGan.Evaluation;

/// <summary>
/// Distances between two sets of feature vectors: the Fréchet distance (FID's formula) and the kernel
/// distance (KID: unbiased MMD² with the cubic polynomial kernel, averaged over random subsets).
/// </summary>
public static class FeatureDistance
{
    /// <summary>‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa Σb)^½) of (N, D) and (M, D) features.</summary>
    public static double Frechet(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (meanA, covA) = Moments(a);
        var (meanB, covB) = Moments(b);
        var d = meanA.Length;
        var meanTerm = meanA.Zip(meanB).Sum(p => (p.First - p.Second) * (p.First - p.Second));

        // Tr((Σa Σb)^½) = Σ √λ of the symmetric Σa^½ Σb Σa^½, whose eigenvalues are those of Σa Σb.
        var rootA = SymmetricMatrix.Apply(covA, Math.Sqrt);
        var product = SymmetricMatrix.Multiply(SymmetricMatrix.Multiply(rootA, covB), rootA);
        var traceRoot = SymmetricMatrix.Eigenvalues(product).Sum(l => Math.Sqrt(Math.Max(l, 0)));
        var trace = 0.0;
        for (var i = 0; i < d; i++)
        {
            trace += covA[i, i] + covB[i, i];
        }

        return meanTerm + trace - 2 * traceRoot;
    }

    /// <summary>KID: the mean over <paramref name="subsets"/> random subsets of <paramref name="subsetSize"/> of the unbiased MMD², kernel (x·y / D + 1)³.</summary>
    public static double Kernel(Tensor a, Tensor b, int subsets = 10, int subsetSize = 1000, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        using var scope = DisposeScope.Enter();
        using var random = new RandomGenerator(seed);
        var x64 = a.To(DType.Float64);
        var y64 = b.To(DType.Float64);
        var m = (int)Math.Min(subsetSize, Math.Min(a.Size(0), b.Size(0)));
        var dim = a.Size(1);
        var total = 0.0;
        for (var s = 0; s < subsets; s++)
        {
            using var inner = DisposeScope.Enter();
            var x = x64.IndexSelect(0, Torch.Randperm(a.Size(0), random).Slice(0, 0, m));
            var y = y64.IndexSelect(0, Torch.Randperm(b.Size(0), random).Slice(0, 0, m));
            Tensor K(Tensor p, Tensor q) => (p.Matmul(q.Transpose(0, 1)) / dim + 1.0).Pow(3);
            var (kxx, kyy, kxy) = (K(x, x), K(y, y), K(x, y));
            double OffDiagonalMean(Tensor k, Tensor p) => (k.Sum().Item() - ((p * p).Sum([1]) / dim + 1.0).Pow(3).Sum().Item()) / (m * (m - 1.0));
            total += OffDiagonalMean(kxx, x) + OffDiagonalMean(kyy, y) - 2 * kxy.Mean().Item();
        }

        return total / subsets;
    }

    /// <summary>Mean and (unbiased) covariance of (N, D) rows, in double precision.</summary>
    internal static (double[] Mean, double[,] Covariance) Moments(Tensor features)
    {
        using var scope = DisposeScope.Enter();
        var x = features.To(DType.Float64, Device.Cpu);
        var n = x.Size(0);
        var d = (int)x.Size(1);
        var mean = x.Mean([0], keepDim: true);
        var centred = x - mean;
        var covariance = centred.Transpose(0, 1).Matmul(centred) / (n - 1.0);
        var flat = covariance.ToArray<double>();
        var matrix = new double[d, d];
        Buffer.BlockCopy(flat, 0, matrix, 0, flat.Length * sizeof(double));
        return (mean.ToArray<double>(), matrix);
    }
}
