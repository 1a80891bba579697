using Microsoft.ML.OnnxRuntime;
using OGan.Export;
using OGan.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OGan.Onnx;

/// <summary>
/// An O-GAN exported by <c>ogan export</c>, run by ONNX Runtime: sample images, encode images, reconstruct
/// them as G(N(E(x))) and interpolate between them, with no TorchSharp. Images go in and out as ImageSharp
/// images (any size: the largest centred square is resized to the model's); values as flat float arrays,
/// (N, z) latents and (N, C, S, S) images in [-1, 1]. Safe to call from several threads at once.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    /// <summary>How many images the image methods put through a network at a time.</summary>
    public const int BatchSize = 64;

    private readonly ExportManifest manifest;
    private readonly InferenceSession generator;
    private readonly InferenceSession encoder;

    private OnnxModel(ExportManifest manifest, InferenceSession generator, InferenceSession encoder)
    {
        this.manifest = manifest;
        this.generator = generator;
        this.encoder = encoder;
    }

    /// <summary>Image side in pixels.</summary>
    public int ImageSize => manifest.ImageSize;

    /// <summary>1 (grey) or 3 (RGB).</summary>
    public int Channels => manifest.Channels;

    /// <summary>The latent dimension z.</summary>
    public int LatentDim => manifest.LatentDim;

    /// <summary>The training step of the checkpoint the model was exported from.</summary>
    public long Step => manifest.Step;

    /// <summary>SHA-256 (hex) of the checkpoint file the model was exported from.</summary>
    public string CheckpointSha256 => manifest.CheckpointSha256;

    /// <summary>The version of OGan that exported the model.</summary>
    public string ExportedBy => manifest.OganVersion;

    /// <summary>The author's factor on N(E(x)) for reconstructions (0.9), for <see cref="Reconstruct"/>'s scale.</summary>
    public float RecommendedReconstructionScale => (float)manifest.ReconstructionScale;

    /// <summary>Loads generator.onnx, encoder.onnx and model.json from <paramref name="directory"/>, with ONNX Runtime's <paramref name="options"/> (its defaults if null).</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is not what <c>ogan export</c> writes; the message names it.</exception>
    public static OnnxModel Load(string directory, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var manifest = ExportManifest.Read(directory);
        manifest.VerifyGraphs(directory);
        var generator = Open(Path.Combine(directory, ExportManifest.GeneratorFile), options);
        InferenceSession? encoder = null;
        try
        {
            encoder = Open(Path.Combine(directory, ExportManifest.EncoderFile), options);
            Expect(generator, ExportManifest.LatentsName, [-1, manifest.LatentDim], ExportManifest.ImagesName, [-1, manifest.Channels, manifest.ImageSize, manifest.ImageSize]);
            Expect(encoder, ExportManifest.ImagesName, [-1, manifest.Channels, manifest.ImageSize, manifest.ImageSize], ExportManifest.LatentsName, [-1, manifest.LatentDim]);
            return new OnnxModel(manifest, generator, encoder);
        }
        catch
        {
            generator.Dispose();
            encoder?.Dispose();
            throw;
        }
    }

    /// <summary><paramref name="count"/> latents from N(0, I), (count, z) flat, seeded (a .NET generator: not the latents of OGanModel's seeds).</summary>
    public float[] Latents(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var random = new Random(seed);
        var values = new float[checked(count * LatentDim)];
        for (var i = 0; i < values.Length; i++)
        {
            // Box-Muller; 1 - u keeps the logarithm finite.
            double u = 1.0 - random.NextDouble(), v = random.NextDouble();
            values[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v));
        }

        return values;
    }

    /// <summary>G(z) for (N, z) latents, flat: (N, C, S, S) values in [-1, 1]; run <see cref="BatchSize"/> latents at a time.</summary>
    /// <exception cref="ArgumentException">The length is not a whole number of latents.</exception>
    public float[] Generate(float[] latents)
    {
        Count(latents, LatentDim, nameof(latents));
        return InBatches(latents, LatentDim, chunk => Run(generator, ExportManifest.LatentsName, chunk, [chunk.Length / LatentDim, LatentDim], ExportManifest.ImagesName))[0];
    }

    /// <summary>E(x) and N(E(x)) for (N, C, S, S) images in [-1, 1], flat: (N, z) each; run <see cref="BatchSize"/> images at a time.</summary>
    /// <exception cref="ArgumentException">The length is not a whole number of images.</exception>
    public (float[] Latents, float[] Codes) EncodeValues(float[] images)
    {
        var size = Channels * ImageSize * ImageSize;
        Count(images, size, nameof(images));
        var outputs = InBatches(images, size, chunk =>
            Run(encoder, ExportManifest.ImagesName, chunk, [chunk.Length / size, Channels, ImageSize, ImageSize], ExportManifest.LatentsName, ExportManifest.CodesName));
        return (outputs[0], outputs[1]);
    }

    /// <summary><paramref name="count"/> images generated from seeded latents.</summary>
    public Image[] Sample(int count, int seed) => ToImages(Generate(Latents(count, seed)));

    /// <summary>N(E(x)) of each image: the latents that reconstruct it.</summary>
    public float[][] Encode(IReadOnlyList<Image> images) =>
        [.. Batches(images).SelectMany(batch => Rows(EncodeValues(ToValues(batch)).Latents, LatentDim))];

    /// <summary>G(scale · N(E(x))) of each image (<see cref="RecommendedReconstructionScale"/> is the author's 0.9).</summary>
    public Image[] Reconstruct(IReadOnlyList<Image> images, float scale = 1f) =>
        [.. Batches(images).SelectMany(batch => ToImages(Generate([.. EncodeValues(ToValues(batch)).Latents.Select(v => v * scale)])))];

    /// <summary><paramref name="steps"/> images along the straight line from N(E(a)) to N(E(b)).</summary>
    public Image[] Interpolate(Image a, Image b, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        var ends = Encode([a, b]);
        var latents = new float[steps * LatentDim];
        for (var i = 0; i < steps; i++)
        {
            var t = (float)i / (steps - 1);
            for (var j = 0; j < LatentDim; j++)
            {
                latents[(i * LatentDim) + j] = ((1 - t) * ends[0][j]) + (t * ends[1][j]);
            }
        }

        return ToImages(Generate(latents));
    }

    /// <summary>Images as the networks take them: (N, C, S, S) values in [-1, 1], each squared and resized as training prepared photos.</summary>
    public float[] ToValues(IReadOnlyList<Image> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var size = Channels * ImageSize * ImageSize;
        var values = new float[checked(images.Count * size)];
        for (var i = 0; i < images.Count; i++)
        {
            using var copy = images[i].CloneAs<Rgba32>();
            SquareImage.CropAndResize(copy, ImageSize);
            var planar = SquareImage.Planar(copy, Channels);
            for (var j = 0; j < size; j++)
            {
                values[(i * size) + j] = PixelScale.ToValue(planar[j]);
            }
        }

        return values;
    }

    /// <summary>(N, C, S, S) values in [-1, 1] as N images: 8-bit grey (L8) or RGB (Rgb24).</summary>
    /// <exception cref="ArgumentException">The length is not a whole number of images.</exception>
    public Image[] ToImages(float[] values)
    {
        int plane = ImageSize * ImageSize, count = Count(values, Channels * plane, nameof(values));
        var images = new Image[count];
        for (var i = 0; i < count; i++)
        {
            var interleaved = new byte[Channels * plane];
            for (var c = 0; c < Channels; c++)
            {
                for (var p = 0; p < plane; p++)
                {
                    interleaved[(p * Channels) + c] = PixelScale.ToByte(values[(((i * Channels) + c) * plane) + p]);
                }
            }

            images[i] = Channels == 1
                ? Image.LoadPixelData<L8>(interleaved, ImageSize, ImageSize)
                : Image.LoadPixelData<Rgb24>(interleaved, ImageSize, ImageSize);
        }

        return images;
    }

    /// <summary>Releases both ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        generator.Dispose();
        encoder.Dispose();
    }

    private static InferenceSession Open(string path, SessionOptions? options)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file; export the model again with `ogan export`", path);
        }

        try
        {
            return options is null ? new InferenceSession(path) : new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{path}: ONNX Runtime cannot load it ({e.Message.Split('\n')[0]})", e);
        }
    }

    // The graph's named input and output have the shapes the manifest implies (-1: the dynamic batch).
    private static void Expect(InferenceSession session, string input, int[] inputShape, string output, int[] outputShape)
    {
        if (!session.InputMetadata.TryGetValue(input, out var inputs) || !inputs.Dimensions.SequenceEqual(inputShape) ||
            !session.OutputMetadata.TryGetValue(output, out var outputs) || !outputs.Dimensions.SequenceEqual(outputShape))
        {
            throw new InvalidDataException(
                $"{session.ModelMetadata.GraphName}: expected {input} [{string.Join(", ", inputShape)}] to {output} [{string.Join(", ", outputShape)}] as model.json says; export the model again with `ogan export`");
        }
    }

    private static float[][] Run(InferenceSession session, string input, float[] values, long[] shape, params string[] outputs)
    {
        using var options = new RunOptions();
        using var value = OrtValue.CreateTensorValueFromMemory(values, shape);
        using var results = session.Run(options, [input], [value], outputs);
        return [.. results.Select(r => r.GetTensorDataAsSpan<float>().ToArray())];
    }

    // Runs a graph on at most BatchSize items of `size` values at a time and joins each output's parts in order.
    private static float[][] InBatches(float[] values, int size, Func<float[], float[][]> run)
    {
        if (values.Length <= BatchSize * size)
        {
            return run(values);
        }

        var parts = values.Chunk(BatchSize * size).Select(run).ToList();
        return [.. Enumerable.Range(0, parts[0].Length).Select(output => parts.SelectMany(part => part[output]).ToArray())];
    }

    private static int Count(float[] values, int size, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        return values.Length == 0 || values.Length % size != 0
            ? throw new ArgumentException($"{values.Length} values are not a whole number of {size}-value items", name)
            : values.Length / size;
    }

    private static IEnumerable<Image[]> Batches(IReadOnlyList<Image> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return images.Count == 0 ? throw new ArgumentException("no images", nameof(images)) : images.Chunk(BatchSize);
    }

    private static IEnumerable<float[]> Rows(float[] values, int width) => values.Chunk(width);
}
