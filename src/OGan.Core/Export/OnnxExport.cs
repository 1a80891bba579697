using Google.Protobuf;
using OGan.Checkpoints;
using OGan.Engine;
using OGan.Files;
using Onnx;
using OGan.Models;
using TorchSharp;
using static OGan.Export.OnnxGraphWriter;
using static TorchSharp.torch;
using Generator = OGan.Models.Generator;

namespace OGan.Export;

/// <summary>
/// G and E as ONNX graphs (fp32, opset 17, a dynamic batch axis) with the weights and BatchNorm statistics
/// they hold now: G maps "latents" (N, z) to "images" (N, C, S, S) in [-1, 1]; E maps "images" to "codes"
/// E(x) and "latents" N(E(x)). Inference only: BatchNorm uses its running statistics, as in eval mode.
/// </summary>
public static class OnnxExport
{
    /// <summary>G's graph. With <paramref name="foldBatchNorm"/> (the default: faster in ONNX Runtime, docs/onnx.md) each BatchNorm is folded into the layer before it; without, it is a BatchNormalization node.</summary>
    public static ModelProto Generator(Generator generator, bool foldBatchNorm = true)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (generator.Fade is { IsActive: true })
        {
            throw new ArgumentException("G's new layers are still fading in: its graph would leave the old output layer out; export it after the fade");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var config = generator.Config;
        var state = generator.state_dict();
        var (padding, outputPadding) = Models.Generator.SamePadding(config.KernelSize);
        long width = config.MaxChannels, kernel = config.KernelSize;
        var graph = new OnnxGraphWriter("generator");
        var x = graph.Input(ExportManifest.LatentsName, config.LatentDim);

        // fc, then a view to (N, width, 4, 4): fc's output unit c * 16 + i belongs to channel c.
        var (fcWeight, fcBias) = (state["fc.weight"], state["fc.bias"]);
        if (foldBatchNorm)
        {
            var (scale, shift) = Folding(state, "bn0");
            var perUnit = scale.repeat_interleave(16L);
            (fcWeight, fcBias) = (fcWeight * perUnit.unsqueeze(1), (fcBias * perUnit).Plus(shift.repeat_interleave(16L)));
        }

        x = graph.Node("Gemm", [x, graph.Weight("fc.weight", fcWeight), graph.Weight("fc.bias", fcBias)], null, Int("transB", 1));
        x = graph.Node("Reshape", [x, graph.Int64s("fc.shape", -1, width, 4, 4)]);
        x = graph.Node("Relu", [foldBatchNorm ? x : BatchNorm(graph, state, "bn0", x)]);
        var transposed = new[] { Ints("kernel_shape", kernel, kernel), Ints("strides", 2, 2), Ints("pads", padding, padding, padding, padding), Ints("output_padding", outputPadding, outputPadding) };
        string? skipped = null; // the smaller sizes' images (skip{j}), summed at the current size
        for (var i = 1; i <= config.NumLayers; i++)
        {
            var level = config.NumLayers - i + 1; // x is the hidden layer skip{level} reads
            if (level <= config.Skips)
            {
                var image = graph.Node("ConvTranspose", [x, graph.Weight($"skip{level}.weight", state[$"skip{level}.weight"]), graph.Weight($"skip{level}.bias", state[$"skip{level}.bias"])], null, transposed);
                skipped = skipped is null ? image : graph.Node("Add", [Upsample(graph, skipped), image]);
            }

            var (weight, bias) = (state[$"deconv{i}.weight"], state[$"deconv{i}.bias"]);
            if (foldBatchNorm)
            {
                // ConvTranspose weights are (in, out, k, k): the output channel is axis 1.
                var (scale, shift) = Folding(state, $"bn{i}");
                (weight, bias) = (weight * scale.view(1, -1, 1, 1), (bias * scale).Plus(shift));
            }

            x = graph.Node("ConvTranspose", [x, graph.Weight($"deconv{i}.weight", weight), graph.Weight($"deconv{i}.bias", bias)], null, transposed);
            x = graph.Node("Relu", [foldBatchNorm ? x : BatchNorm(graph, state, $"bn{i}", x)]);
        }

        x = graph.Node("ConvTranspose", [x, graph.Weight("out.weight", state["out.weight"]), graph.Weight("out.bias", state["out.bias"])], null, transposed);
        if (skipped is not null)
        {
            x = graph.Node("Add", [x, Upsample(graph, skipped)]);
        }

        graph.Node("Tanh", [x], ExportManifest.ImagesName);
        graph.Output(ExportManifest.ImagesName, config.Channels, config.ImageSize, config.ImageSize);
        return graph.ToModel($"O-GAN generator G: {config.LatentDim}-d latents to {config.Channels}x{config.ImageSize}x{config.ImageSize} images in [-1, 1]");
    }

