using OGan.Data;
using OGan.Inference;
using OGan.Losses;
using OGan.Tensors;

namespace OGan.Evaluation;

/// <summary>How well E inverts G, and how well G(N(E(x))) reconstructs real images; networks in eval mode.</summary>
public static class EncoderMetrics
{
    /// <summary>Mean rho(z, E(G(z))) over <paramref name="count"/> fresh latents drawn from <paramref name="seed"/>.</summary>
    public static double LatentCorrelation(OGanModel model, int count = 10_000, ulong seed = 123, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        using var random = new RandomGenerator(seed);
        var sum = 0.0;
        for (var start = 0; start < count; start += batchSize)
        {
            using var scope = DisposeScope.Enter();
            var z = Torch.Randn([Math.Min(batchSize, count - start), model.Config.LatentDim], random, device: model.Device);
            sum += Pearson.Correlation(z, model.EncodeRaw(model.Sample(z))).Sum().Item();
        }

        return sum / count;
    }

    /// <summary>Per-pixel mean squared error of G(N(E(x))) against x, in [-1, 1] units, over the first <paramref name="count"/> images.</summary>
    public static double ReconstructionError(OGanModel model, ImageSet images, int count = int.MaxValue, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        var sum = 0.0;
        var seen = 0;
        foreach (var batch in images.Batches(count, batchSize, model.Device))
        {
            using (batch)
            using (DisposeScope.Enter())
            {
                sum += (model.Reconstruct(batch) - batch).Square().Mean([1, 2, 3]).Sum().Item();
                seen += (int)batch.Size(0);
            }
        }

        return sum / seen;
    }
}
