using OGan.Data;
using OGan.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>Features of real photos that every checkpoint is compared with: held-out photos and as many training photos.</summary>
/// <param name="HeldOut">Features of the first held-out photos, (N, D).</param>
/// <param name="Training">Features of N training photos drawn by seed (for the floor), or null without training photos.</param>
public sealed record PhotoReference(Tensor HeldOut, Tensor? Training) : IDisposable
{
    /// <summary>The number of held-out photos.</summary>
    public int Count => (int)HeldOut.shape[0];

    /// <inheritdoc/>
    public void Dispose()
    {
        HeldOut.Dispose();
        Training?.Dispose();
    }
}

/// <summary>
/// FID and KID in a feature space (e.g. ImageNet ResNet-18 features) of a model's samples and of its
/// reconstructions of held-out photos, both against the held-out photos; the floor is training photos
/// against the same held-out photos.
/// </summary>
/// <param name="Count">Photos, samples and reconstructions each.</param>
/// <param name="SampleFid">FID of G(z) for seeded z.</param>
/// <param name="SampleKid">KID of the same.</param>
/// <param name="ReconstructionFid">FID of G(N(E(x))) of the held-out photos.</param>
/// <param name="ReconstructionKid">KID of the same.</param>
/// <param name="FloorFid">FID of training photos, or NaN without them.</param>
/// <param name="FloorKid">KID of training photos, or NaN without them.</param>
public sealed record PhotoQuality(int Count, double SampleFid, double SampleKid, double ReconstructionFid, double ReconstructionKid, double FloorFid, double FloorKid)
{
    /// <summary>How often a reconstruction's nearest held-out photo (same features) is its own (<see cref="IdentityRetrieval"/>).</summary>
    public IdentityScore? Identity { get; init; }
}

/// <summary>Distances of a model's samples and reconstructions from real photos, through any feature function.</summary>
public static class PhotoMetrics
{
    private const int BatchSize = 100;

    /// <summary>
    /// Features of the first <paramref name="count"/> held-out photos and of as many training photos drawn by
    /// <paramref name="seed"/>. <paramref name="progress"/> hears a line per set.
    /// </summary>
    public static PhotoReference Reference(Func<Tensor, Tensor> features, ImageSet heldOut, ImageSet? training, int count, ulong seed = 321, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(heldOut);
        count = Math.Min(count, training is null ? heldOut.Count : Math.Min(heldOut.Count, training.Count));
        var held = Map(features, heldOut.Batches(count, BatchSize, CPU), count, "held-out photos", progress);
        var train = training is null ? null : Map(features, training.Sample(count, BatchSize, seed, CPU), count, "training photos (for the floor)", progress);
        return new PhotoReference(held, train);
    }

    /// <summary>Measures <paramref name="model"/> against <paramref name="reference"/>: as many samples, and reconstructions of the same held-out photos.</summary>
    public static PhotoQuality Measure(OGanModel model, Func<Tensor, Tensor> features, PhotoReference reference, ImageSet heldOut, double scale = 1.0, ulong seed = 321, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(heldOut);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var count = reference.Count;
        var samples = Map(features, Samples(model, count, seed), count, "samples", progress);
        var reconstructions = Map(features, heldOut.Batches(count, BatchSize, model.Device).Select(b => Reconstruct(model, b, scale)), count, "reconstructions", progress);
        var (floorFid, floorKid) = reference.Training is { } training
            ? (FeatureDistance.Frechet(training, reference.HeldOut), FeatureDistance.Kernel(training, reference.HeldOut))
            : (double.NaN, double.NaN);
        return new PhotoQuality(
            count,
            FeatureDistance.Frechet(samples, reference.HeldOut),
            FeatureDistance.Kernel(samples, reference.HeldOut),
            FeatureDistance.Frechet(reconstructions, reference.HeldOut),
            FeatureDistance.Kernel(reconstructions, reference.HeldOut),
            floorFid,
            floorKid)
        {
            Identity = IdentityRetrieval.Score(reconstructions, reference.HeldOut),
        };
    }

    /// <summary>
    /// The identity a linear autoencoder of <paramref name="components"/> codes reaches on the same held-out photos:
    /// a PCA fitted on <paramref name="trainingCount"/> training photos drawn by <paramref name="seed"/>, its
    /// reconstructions scored as a model's are (<see cref="IdentityRetrieval"/>).
    /// </summary>
    public static IdentityScore PcaIdentity(Func<Tensor, Tensor> features, PhotoReference reference, ImageSet heldOut, ImageSet training, int components, int trainingCount, ulong seed = 321, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(training);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var count = reference.Count;
        var fitted = cat(training.Sample(Math.Min(trainingCount, training.Count), BatchSize, seed + 1, CPU).ToList());
        progress?.Invoke($"identity baseline: a PCA of {components} components on {fitted.shape[0]} training photos");
        var reconstructions = IdentityRetrieval.PcaReconstructions(fitted, heldOut.First(count, CPU), components);
        var batches = Enumerable.Range(0, (count + BatchSize - 1) / BatchSize).Select(i => reconstructions.narrow(0, i * BatchSize, Math.Min(BatchSize, count - (i * BatchSize))));
        return IdentityRetrieval.Score(Map(features, batches, count, "PCA reconstructions", progress), reference.HeldOut);
    }

    private static IEnumerable<Tensor> Samples(OGanModel model, int count, ulong seed)
    {
        using var random = new torch.Generator(seed);
        for (var start = 0; start < count; start += BatchSize)
        {
            using var z = randn([Math.Min(BatchSize, count - start), model.Config.LatentDim], generator: random);
            yield return model.Sample(z);
        }
    }

    private static Tensor Reconstruct(OGanModel model, Tensor batch, double scale)
    {
        using (batch)
        {
            return model.Reconstruct(batch, scale);
        }
    }

    /// <summary>Features of each batch (disposed after use), concatenated on the CPU, with a progress line every 500 images.</summary>
    private static Tensor Map(Func<Tensor, Tensor> features, IEnumerable<Tensor> batches, int count, string what, Action<string>? progress)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        var done = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            using (batch)
            using (var inner = NewDisposeScope())
            {
                parts.Add(features(batch).cpu().MoveToOuterDisposeScope());
            }

            var before = done;
            done += (int)parts[^1].shape[0];
            if (done == count || done / 500 != before / 500)
            {
                progress?.Invoke($"features of {what}: {done}/{count} ({done / clock.Elapsed.TotalSeconds:F0} images/s)");
            }
        }

        return cat(parts).MoveToOuterDisposeScope();
    }
}
