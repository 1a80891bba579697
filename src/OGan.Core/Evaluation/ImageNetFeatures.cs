using OGan.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>
/// ImageNet ResNet-18 features (the 512-d average pool) of RGB images, for FID and KID on photos. The network
/// is the ONNX export in ML.NET's Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0 package (MIT), which OGan's
/// build restores from NuGet and copies beside the program as models/resnet18/ (nothing is downloaded at run
/// time). Its two graphs, the preprocessing (RGB to BGR, minus a 224x224 mean image of pixels 0..255) and the
/// network, run in TorchSharp, batched, on the model's device; images are resized to 224 px first (bilinear,
/// antialiased when shrinking).
/// Not Inception: distances in this space compare with each other only, never with papers' FIDs.
/// </summary>
public sealed class ImageNetFeatures : IDisposable
{
    /// <summary>The side the network takes.</summary>
    public const int Side = 224;

    /// <summary>The feature dimension.</summary>
    public const int Dimension = 512;

    /// <summary>The network's file in the model folder.</summary>
    public const string NetworkFile = "ResNet18.onnx";

    /// <summary>The preprocessing graph's file in the model folder.</summary>
    public const string PreprocessFile = "ResNetPreprocess.onnx";

    private const int BatchSize = 32;

    private readonly OnnxGraph preprocess;
    private readonly OnnxGraph network;

    private ImageNetFeatures(OnnxGraph preprocess, OnnxGraph network, Device device)
    {
        this.preprocess = preprocess;
        this.network = network;
        Device = device;
    }

    /// <summary>
    /// Where the model files are: models/resnet18 beside the program, where OGan's build and the OGan.Core package
    /// put them (an app sets the MSBuild property OGanResNet18 to false to leave them out).
    /// </summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "models", "resnet18");

    /// <summary>The device the network runs on.</summary>
    public Device Device { get; }

    /// <summary>Reads the two graphs from <paramref name="folder"/> (default <see cref="DefaultFolder"/>) onto <paramref name="device"/> (default CPU).</summary>
    /// <exception cref="FileNotFoundException">A model file is missing; the message says how to restore it.</exception>
    /// <exception cref="InvalidDataException">A file is not such a graph.</exception>
    public static ImageNetFeatures Load(string? folder = null, Device? device = null)
    {
        folder ??= DefaultFolder;
        device ??= CPU;
        string PathOf(string name) => Path.Combine(folder, name) is var path && File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path}: the ImageNet ResNet-18 model for FID on photos is missing; build OGan again (dotnet build restores it from NuGet)", path);

        var preprocess = OnnxGraph.Load(PathOf(PreprocessFile), device);
        try
        {
            return new ImageNetFeatures(preprocess, OnnxGraph.Load(PathOf(NetworkFile), device), device);
        }
        catch
        {
            preprocess.Dispose();
            throw;
        }
    }

    /// <summary>Features of (N, 3, S, S) float images in [-1, 1], as float32 (N, 512) on the CPU.</summary>
    public Tensor Features(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += BatchSize)
        {
            using var inner = NewDisposeScope();
            var batch = NetworkInput(images.narrow(0, start, Math.Min(BatchSize, images.shape[0] - start)).to(Device));
            parts.Add(network.Run(preprocess.Run(batch)).flatten(1).cpu().MoveToOuterDisposeScope());
        }

        return cat(parts).MoveToOuterDisposeScope();
    }

    /// <summary>What the preprocessing graph takes: RGB pixels 0..255 at 224x224, float32, from images in [-1, 1].</summary>
    /// <exception cref="ArgumentException">Not (N, 3, S, S) images.</exception>
    public static Tensor NetworkInput(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != 3)
        {
            throw new ArgumentException($"expected (N, 3, S, S) RGB images, got [{string.Join(", ", images.shape)}]", nameof(images));
        }

        using var scope = NewDisposeScope();
        var shrinking = images.shape[2] > Side || images.shape[3] > Side;
        var resized = nn.functional.interpolate(images.to(ScalarType.Float32), [Side, Side], mode: InterpolationMode.Bilinear, align_corners: false, antialias: shrinking);
        return ((resized + 1) * PixelScale.Half).clamp(0, 255).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        preprocess.Dispose();
        network.Dispose();
    }
}
