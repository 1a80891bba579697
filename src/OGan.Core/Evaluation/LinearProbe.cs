using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>
/// How linearly separable the classes are in a feature space: multinomial logistic regression on
/// standardised features (full batch, Adam, a fixed number of steps), its accuracy on held-out features.
/// </summary>
public static class LinearProbe
{
    /// <summary>Trains on (<paramref name="trainFeatures"/>, <paramref name="trainLabels"/>) and returns the accuracy on the test pair.</summary>
    public static double Accuracy(Tensor trainFeatures, long[] trainLabels, Tensor testFeatures, long[] testLabels, int classes = 10, int steps = 300)
    {
        ArgumentNullException.ThrowIfNull(trainFeatures);
        ArgumentNullException.ThrowIfNull(testFeatures);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(testLabels);
        using var scope = NewDisposeScope();
        var train = trainFeatures.detach().to(ScalarType.Float32, CPU);
        var mean = train.mean([0], keepdim: true);
        var std = (train - mean).square().mean([0], keepdim: true).sqrt() + 1e-6;
        var x = (train - mean) / std;
        var targets = tensor(trainLabels);
        using var probe = nn.Linear(x.shape[1], classes);
        using (no_grad())
        {
            probe.weight.zero_();
            probe.bias!.zero_();
        }

        using var optimizer = optim.Adam(probe.parameters(), 0.05);
        using (enable_grad())
        {
            for (var i = 0; i < steps; i++)
            {
                using var inner = NewDisposeScope();
                var loss = nn.functional.cross_entropy(probe.call(x), targets);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
        }

        using var noGrad = no_grad();
        var test = (testFeatures.detach().to(ScalarType.Float32, CPU) - mean) / std;
        var predicted = probe.call(test).argmax(1).data<long>().ToArray();
        return (double)predicted.Where((p, i) => p == testLabels[i]).Count() / testLabels.Length;
    }
}
