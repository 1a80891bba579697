using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>How often a reconstruction's nearest photo, among all the photos reconstructed, is its own.</summary>
/// <param name="Count">The photos (and reconstructions).</param>
/// <param name="Top1">The share whose nearest photo is their own.</param>
/// <param name="Top10">The share whose own photo is among the 10 nearest.</param>
public sealed record IdentityScore(int Count, double Top1, double Top10)
{
    /// <summary>Top-1 by chance: 1 / N.</summary>
    public double ChanceTop1 => 1.0 / Count;

    /// <summary>Top-10 by chance: 10 / N.</summary>
    public double ChanceTop10 => Math.Min(10, Count) / (double)Count;
}

/// <summary>
/// Identity: whether a reconstruction is recognisably its own photo. Each reconstruction's features are compared
/// (cosine, after centring both sets on the photos' mean feature) with every photo's; the score is how often its
/// own photo is the nearest (top-1) or among the 10 nearest (top-10). The baseline a reader needs beside it is a
/// linear autoencoder of the same code size: <see cref="PcaReconstructions"/>.
/// </summary>
public static class IdentityRetrieval
{
    /// <summary>Scores reconstructions whose row i is of photo i: (N, D) features each.</summary>
    /// <exception cref="ArgumentException">The two sets differ in shape, or hold fewer than 2 rows.</exception>
    public static IdentityScore Score(Tensor reconstructions, Tensor photos)
    {
        ArgumentNullException.ThrowIfNull(reconstructions);
        ArgumentNullException.ThrowIfNull(photos);
        if (!reconstructions.shape.SequenceEqual(photos.shape) || photos.dim() != 2 || photos.shape[0] < 2)
        {
            throw new ArgumentException($"identity needs (N, D) features of N >= 2 reconstructions and their photos, got [{string.Join(", ", reconstructions.shape)}] and [{string.Join(", ", photos.shape)}]");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var real = photos.to(ScalarType.Float64);
        var mean = real.mean([0], keepdim: true);
        var made = nn.functional.normalize(reconstructions.to(ScalarType.Float64) - mean, dim: 1);
        var own = nn.functional.normalize(real - mean, dim: 1);
        var similarity = made.matmul(own.t());
        var better = similarity.gt(similarity.diagonal().unsqueeze(1)).sum(1); // photos nearer than its own
        return new IdentityScore(
            (int)photos.shape[0],
            better.lt(1).to(ScalarType.Float64).mean().ToDouble(),
            better.lt(10).to(ScalarType.Float64).mean().ToDouble());
    }

    /// <summary>
    /// The baseline: <paramref name="photos"/> (N, C, S, S) projected onto the first <paramref name="components"/>
    /// principal components of <paramref name="training"/> (M, C, S, S) pixels and back, clamped to [-1, 1].
    /// </summary>
    /// <exception cref="ArgumentException">More components than training photos or pixels.</exception>
    public static Tensor PcaReconstructions(Tensor training, Tensor photos, int components)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(photos);
        var rows = training.shape[0];
        var pixels = training[0].numel();
        if (components < 1 || components > Math.Min(rows, pixels))
        {
            throw new ArgumentException($"a PCA of {components} components needs at least as many training photos, got {rows}");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var flat = training.flatten(1).to(ScalarType.Float32);
        var mean = flat.mean([0], keepdim: true);
        var (_, _, directions) = linalg.svd(flat - mean, fullMatrices: false);
        var basis = directions.narrow(0, 0, components); // (k, D), orthonormal rows
        var centred = photos.flatten(1).to(ScalarType.Float32) - mean;
        var projected = centred.matmul(basis.t()).matmul(basis) + mean;
        return projected.view(photos.shape).clamp(-1, 1).MoveToOuterDisposeScope();
    }
}
