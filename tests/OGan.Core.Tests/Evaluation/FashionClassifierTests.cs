using OGan.Data;
using OGan.Evaluation;

namespace OGan.Core.Tests.Evaluation;

/// <summary>The cached classifier behind OGan's Fashion-MNIST FID: trained once per machine (about a minute), then loaded.</summary>
public sealed class FashionClassifierTests
{
    [Fact]
    public void The_classifier_recognises_test_images_and_its_FID_floor_is_far_below_noise()
    {
        using var classifier = FashionClassifier.LoadOrTrain();
        Assert.True(classifier.TestAccuracy > 0.85, $"test accuracy {classifier.TestAccuracy:P1}");

        using var train = Fixtures.FashionMnist(train: true, limit: 2000);
        using var test = Fixtures.FashionMnist(train: false, limit: 2000);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var trainFeatures = classifier.Features(train.First(2000, CPU));
        var testImages = test.First(2000, CPU);
        var testFeatures = classifier.Features(testImages);
        using var random = new torch.Generator(9);
        var noiseFeatures = classifier.Features(rand([2000, 1, 32, 32], generator: random) * 2.0 - 1.0);

        var floor = FeatureDistance.Frechet(trainFeatures, testFeatures);
        var noise = FeatureDistance.Frechet(noiseFeatures, testFeatures);
        Assert.True(floor * 20 < noise, $"FID train vs test {floor:F2}, noise vs test {noise:F2}");
        var predicted = classifier.Predict(testImages);
        Assert.True(predicted.Where((p, i) => p == test.Labels![i]).Count() > 0.85 * 2000);
    }
}
