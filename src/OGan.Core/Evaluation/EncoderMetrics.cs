using OGan.Data;
using OGan.Inference;
using OGan.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>How well E inverts G, and how well G(N(E(x))) reconstructs real images; networks in eval mode.</summary>
public static class EncoderMetrics
{
    /// <summary>Mean rho(z, E(G(z))) over <paramref name="count"/> fresh latents drawn from <paramref name="seed"/>.</summary>
    public static double LatentCorrelation(OGanModel model, int count = 10_000, ulong seed = 123, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        using var random = new torch.Generator(seed);
        var sum = 0.0;
        for (var start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var z = randn([Math.Min(batchSize, count - start), model.Config.LatentDim], generator: random).to(model.Device);
            sum += Pearson.Correlation(z, model.EncodeRaw(model.Sample(z))).sum().item<float>();
        }

        return sum / count;
    }

    /// <summary>
    /// Reconstruction quality of G(<paramref name="scale"/> · N(E(x))) over the first <paramref name="count"/> images:
    /// mean per-image MSE ([-1, 1] units), PSNR and SSIM ([0, 1] scale).
    /// </summary>
    public static ReconstructionQuality Reconstruction(OGanModel model, ImageSet images, int count = int.MaxValue, double scale = 1.0, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        double mse = 0, psnr = 0, ssim = 0;
        var seen = 0;
        foreach (var batch in images.Batches(count, batchSize, model.Device))
        {
            using (batch)
            using (NewDisposeScope())
            {
                var reconstruction = model.Reconstruct(batch, scale);
                mse += ImageSimilarity.Mse(reconstruction, batch).sum().item<float>();
                psnr += ImageSimilarity.Psnr(reconstruction, batch).sum().item<float>();
                ssim += ImageSimilarity.Ssim(reconstruction, batch).sum().item<float>();
                seen += (int)batch.shape[0];
            }
        }

        return new ReconstructionQuality(seen, mse / seen, psnr / seen, ssim / seen);
    }
}

/// <summary>Mean reconstruction quality over <paramref name="Count"/> images.</summary>
public sealed record ReconstructionQuality(int Count, double Mse, double Psnr, double Ssim);
