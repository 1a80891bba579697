using System.Text.Json;
using System.Text.Json.Serialization;

namespace OGan.Export;

/// <summary>
/// model.json beside an exported generator.onnx and encoder.onnx: what a caller needs to use them. This file is
/// compiled into OGan.Core (which writes it) and OGan.Onnx (which reads it), so the two cannot drift apart.
/// </summary>
internal sealed record ExportManifest
{
    /// <summary>The value of <see cref="Format"/> this code writes and reads.</summary>
    public const string CurrentFormat = "ogan-onnx/1";

    /// <summary>The name of the manifest in an export folder.</summary>
    public const string FileName = "model.json";

    /// <summary>The name of G's graph in an export folder.</summary>
    public const string GeneratorFile = "generator.onnx";

    /// <summary>The name of E's graph in an export folder.</summary>
    public const string EncoderFile = "encoder.onnx";

    /// <summary>Names of the graphs' inputs and outputs.</summary>
    public const string LatentsName = "latents", ImagesName = "images", CodesName = "codes";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a file, not HTML: '+' stays '+'
    };

    /// <summary>"ogan-onnx/1".</summary>
    public string Format { get; init; } = CurrentFormat;

    /// <summary>The version of OGan that exported the model.</summary>
    public string OganVersion { get; init; } = "";

    /// <summary>The ONNX opset of both graphs.</summary>
    public int Opset { get; init; }

    /// <summary>Image side in pixels.</summary>
    public int ImageSize { get; init; }

    /// <summary>1 (grey) or 3 (RGB).</summary>
    public int Channels { get; init; }

    /// <summary>The latent dimension z.</summary>
    public int LatentDim { get; init; }

    /// <summary>How pixels map to the graphs' images: NCHW float32, value = byte / 127.5 - 1.</summary>
    public string Pixels { get; init; } = "NCHW float32 in [-1, 1]: value = byte / 127.5 - 1, byte = round((value + 1) * 127.5) clamped to 0..255";

    /// <summary>How encoder.onnx's second output derives from its first.</summary>
    public string Standardisation { get; init; } = "latents = N(codes): per sample, (codes - mean) / sqrt(max(mean((codes - mean)^2), 1e-12))";

    /// <summary>The author's factor on N(E(x)) for reconstructions: G(0.9 N(E(x))).</summary>
    public double ReconstructionScale { get; init; } = 0.9;

    /// <summary>How photos of another size become inputs: the largest centred square, resized with a triangle filter.</summary>
    public string Preprocessing { get; init; } = "EXIF orientation applied; largest centred square, resized to image_size with a triangle (bilinear, antialiased) filter; grey = ITU-R 601 luma";

    /// <summary>Whether generator.onnx holds the EMA copy of G.</summary>
    public bool GeneratorIsEma { get; init; }

    /// <summary>Whether BatchNorm was folded into the convolutions and linear layers (else BatchNormalization nodes).</summary>
    public bool BatchNormFolded { get; init; }

    /// <summary>The training step of the checkpoint.</summary>
    public long Step { get; init; }

    /// <summary>The checkpoint's file name.</summary>
    public string Checkpoint { get; init; } = "";

    /// <summary>SHA-256 of the checkpoint file, hex.</summary>
    public string CheckpointSha256 { get; init; } = "";

    /// <summary>Whether the checkpoint's own digest was present and checked when it was loaded.</summary>
    public bool CheckpointVerified { get; init; }

    /// <summary>SHA-256 of generator.onnx, hex: the graphs and this file are one set (empty in exports before OGan 0.4).</summary>
    public string GeneratorSha256 { get; init; } = "";

    /// <summary>SHA-256 of encoder.onnx, hex (empty in exports before OGan 0.4).</summary>
    public string EncoderSha256 { get; init; } = "";

    /// <summary>
    /// Checks that the graphs in <paramref name="directory"/> are the ones this manifest was written with (when it
    /// names their digests): a folder half overwritten by another export is refused instead of loading silently.
    /// </summary>
    /// <exception cref="InvalidDataException">A graph's digest differs; the message names the file.</exception>
    public void VerifyGraphs(string directory)
    {
        foreach (var (file, expected) in new[] { (GeneratorFile, GeneratorSha256), (EncoderFile, EncoderSha256) })
        {
            var path = Path.Combine(directory, file);
            if (expected.Length == 0 || !File.Exists(path))
            {
                continue;
            }

            using var stream = File.OpenRead(path);
            if (!string.Equals(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream)), expected, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{path} is not the graph {FileName} was written with (a half-overwritten or mixed export folder?): export the model again with `ogan export`");
            }
        }
    }

    /// <summary>The manifest as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads model.json from <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidDataException">Missing, not JSON, another format, or sizes out of range; the message names the file.</exception>
    public static ExportManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: no such file; is {directory} a folder written by `ogan export`?");
        }

        ExportManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ExportManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a model.json of `ogan export` ({e.Message})", e);
        }

        if (manifest is null || manifest.Format != CurrentFormat)
        {
            throw new InvalidDataException($"{path}: format '{manifest?.Format}', this version reads '{CurrentFormat}'");
        }

        if (manifest.ImageSize is < 8 or > 4096 || manifest.Channels is not (1 or 3) || manifest.LatentDim is < 1 or > 65536)
        {
            throw new InvalidDataException($"{path}: image_size {manifest.ImageSize}, channels {manifest.Channels} or latent_dim {manifest.LatentDim} is out of range");
        }

        return manifest;
    }
}
