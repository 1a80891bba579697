using OGan.Evaluation;

namespace OGan.Core.Tests.Evaluation;

public sealed class ImageSimilarityTests
{
    [Fact]
    public void Identical_images_give_zero_error_capped_PSNR_and_SSIM_one()
    {
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(1);
        var x = rand([3, 3, 16, 16], generator: random) * 2.0 - 1.0;
        Assert.All(ImageSimilarity.Mse(x, x).data<float>().ToArray(), v => Assert.Equal(0, v));
        Assert.All(ImageSimilarity.Psnr(x, x).data<float>().ToArray(), v => Assert.Equal(ImageSimilarity.PsnrCap, v, 3));
        Assert.All(ImageSimilarity.Ssim(x, x).data<float>().ToArray(), v => Assert.Equal(1, v, 5));
    }

    [Fact]
    public void A_constant_shift_gives_the_textbook_PSNR()
    {
        using var scope = NewDisposeScope();
        var x = zeros([1, 1, 16, 16]);
        var shifted = x + 0.2; // 0.1 on the [0, 1] scale
        Assert.Equal(0.04, ImageSimilarity.Mse(shifted, x).ToDouble(), 6);
        Assert.Equal(20.0, ImageSimilarity.Psnr(shifted, x).ToDouble(), 3);
    }

    [Fact]
    public void SSIM_matches_a_plain_implementation_of_the_paper()
    {
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(2);
        var a = rand([1, 1, 14, 14], generator: random) * 2.0 - 1.0;
        var b = (a * 0.7 + rand([1, 1, 14, 14], generator: random) * 0.3).clamp(-1, 1);
        Assert.Equal(PlainSsim(a.data<float>().ToArray(), b.data<float>().ToArray(), 14), ImageSimilarity.Ssim(a, b).ToDouble(), 5);
    }

    [Fact]
    public void SSIM_of_a_large_batch_is_that_of_each_image_alone()
    {
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(3);
        var a = rand([70, 3, 16, 16], generator: random) * 2.0 - 1.0;
        var b = (a * 0.8 + rand([70, 3, 16, 16], generator: random) * 0.2).clamp(-1, 1);
        var batch = ImageSimilarity.Ssim(a, b);
        Assert.Equal([70L], batch.shape);
        foreach (var i in new[] { 0, 63, 64, 69 })
        {
            Assert.Equal(ImageSimilarity.Ssim(a[i..(i + 1)], b[i..(i + 1)]).ToDouble(), batch[i].ToDouble(), 6);
        }
    }

    private static double PlainSsim(float[] a, float[] b, int n)
    {
        const int size = 11;
        var g = Enumerable.Range(0, size).Select(i => Math.Exp(-Math.Pow(i - 5, 2) / (2 * 1.5 * 1.5))).ToArray();
        var w = g.SelectMany(gi => g.Select(gj => gi * gj)).ToArray();
        var total = w.Sum();
        const double c1 = 1e-4, c2 = 9e-4;
        double sum = 0;
        var count = 0;
        for (var top = 0; top + size <= n; top++)
        {
            for (var left = 0; left + size <= n; left++)
            {
                double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
                for (var i = 0; i < size; i++)
                {
                    for (var j = 0; j < size; j++)
                    {
                        var weight = w[i * size + j] / total;
                        var x = (a[(top + i) * n + left + j] + 1) / 2.0;
                        var y = (b[(top + i) * n + left + j] + 1) / 2.0;
                        mx += weight * x;
                        my += weight * y;
                        xx += weight * x * x;
                        yy += weight * y * y;
                        xy += weight * x * y;
                    }
                }

                var (vx, vy, cov) = (xx - mx * mx, yy - my * my, xy - mx * my);
                sum += (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                count++;
            }
        }

        return sum / count;
    }
}
