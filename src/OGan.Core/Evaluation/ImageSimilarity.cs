using OGan.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>
/// Per-image similarity of two batches of images in [-1, 1]: MSE (in [-1, 1] units, as the training loss
/// sees them), PSNR and SSIM (both on the [0, 1] scale, as image-quality papers report them).
/// </summary>
public static class ImageSimilarity
{
    /// <summary>PSNR reported for identical images (whose true PSNR is infinite).</summary>
    public const double PsnrCap = 100;

    /// <summary>Per-image mean squared error, (N).</summary>
    public static Tensor Mse(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return (a - b).Squared().mean([1, 2, 3]);
    }

    /// <summary>Per-image PSNR in dB on the [0, 1] scale, capped at <see cref="PsnrCap"/>, (N).</summary>
    public static Tensor Psnr(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var mse01 = Mse(a, b).Times(1 / 4.0); // [-1, 1] -> [0, 1] halves the differences
        var psnr = mse01.AtLeast(Math.Pow(10, -PsnrCap / 10)).log().Times(-10 / Math.Log(10));
        return psnr.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per-image SSIM (Wang et al. 2004): an 11x11 Gaussian window of σ 1.5 over the valid region, K1 0.01,
    /// K2 0.03, data range 1, averaged over pixels and channels, (N).
    /// </summary>
    public static Tensor Ssim(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.shape[0] > SsimChunk)
        {
            // Per image, so chunks give the same values; a whole batch in float64 would hold a dozen copies of it.
            using var chunks = NewDisposeScope();
            Tensor Chunk(Tensor t, long start) => t.narrow(0, start, Math.Min(SsimChunk, t.shape[0] - start));
            var parts = new List<Tensor>();
            for (long start = 0; start < a.shape[0]; start += SsimChunk)
            {
                parts.Add(Ssim(Chunk(a, start), Chunk(b, start)));
            }

            return cat(parts).MoveToOuterDisposeScope();
        }

        using var scope = NewDisposeScope();
        var x = a.to(ScalarType.Float64).contiguous().Plus(1.0).Times(0.5);
        var y = b.to(ScalarType.Float64).contiguous().Plus(1.0).Times(0.5);
        // The window is separable: a product with a band matrix down the columns, then one along the rows. In
        // float64 (the variances below are differences of near-equal sums) a depthwise convolution takes libtorch's
        // slow path, 40 s for 500 images at 128 px, and asks NNPACK, which prints a warning on CPUs it does not support.
        var down = GaussianBand(x.shape[2], 11, 1.5, x.device).t();
        var across = GaussianBand(x.shape[3], 11, 1.5, x.device);
        Tensor Blur(Tensor t) => down.matmul(t).matmul(across);
        var (mx, my) = (Blur(x), Blur(y));
        var vx = Blur(x * x) - mx * mx;
        var vy = Blur(y * y) - my * my;
        var cov = Blur(x * y) - mx * my;
        const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
        var map = (mx * my).Times(2.0).Plus(c1) * cov.Times(2.0).Plus(c2) / ((mx * mx).Plus(my * my).Plus(c1) * vx.Plus(vy).Plus(c2));
        return map.mean([1, 2, 3]).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    private const int SsimChunk = 64;

    /// <summary>
    /// The normalised 1-D Gaussian of <paramref name="size"/> taps as a (length, length - size + 1) float64 band
    /// matrix: a row vector times it is the vector's valid-region blur.
    /// </summary>
    internal static Tensor GaussianBand(long length, int size, double sigma, Device device)
    {
        var g = Enumerable.Range(0, size).Select(i => Math.Exp(-Math.Pow(i - (size - 1) / 2.0, 2) / (2 * sigma * sigma))).ToArray();
        var sum = g.Sum();
        var outputs = length - size + 1;
        var band = new double[length * outputs];
        for (var j = 0; j < outputs; j++)
        {
            for (var k = 0; k < size; k++)
            {
                band[(j + k) * outputs + j] = g[k] / sum;
            }
        }

        return tensor(band, [length, outputs], device: device);
    }
}