    /// <summary>E's graph, with the codes E(x) and their standardisation N(E(x)) as outputs.</summary>
    public static ModelProto Encoder(Encoder encoder, bool foldBatchNorm = true)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (encoder.Fade is { IsActive: true })
        {
            throw new ArgumentException("E's new layers are still fading in: its graph would leave the old input layer out; export it after the fade");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var config = encoder.Config;
        var state = encoder.state_dict();
        long padding = (config.KernelSize - 1) / 2, kernel = config.KernelSize;
        var graph = new OnnxGraphWriter("encoder");
        var x = graph.Input(ExportManifest.ImagesName, config.Channels, config.ImageSize, config.ImageSize);
        var convolution = new[] { Ints("kernel_shape", kernel, kernel), Ints("strides", 2, 2), Ints("pads", padding, padding, padding, padding) };
        var pooled = x; // the image at the size skip{i} reads
        for (var i = 0; i <= config.NumLayers; i++)
        {
            var (weight, bias) = (state[$"conv{i}.weight"], state[$"conv{i}.bias"]);
            var normalised = i > 0;
            if (normalised && foldBatchNorm)
            {
                var (scale, shift) = Folding(state, $"bn{i}");
                (weight, bias) = (weight * scale.view(-1, 1, 1, 1), (bias * scale).Plus(shift));
            }

            x = graph.Node("Conv", [x, graph.Weight($"conv{i}.weight", weight), graph.Weight($"conv{i}.bias", bias)], null, convolution);
            if (normalised && !foldBatchNorm)
            {
                x = BatchNorm(graph, state, $"bn{i}", x);
            }

            x = graph.Node("LeakyRelu", [x], null, Float32("alpha", 0.2f));
            if (i >= 1 && i <= config.Skips)
            {
                pooled = graph.Node("AveragePool", [pooled], null, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2));
                var skip = graph.Node("Conv", [pooled, graph.Weight($"skip{i}.weight", state[$"skip{i}.weight"]), graph.Weight($"skip{i}.bias", state[$"skip{i}.bias"])], null, convolution);
                x = graph.Node("Add", [x, graph.Node("LeakyRelu", [skip], null, Float32("alpha", 0.2f))]);
            }
        }

        x = graph.Node("Flatten", [x], null, Int("axis", 1));
        var codes = graph.Node("Gemm", [x, graph.Weight("fc.weight", state["fc.weight"]), graph.Weight("fc.bias", state["fc.bias"])], ExportManifest.CodesName, Int("transB", 1));

