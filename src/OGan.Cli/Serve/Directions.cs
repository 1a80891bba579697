using OGan.Inference;
using static TorchSharp.torch;

namespace OGan.Cli.Serve;

/// <summary>Principal components of codes: unit directions in latent space and the spread of the codes along each.</summary>
/// <param name="Vectors">Unit directions, the largest spread first.</param>
/// <param name="Deviations">The standard deviation of the codes along each.</param>
/// <param name="Source">What the codes were computed from.</param>
internal sealed record Directions(float[][] Vectors, float[] Deviations, string Source)
{
    private const int Kept = 8;

    /// <summary>The leading principal directions of N(E(images)), or of N(E(G(z))) for 500 z when there are no images.</summary>
    public static Directions Of(OGanModel model, Tensor? images)
    {
        var source = images is null ? "N(E(G(z))) of 500 samples" : $"N(E(x)) of {images.shape[0]} training images";
        images ??= model.Sample(500, seed: 0);
        var codes = cat(Enumerable.Range(0, (int)((images.shape[0] + 99) / 100))
            .Select(i => model.Encode(images[TensorIndex.Slice(i * 100, Math.Min((i + 1) * 100, images.shape[0]))]).cpu().to(ScalarType.Float64)).ToList());
        var centred = codes - codes.mean([0], keepdim: true);
        var covariance = centred.T.matmul(centred) / (codes.shape[0] - 1);
        var (values, vectors) = linalg.eigh(covariance); // ascending
        var count = (int)Math.Min(Kept, values.shape[0]);
        var order = Enumerable.Range(0, count).Select(i => values.shape[0] - 1 - i).ToArray();
        return new Directions(
            order.Select(i => vectors[.., i].to(ScalarType.Float32).data<float>().ToArray()).ToArray(),
            order.Select(i => (float)Math.Sqrt(Math.Max(0, values[i].item<double>()))).ToArray(),
            source);
    }
}
