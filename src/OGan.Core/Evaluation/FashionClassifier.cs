using OGan.Checkpoints;
using OGan.Data;
using OGan.Nn;
using OGan.Optim;
using OGan.Tensors;

namespace OGan.Evaluation;

/// <summary>
/// A small CNN that OGan trains once on Fashion-MNIST (32 px, padded) and caches: its 128-d penultimate
/// features define "FID (Fashion-MNIST classifier features)" and KID, and its predictions the mode
/// coverage of samples. Not comparable with Inception-based FID.
/// conv 3x3 32 → ReLU → avgpool 2 → conv 3x3 64 → ReLU → avgpool 2 → fc 128 → ReLU → fc 10.
/// </summary>
public sealed class FashionClassifier : Module
{
    private const string CacheName = "fashion-classifier-v1.safetensors";

    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>An untrained classifier (PyTorch's default initialisation, seeded).</summary>
    public FashionClassifier(RandomGenerator? init = null)
    {
        conv1 = RegisterModule("conv1", new Conv2d(1, 32, 3, 1, 1));
        conv2 = RegisterModule("conv2", new Conv2d(32, 64, 3, 1, 1));
        fc1 = RegisterModule("fc1", new Linear(64 * 8 * 8, 128));
        fc2 = RegisterModule("fc2", new Linear(128, 10));
        foreach (var (name, tensor) in NamedParameters())
        {
            var fanIn = tensor.NumEl / tensor.Size(0);
            var bound = 1 / Math.Sqrt(name.EndsWith("bias", StringComparison.Ordinal) ? 64 : fanIn);
            Torch.UniformInPlace(tensor, -bound, bound, init);
        }
    }

    /// <summary>Test-set accuracy measured when the classifier was trained.</summary>
    public double TestAccuracy { get; private set; }

    /// <summary>(N, 1, 32, 32) images in [-1, 1] to (N, 128) features.</summary>
    public Tensor Features(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = DisposeScope.Enter();
        var x = Functional.AvgPool2d(conv1.Forward(images).Relu(), 2, 2);
        x = Functional.AvgPool2d(conv2.Forward(x).Relu(), 2, 2);
        return fc1.Forward(x.Flatten(1)).Relu().MoveToOuterScope();
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        return fc2.Forward(Features(input)).MoveToOuterScope();
    }

    /// <summary>
    /// The cached classifier from <paramref name="cacheFolder"/> (default: <see cref="DataSets.DefaultCache"/>),
    /// trained there first if missing (two epochs, about a minute on two cores).
    /// </summary>
    public static FashionClassifier LoadOrTrain(string? cacheFolder = null, Action<string>? log = null)
    {
        var path = Path.Combine(cacheFolder ?? DataSets.DefaultCache, CacheName);
        var classifier = new FashionClassifier();
        if (File.Exists(path))
        {
            var (tensors, metadata) = SafeTensors.Load(path);
            try
            {
                classifier.LoadStateDict(tensors);
                classifier.TestAccuracy = double.Parse(metadata["test_accuracy"], System.Globalization.CultureInfo.InvariantCulture);
                return (FashionClassifier)classifier.Eval();
            }
            finally
            {
                foreach (var tensor in tensors.Values)
                {
                    tensor.Dispose();
                }
            }
        }

        log?.Invoke($"training the Fashion-MNIST feature classifier once, into {path}");
        classifier.Train(epochs: 2, seed: 1);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SafeTensors.Save(path, classifier.StateDict(), new Dictionary<string, string>
        {
            ["test_accuracy"] = classifier.TestAccuracy.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        });
        log?.Invoke($"classifier test accuracy {classifier.TestAccuracy:P1}");
        return classifier;
    }

    /// <summary>Predicted classes of (N, 1, 32, 32) images.</summary>
    public long[] Predict(Tensor images)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Torch.NoGrad();
        return Forward(images).Argmax(1).ToArray<long>();
    }

    private void Train(int epochs, ulong seed)
    {
        using var train = FashionMnist.Load(train: true);
        using var test = FashionMnist.Load(train: false);
        using var random = new RandomGenerator(seed);
        using var labels = Torch.FromArray(train.Labels!.ToArray());
        using var optimizer = new Adam(Parameters(), 1e-3);
        const int batch = 128;
        Train();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            using var order = Torch.Randperm(train.Count, random);
            for (var start = 0; start + batch <= train.Count; start += batch)
            {
                using var scope = DisposeScope.Enter();
                var indices = order.Slice(0, start, start + batch);
                var loss = Functional.CrossEntropy(Forward(train.Batch(indices, Device.Cpu)), labels.IndexSelect(0, indices));
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
            }
        }

        Eval();
        var correct = 0;
        foreach (var (images, first) in test.Batches(test.Count, 1000, Device.Cpu).Select((b, i) => (b, i * 1000)))
        {
            using (images)
            {
                var predicted = Predict(images);
                correct += predicted.Where((p, i) => p == test.Labels![first + i]).Count();
            }
        }

        TestAccuracy = (double)correct / test.Count;
    }
}
