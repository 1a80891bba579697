using OGan.Data;
using OGan.Evaluation;
using OGan.Inference;

namespace OGan.Cli.Evaluation;

/// <summary>
/// ogan eval's ImageNet metrics on photos: the ResNet-18 is loaded once, and the features of the real photos
/// once per data set, however many checkpoints are measured against them.
/// </summary>
internal sealed class PhotoEvaluation(bool enabled, ulong seed, Action<string> log) : IDisposable
{
    private readonly Dictionary<string, PhotoReference> references = [];
    private readonly Dictionary<string, IdentityScore> baselines = [];
    private ImageNetFeatures? network;

    /// <summary>Whether --imagenet-metrics is on.</summary>
    public bool Enabled => enabled;

    /// <summary>FID and KID of <paramref name="model"/>'s samples and reconstructions against <paramref name="heldOut"/> (floor: <paramref name="training"/>).</summary>
    public PhotoQuality Measure(OGanModel model, ImageSet heldOut, ImageSet? training, int count, double scale)
    {
        network ??= ImageNetFeatures.Load(device: model.Device);
        var key = $"{heldOut.Name}\n{training?.Name}\n{count}";
        if (!references.TryGetValue(key, out var reference))
        {
            log($"ImageNet ResNet-18 features of {Math.Min(count, heldOut.Count)} held-out photos{(training is null ? "" : " and as many training photos")} (once)");
            reference = PhotoMetrics.Reference(network.Features, heldOut, training, count, seed, log);
            references[key] = reference;
        }

        return PhotoMetrics.Measure(model, network.Features, reference, heldOut, scale, seed, log);
    }

    /// <summary>The identity of a PCA with <paramref name="model"/>'s code size on the same photos (once per data set and size); null without training photos.</summary>
    public IdentityScore? PcaIdentity(OGanModel model, ImageSet heldOut, ImageSet? training, int count)
    {
        var key = $"{heldOut.Name}\n{training?.Name}\n{count}";
        if (training is null || network is null || !references.TryGetValue(key, out var reference))
        {
            return null;
        }

        var components = model.Config.LatentDim;
        var trainingCount = Math.Max(2 * components, Math.Min(training.Count, 2000));
        if (!baselines.TryGetValue($"{key}\n{components}", out var score))
        {
            score = PhotoMetrics.PcaIdentity(network.Features, reference, heldOut, training, components, trainingCount, seed, log);
            baselines[$"{key}\n{components}"] = score;
        }

        return score;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var reference in references.Values)
        {
            reference.Dispose();
        }

        network?.Dispose();
    }
}
