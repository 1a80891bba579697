using OGan.Nn;
using OGan.Optim;
using OGan.Tensors;

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
        using var scope = DisposeScope.Enter();
        var train = trainFeatures.Detach().To(DType.Float32, Device.Cpu);
        var mean = train.Mean([0], keepDim: true);
        var std = (train - mean).Square().Mean([0], keepDim: true).Sqrt() + 1e-6;
        var x = (train - mean) / std;
        var targets = Torch.FromArray(trainLabels);
        using var probe = new Linear(x.Size(1), classes);
        Init.Zeros(probe.Weight);
        using var optimizer = new Adam(probe.Parameters(), 0.05);
        using (Torch.EnableGrad())
        {
            Fit(probe, optimizer, x, targets, steps);
        }

        using var noGrad = Torch.NoGrad();
        var test = (testFeatures.Detach().To(DType.Float32, Device.Cpu) - mean) / std;
        var predicted = probe.Forward(test).Argmax(1).ToArray<long>();
        return (double)predicted.Where((p, i) => p == testLabels[i]).Count() / testLabels.Length;
    }

    private static void Fit(Linear probe, Adam optimizer, Tensor x, Tensor targets, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            using var inner = DisposeScope.Enter();
            var loss = Functional.CrossEntropy(probe.Forward(x), targets);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }
    }
}
