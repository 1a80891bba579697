using OGan.Data;
using OGan.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>What the Fashion-MNIST classifier says of a model's samples.</summary>
public sealed record FashionQuality(
    double Fid,
    double Kid,
    double FidFloor,
    double KidFloor,
    IReadOnlyList<double> ClassShares);

/// <summary>
/// Metrics of a 32 px grey model against Fashion-MNIST: FID and KID in the feature space of
/// <see cref="FashionClassifier"/> (samples against the test set; the floor is training images against
/// the test set) and mode coverage (the classifier's class shares of the samples). The encoder's side is
/// <see cref="EncoderProbes"/>.
/// </summary>
public static class FashionMetrics
{
    /// <summary>Measures <paramref name="model"/> with <paramref name="count"/> samples against as many test images (and training images for the floor).</summary>
    public static FashionQuality Measure(OGanModel model, FashionClassifier classifier, ImageSet train, ImageSet test, int count = 10_000, ulong seed = 321)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        count = Math.Min(count, Math.Min(train.Count, test.Count));

        var samples = new List<Tensor>();
        var classes = new double[10];
        using (var random = new torch.Generator(seed))
        {
            for (var start = 0; start < count; start += 500)
            {
                var z = randn([Math.Min(500, count - start), model.Config.LatentDim], generator: random).to(model.Device);
                var images = model.Sample(z).cpu();
                samples.Add(classifier.Features(images));
                foreach (var c in classifier.Predict(images))
                {
                    classes[c] += 1.0 / count;
                }
            }
        }

        var sampleFeatures = cat(samples);
        var testFeatures = test.MapBatches(count, classifier.Features);
        var trainFeatures = train.MapBatches(count, classifier.Features);

        return new FashionQuality(
            FeatureDistance.Frechet(sampleFeatures, testFeatures),
            FeatureDistance.Kernel(sampleFeatures, testFeatures),
            FeatureDistance.Frechet(trainFeatures, testFeatures),
            FeatureDistance.Kernel(trainFeatures, testFeatures),
            classes);
    }
}
