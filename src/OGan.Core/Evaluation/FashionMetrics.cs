using OGan.Data;
using OGan.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>What the Fashion-MNIST classifier says of a model's samples and encoder.</summary>
public sealed record FashionQuality(
    double Fid,
    double Kid,
    double FidFloor,
    double KidFloor,
    IReadOnlyList<double> ClassShares,
    double ProbeRawCodes,
    double ProbeLatents,
    double ProbePixels);

/// <summary>
/// Metrics of a 32 px grey model against Fashion-MNIST: FID and KID in the feature space of
/// <see cref="FashionClassifier"/> (samples against the test set; the floor is training images against
/// the test set), mode coverage (the classifier's class shares of the samples), and linear-probe accuracy
/// of E(x), N(E(x)) and raw pixels.
/// </summary>
public static class FashionMetrics
{
    /// <summary>Measures <paramref name="model"/> with <paramref name="count"/> samples and held-out images.</summary>
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
        var testFeatures = Map(test, count, classifier.Features);
        var trainFeatures = Map(train, count, classifier.Features);

        var rawTrain = Map(train, count, model.EncodeRaw);
        var rawTest = Map(test, count, model.EncodeRaw);
        var latentTrain = Losses.Pearson.Standardise(rawTrain);
        var latentTest = Losses.Pearson.Standardise(rawTest);
        var pixelTrain = Map(train, count, x => x.flatten(1));
        var pixelTest = Map(test, count, x => x.flatten(1));
        var trainLabels = train.Labels!.Take(count).ToArray();
        var testLabels = test.Labels!.Take(count).ToArray();

        return new FashionQuality(
            FeatureDistance.Frechet(sampleFeatures, testFeatures),
            FeatureDistance.Kernel(sampleFeatures, testFeatures),
            FeatureDistance.Frechet(trainFeatures, testFeatures),
            FeatureDistance.Kernel(trainFeatures, testFeatures),
            classes,
            LinearProbe.Accuracy(rawTrain, trainLabels, rawTest, testLabels),
            LinearProbe.Accuracy(latentTrain, trainLabels, latentTest, testLabels),
            LinearProbe.Accuracy(pixelTrain, trainLabels, pixelTest, testLabels));
    }

    private static Tensor Map(ImageSet images, int count, Func<Tensor, Tensor> f)
    {
        var parts = new List<Tensor>();
        foreach (var batch in images.Batches(count, 500, CPU))
        {
            using (batch)
            {
                parts.Add(f(batch).cpu());
            }
        }

        return cat(parts);
    }
}