        // N(codes), as Pearson.Standardise computes it.
        var mean = graph.Node("ReduceMean", [codes], null, Ints("axes", 1), Int("keepdims", 1));
        var centred = graph.Node("Sub", [codes, mean]);
        var variance = graph.Node("ReduceMean", [graph.Node("Mul", [centred, centred])], null, Ints("axes", 1), Int("keepdims", 1));
        var deviation = graph.Node("Sqrt", [graph.Node("Max", [variance, graph.Float("epsilon", 1e-12f)])]);
        graph.Node("Div", [centred, deviation], ExportManifest.LatentsName);
        graph.Output(ExportManifest.CodesName, config.LatentDim);
        graph.Output(ExportManifest.LatentsName, config.LatentDim);
        return graph.ToModel($"O-GAN encoder E: {config.Channels}x{config.ImageSize}x{config.ImageSize} images in [-1, 1] to {config.LatentDim}-d codes E(x) and latents N(E(x))");
    }

    /// <summary>
    /// Writes generator.onnx (the EMA copy of G where the checkpoint has one), encoder.onnx (with E's calibrated
    /// BatchNorm statistics) and model.json for the checkpoint at <paramref name="checkpointPath"/> into
    /// <paramref name="directory"/>, each file atomically.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such checkpoint.</exception>
    /// <exception cref="InvalidDataException">Not an OGan checkpoint, or damaged.</exception>
    /// <exception cref="IOException">The folder cannot be written.</exception>
    public static void Write(string checkpointPath, string directory, bool foldBatchNorm = true)
    {
        ArgumentNullException.ThrowIfNull(checkpointPath);
        ArgumentNullException.ThrowIfNull(directory);
        using var checkpoint = Checkpoint.Read(checkpointPath);
        if (checkpoint.IsFading)
        {
            throw new InvalidDataException($"{checkpoint.Path} was written while a grown run's new layers faded in: the graphs would leave the old layers out; export a checkpoint from after the fade");
        }

        var config = checkpoint.Model;
        using var generator = new Generator(config);
        using var encoder = new Encoder(config);
        checkpoint.LoadGenerator(generator);
        checkpoint.LoadEncoder(encoder);
        var manifest = new ExportManifest
        {
            OganVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "",
            Opset = OnnxGraphWriter.Opset,
            ImageSize = config.ImageSize,
            Channels = config.Channels,
            LatentDim = config.LatentDim,
            GeneratorIsEma = checkpoint.HasEma,
            BatchNormFolded = foldBatchNorm,
            Step = checkpoint.Step,
            Checkpoint = Path.GetFileName(checkpointPath),
            CheckpointSha256 = Sha256(checkpointPath),
            CheckpointVerified = checkpoint.IsVerified,
        };
        Directory.CreateDirectory(directory);
        var generatorGraph = Generator(generator, foldBatchNorm).ToByteArray();
        var encoderGraph = Encoder(encoder, foldBatchNorm).ToByteArray();
        manifest = manifest with
        {
            GeneratorSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(generatorGraph)),
            EncoderSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(encoderGraph)),
        };
        AtomicFile.WriteAllBytes(Path.Combine(directory, ExportManifest.GeneratorFile), generatorGraph);
        AtomicFile.WriteAllBytes(Path.Combine(directory, ExportManifest.EncoderFile), encoderGraph);
        AtomicFile.WriteAllBytes(Path.Combine(directory, ExportManifest.FileName), System.Text.Encoding.UTF8.GetBytes(manifest.ToJson() + "\n"));
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    // x at twice its size, each pixel repeated 2x2, as Models.Layers.Upsample.
    private static string Upsample(OnnxGraphWriter graph, string x) =>
        graph.Node(
            "Resize", [x, "", graph.Floats($"{x}.scales", 1, 1, 2, 2)], null,
            Text("mode", "nearest"), Text("coordinate_transformation_mode", "asymmetric"), Text("nearest_mode", "floor"));

    // BatchNormalization on x with the module's affine parameters and running statistics.
    private static string BatchNorm(OnnxGraphWriter graph, Dictionary<string, Tensor> state, string name, string x) =>
        graph.Node(
            "BatchNormalization",
            [x, graph.Weight($"{name}.weight", state[$"{name}.weight"]), graph.Weight($"{name}.bias", state[$"{name}.bias"]),
             graph.Weight($"{name}.running_mean", state[$"{name}.running_mean"]), graph.Weight($"{name}.running_var", state[$"{name}.running_var"])],
            null,
            Float32("epsilon", (float)BatchNorm2d.Epsilon));

    // Eval-mode BatchNorm as y = scale * x + shift per channel, computed in float64.
    private static (Tensor Scale, Tensor Shift) Folding(Dictionary<string, Tensor> state, string name)
    {
        var gamma = state[$"{name}.weight"].to(ScalarType.Float64);
        var beta = state[$"{name}.bias"].to(ScalarType.Float64);
        var mean = state[$"{name}.running_mean"].to(ScalarType.Float64);
        var variance = state[$"{name}.running_var"].to(ScalarType.Float64);
        var scale = gamma * variance.Plus(BatchNorm2d.Epsilon).rsqrt();
        return (scale.to(ScalarType.Float32), beta.Plus(-(mean * scale)).to(ScalarType.Float32));
    }
}
