using OGan.Data;
using OGan.Inference;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>
/// Linear-probe accuracies (<see cref="LinearProbe"/>) on a labelled test set: on N(E(x)), the codes
/// <c>ogan encode</c> writes; on E(x); on E's last hidden layer; and on raw pixels, the baseline.
/// </summary>
public sealed record ProbeAccuracy(double Codes, double RawCodes, double HiddenLayer, double Pixels, int TrainImages, int TestImages);

/// <summary>How much of the class information of labelled images a model's encoder keeps, read by linear probes.</summary>
public static class EncoderProbes
{
    /// <summary>
    /// Trains each probe on the first <paramref name="trainImages"/> images of <paramref name="train"/> (all by
    /// default) and tests it on every image of <paramref name="test"/>; E runs in eval mode, one batch at a time.
    /// </summary>
    /// <exception cref="ArgumentException">A set has no labels.</exception>
    public static ProbeAccuracy Measure(OGanModel model, ImageSet train, ImageSet test, int trainImages = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (train.Labels is null || test.Labels is null)
        {
            throw new ArgumentException($"linear probes need labelled images; {(train.Labels is null ? train.Name : test.Name)} has no labels");
        }

        var trainCount = Math.Min(trainImages, train.Count);
        var trainLabels = train.Labels.Take(trainCount).ToArray();
        var testLabels = test.Labels.ToArray();
        double Probe(Func<Tensor, Tensor> features)
        {
            using var scope = NewDisposeScope();
            return LinearProbe.Accuracy(train.MapBatches(trainCount, features), trainLabels, test.MapBatches(test.Count, features), testLabels);
        }

        return new ProbeAccuracy(
            Probe(model.Encode),
            Probe(model.EncodeRaw),
            Probe(model.EncodeFeatures),
            Probe(x => x.flatten(1)),
            trainCount,
            test.Count);
    }
}
