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
        using var scope = NewDisposeScope();
        var x = a.to(ScalarType.Float64).Plus(1.0).Times(0.5);
        var y = b.to(ScalarType.Float64).Plus(1.0).Times(0.5);
        var channels = x.shape[1];
        var window = GaussianWindow(11, 1.5, channels, x.device);
        Tensor Blur(Tensor t) => nn.functional.conv2d(t, window, groups: channels);
        var (mx, my) = (Blur(x), Blur(y));
        var vx = Blur(x * x) - mx * mx;
        var vy = Blur(y * y) - my * my;
        var cov = Blur(x * y) - mx * my;
        const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
        var map = (mx * my).Times(2.0).Plus(c1) * cov.Times(2.0).Plus(c2) / ((mx * mx).Plus(my * my).Plus(c1) * vx.Plus(vy).Plus(c2));
        return map.mean([1, 2, 3]).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>The normalised 2-D Gaussian, (channels, 1, size, size), for a depthwise convolution.</summary>
    internal static Tensor GaussianWindow(int size, double sigma, long channels, Device device)
    {
        var g = Enumerable.Range(0, size).Select(i => Math.Exp(-Math.Pow(i - (size - 1) / 2.0, 2) / (2 * sigma * sigma))).ToArray();
        var sum = g.Sum();
        var kernel = new double[size * size];
        for (var i = 0; i < size; i++)
        {
            for (var j = 0; j < size; j++)
            {
                kernel[i * size + j] = g[i] * g[j] / (sum * sum);
            }
        }

        using var scope = NewDisposeScope();
        return tensor(kernel, [1, 1, size, size]).to(device).expand(channels, 1, size, size).contiguous().MoveToOuterDisposeScope();
    }
}
