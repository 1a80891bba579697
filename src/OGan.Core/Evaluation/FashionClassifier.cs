using OGan.Checkpoints;
using OGan.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OGan.Evaluation;

/// <summary>
/// A small CNN that OGan trains once on Fashion-MNIST (32 px, padded) and caches: its 128-d penultimate
/// features define "FID (Fashion-MNIST classifier features)" and KID, and its predictions the mode
/// coverage of samples. Not comparable with Inception-based FID.
/// conv 3x3 32 → ReLU → avgpool 2 → conv 3x3 64 → ReLU → avgpool 2 → fc 128 → ReLU → fc 10.
/// </summary>
public sealed class FashionClassifier : Module<Tensor, Tensor>
{
    private const string CacheName = "fashion-classifier-v1.safetensors";

    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>An untrained classifier, initialised uniformly (PyTorch's default bounds) from <paramref name="init"/>.</summary>
    public FashionClassifier(torch.Generator? init = null)
        : base(nameof(FashionClassifier))
    {
        conv1 = Conv2d(1, 32, 3, padding: 1);
        conv2 = Conv2d(32, 64, 3, padding: 1);
        fc1 = Linear(64 * 8 * 8, 128);
        fc2 = Linear(128, 10);
        RegisterComponents();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            var fanIn = parameter.numel() / parameter.shape[0];
            var bound = 1 / Math.Sqrt(name.EndsWith("bias", StringComparison.Ordinal) ? 64 : fanIn);
            parameter.uniform_(-bound, bound, init);
        }
    }

    /// <summary>Accuracy on the Fashion-MNIST test set, measured when it was trained.</summary>
    public double TestAccuracy { get; private set; }

    /// <summary>The 128-d penultimate features of (N, 1, 32, 32) images in [-1, 1].</summary>
    public Tensor Features(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        var x = functional.avg_pool2d(functional.relu(conv1.call(images)), 2, 2);
        x = functional.avg_pool2d(functional.relu(conv2.call(x)), 2, 2);
        return functional.relu(fc1.call(x.flatten(1))).MoveToOuterDisposeScope();
    }

    /// <summary>Class logits.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return fc2.call(Features(input)).MoveToOuterDisposeScope();
    }

    /// <summary>Loads the cached classifier, or trains it (about a minute on 2 cores) and caches it.</summary>
    public static FashionClassifier LoadOrTrain(string? cacheFolder = null, Action<string>? log = null)
    {
        var path = Path.Combine(cacheFolder ?? DataSets.DefaultCache, CacheName);
        var classifier = new FashionClassifier();
        if (File.Exists(path))
        {
            var (tensors, metadata) = SafeTensors.Load(path);
            try
            {
                StateDicts.Load(classifier, tensors);
                classifier.TestAccuracy = double.Parse(metadata["test_accuracy"], System.Globalization.CultureInfo.InvariantCulture);
                classifier.eval();
                return classifier;
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
        classifier.Fit(epochs: 2, seed: 1);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SafeTensors.Save(path, [.. classifier.state_dict().Select(e => (e.Key, e.Value))], new Dictionary<string, string>
        {
            ["test_accuracy"] = classifier.TestAccuracy.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        });
        log?.Invoke($"classifier test accuracy {classifier.TestAccuracy:P1}");
        return classifier;
    }

    /// <summary>The predicted class of each image.</summary>
    public long[] Predict(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return call(images).argmax(1).data<long>().ToArray();
    }

    private void Fit(int epochs, ulong seed)
    {
        using var train = FashionMnist.Load(train: true);
        using var test = FashionMnist.Load(train: false);
        using var random = new torch.Generator(seed);
        var labels = train.Labels!.ToArray();
        using var optimizer = optim.Adam(parameters(), 1e-3);
        const int batch = 128;
        this.train();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            using var order = randperm(train.Count, generator: random);
            var indices = order.data<long>().ToArray();
            for (var start = 0; start + batch <= train.Count; start += batch)
            {
                using var scope = NewDisposeScope();
                var slice = indices.AsSpan(start, batch);
                var targets = tensor(slice.ToArray().Select(i => labels[i]).ToArray());
                var loss = functional.cross_entropy(call(train.Batch(slice, CPU)), targets);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
        }

        eval();
        var correct = 0;
        var first = 0;
        foreach (var images in test.Batches(test.Count, 1000, CPU))
        {
            using (images)
            {
                correct += Predict(images).Where((p, i) => p == test.Labels![first + i]).Count();
                first += (int)images.shape[0];
            }
        }

        TestAccuracy = (double)correct / test.Count;
    }
}
