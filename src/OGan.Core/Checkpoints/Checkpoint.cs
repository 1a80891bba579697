using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OGan.Files;
using OGan.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = OGan.Models.Generator;

namespace OGan.Checkpoints;

/// <summary>
/// An OGan checkpoint: a safetensors file whose tensors are the networks' state_dicts under "generator.",
/// "encoder." and "generator_ema.", the optimizers' state under "optimizer.generator." and
/// "optimizer.encoder.", and "training.rng_state" / "training.permutation"; its metadata holds the format
/// marker, the run settings (JSON), the step and the data cursor. This type alone knows that layout
/// (docs/checkpoint-format.md describes it for other readers). Disposing frees the tensors. Training reads and
/// writes the rest (OGan.Training's <c>TrainingCheckpoints</c>): <c>checkpoint.Settings</c>, <c>Restore</c> and <c>Checkpoint.Write</c>.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    /// <summary>The format marker's value: version 2 carries a SHA-256 digest.</summary>
    public const string Format = "ogan-checkpoint/2";

    // Version 1, written before digests: still read, unverified.
    private const string FormatWithoutDigest = "ogan-checkpoint/1";

    internal const string FormatKey = "format";
    internal const string SettingsKey = "settings";
    internal const string StepKey = "step";
    internal const string CursorKey = "cursor";
    internal const string GeneratorPrefix = "generator.";
    internal const string EmaPrefix = "generator_ema.";
    internal const string EncoderPrefix = "encoder.";
    internal const string GeneratorOptimizerPrefix = "optimizer.generator.";
    internal const string EncoderOptimizerPrefix = "optimizer.encoder.";
    internal const string FadePrefix = "fade.";
    internal const string RngKey = "training.rng_state";
    internal const string PermutationKey = "training.permutation";

    // The settings' JSON as RunSettings writes it: snake_case names.
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly Dictionary<string, Tensor> tensors;

    private Checkpoint(string path, Dictionary<string, Tensor> tensors, string settingsJson, JsonNode? settings, OGanConfig model, long step, long cursor, bool isVerified)
    {
        Path = path;
        this.tensors = tensors;
        SettingsJson = settingsJson;
        Model = model;
        Step = step;
        Cursor = cursor;
        IsVerified = isVerified;
        var training = settings?["training"];
        BatchSize = training?["batch_size"]?.GetValue<long>() ?? 0;
        FadeImages = training?["fade_images"]?.GetValue<long>() ?? 0;
    }

    /// <summary>The parts of a checkpoint, by the prefix of their tensor names, in the order they are written.</summary>
    public static IReadOnlyList<CheckpointPart> Parts { get; } =
    [
        new(GeneratorPrefix, "G's weights and BatchNorm statistics"),
        new(EncoderPrefix, "E's weights and BatchNorm statistics (calibrated on real images)"),
        new(EmaPrefix, "the moving average of G's weights (with --ema; inference uses it)"),
        new(GeneratorOptimizerPrefix, "G's optimizer state"),
        new(EncoderOptimizerPrefix, "E's optimizer state"),
        new("training.", "the run's random generator and data order"),
        new(FadePrefix, "while a grown run's new layers fade in: the previous resolution's layers of G, E and the moving average"),
    ];

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The run's settings (model config, training options and data) as the JSON of options.json; OGan.Training reads them as <c>checkpoint.Settings</c>.</summary>
    public string SettingsJson { get; }

    /// <summary>The shape of the networks it holds.</summary>
    public OGanConfig Model { get; }

    /// <summary>Iterations done when it was written.</summary>
    public long Step { get; }

    /// <summary>Position in the current epoch's permutation.</summary>
    public long Cursor { get; }

    // The run's global batch and fade length: how far a grown run's new layers had faded in at this step.
    internal long BatchSize { get; }

    internal long FadeImages { get; }

    /// <summary>
    /// Whether the file carries a SHA-256 digest, which <see cref="Read"/> checked; false for files written before
    /// OGan added digests, whose damage cannot be detected.
    /// </summary>
    public bool IsVerified { get; }

    /// <summary>Whether it holds a moving average of G's weights.</summary>
    public bool HasEma => tensors.Keys.Any(k => k.StartsWith(EmaPrefix, StringComparison.Ordinal));

    /// <summary>Whether the run grew and its new layers were still fading in at this step: then the checkpoint holds the previous resolution's layers (<see cref="Models.Fade"/>).</summary>
    public bool IsFading => tensors.Keys.Any(k => k.StartsWith(FadePrefix, StringComparison.Ordinal));

    /// <summary>Every tensor name, for inspection.</summary>
    public IReadOnlyCollection<string> Names => tensors.Keys;

    /// <summary>The number of values in the tensors whose names start with <paramref name="prefix"/>.</summary>
    public long CountValues(string prefix) =>
        tensors.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(t => t.Value.numel());

    /// <summary>
    /// Reads and checks an OGan checkpoint (a file, or a run folder's latest): its digest, its settings' ranges, and every network tensor's shape
    /// against the settings (before any network is built); dispose it to free its tensors.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not an OGan checkpoint (or a damaged one); the one-line message names the file.</exception>
    public static Checkpoint Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            path = NumberedFiles.ByNumber(path, "checkpoint", ".safetensors") is { Count: > 0 } checkpoints ? checkpoints[^1] : throw new FileNotFoundException($"run folder {path} holds no checkpoint-*.safetensors yet", path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"checkpoint {path} does not exist", path);
        }

        var (tensors, metadata) = SafeTensors.Load(path);
        try
        {
            var isVerified = CheckFormat(path, metadata);
            var settingsJson = metadata.GetValueOrDefault(SettingsKey) ?? throw new InvalidDataException("it has no settings");
            var step = long.Parse(metadata.GetValueOrDefault(StepKey) ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
            var cursor = long.Parse(metadata.GetValueOrDefault(CursorKey) ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
            var settings = Parse(settingsJson);
            var config = ModelOf(settings).Validate();
            CheckShapes(tensors, GeneratorPrefix, Generator.StateShapes(config));
            CheckShapes(tensors, EncoderPrefix, Encoder.StateShapes(config));
            if (tensors.Keys.Any(k => k.StartsWith(EmaPrefix, StringComparison.Ordinal)))
            {
                CheckShapes(tensors, EmaPrefix, Generator.StateShapes(config));
            }

            if (tensors.Keys.Any(k => k.StartsWith(FadePrefix, StringComparison.Ordinal)))
            {
                var hasEma = tensors.Keys.Any(k => k.StartsWith(EmaPrefix, StringComparison.Ordinal));
                CheckShapes(tensors, FadePrefix, FadeShapes(config, hasEma));
            }

            return new Checkpoint(path, tensors, settingsJson, settings, config, step, cursor, isVerified);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or OverflowException or ArgumentException or InvalidOperationException)
        {
            DisposeAll(tensors.Values);
            throw e is InvalidDataException && e.Message.StartsWith(path, StringComparison.Ordinal)
                ? e
                : new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The run's settings (JSON) and whether the file carries a digest, from its header alone: for what must be
    /// known before the whole file is read (and checked) by <see cref="Read"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an OGan checkpoint; the message names the file.</exception>
    internal static (string SettingsJson, bool IsVerified) ReadSettingsJson(string path)
    {
        var metadata = SafeTensors.LoadMetadata(path);
        try
        {
            var isVerified = CheckFormat(path, metadata);
            return (metadata.GetValueOrDefault(SettingsKey) ?? throw new InvalidDataException("it has no settings"), isVerified);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static JsonNode? Parse(string settingsJson)
    {
        try
        {
            return JsonNode.Parse(settingsJson);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"unreadable run settings: {e.Message}", e);
        }
    }

    // The model part of the settings.
    private static OGanConfig ModelOf(JsonNode? settings)
    {
        try
        {
            return settings?["model"]?.Deserialize<OGanConfig>(Json) ?? throw new InvalidDataException("its settings have no model");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"unreadable run settings: {e.Message}", e);
        }
    }

    // The format marker, and the digest that version 2 must carry: whether the file is verified.
    private static bool CheckFormat(string path, Dictionary<string, string> metadata)
    {
        var format = metadata.GetValueOrDefault(FormatKey);
        if (format is not (Format or FormatWithoutDigest))
        {
            throw new InvalidDataException($"{path} is a safetensors file but not an OGan checkpoint (no '{Format}' marker)");
        }

        var isVerified = metadata.ContainsKey(SafeTensors.DigestKey);
        return format == Format && !isVerified
            ? throw new InvalidDataException($"{path} is damaged: its format carries a SHA-256 digest, but its header has none")
            : isVerified;
    }

    // Every network tensor must be there with the shape the settings give, and nothing else under its prefix.
    private static void CheckShapes(Dictionary<string, Tensor> tensors, string prefix, IEnumerable<(string Name, long[] Shape)> expected)
    {
        var names = new HashSet<string>();
        foreach (var (name, shape) in expected)
        {
            names.Add(prefix + name);
            if (!tensors.TryGetValue(prefix + name, out var tensor))
            {
                throw new InvalidDataException($"'{prefix}{name}' is missing");
            }

            if (!tensor.shape.SequenceEqual(shape))
            {
                throw new InvalidDataException($"'{prefix}{name}' has shape [{string.Join(", ", tensor.shape)}], its settings need [{string.Join(", ", shape)}]");
            }
        }

        if (tensors.Keys.FirstOrDefault(k => k.StartsWith(prefix, StringComparison.Ordinal) && !names.Contains(k)) is { } extra)
        {
            throw new InvalidDataException($"'{extra}' belongs to no part of the model its settings describe");
        }
    }

    /// <summary>Loads G's weights: the moving average when there is one and <paramref name="preferEma"/>, else the trained ones.</summary>
    /// <exception cref="InvalidDataException">The weights do not fit <paramref name="generator"/>.</exception>
    public void LoadGenerator(Generator generator, bool preferEma = true)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var prefix = preferEma && HasEma ? EmaPrefix : GeneratorPrefix;
        LoadModule(generator, prefix);
        generator.Fade = null;
        if (IsFading)
        {
            generator.Fade = Models.Fade.ForGenerator(Model);
            LoadFade(generator.Fade, prefix);
        }
    }

    /// <summary>Loads E's weights and BatchNorm statistics.</summary>
    /// <exception cref="InvalidDataException">The weights do not fit <paramref name="encoder"/>.</exception>
    public void LoadEncoder(Encoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        LoadModule(encoder, EncoderPrefix);
        encoder.Fade = null;
        if (IsFading)
        {
            encoder.Fade = Models.Fade.ForEncoder(Model);
            LoadFade(encoder.Fade, EncoderPrefix);
        }
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose() => DisposeAll(tensors.Values);

    internal Tensor Required(string key) =>
        tensors.TryGetValue(key, out var value) ? value : throw new ArgumentException($"it has no '{key}'");

    internal Tensor Required(string key, ScalarType dtype, long[] shape)
    {
        var value = Required(key);
        return value.dtype == dtype && value.shape.SequenceEqual(shape)
            ? value
            : throw new ArgumentException($"its '{key}' is {value.dtype} [{string.Join(", ", value.shape)}], not {dtype} [{string.Join(", ", shape)}]");
    }

    /// <summary>The tensors whose names start with <paramref name="prefix"/>, named without it.</summary>
    internal Dictionary<string, Tensor> Part(string prefix) =>
        tensors.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(t => t.Key[prefix.Length..], t => t.Value);

    internal void LoadModule(nn.Module module, string prefix)
    {
        try
        {
            StateDicts.Load(module, Part(prefix));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{Path}: the '{prefix.TrimEnd('.')}' weights do not fit the model it describes: {e.Message}", e);
        }
    }

    // A fade's layer, and its alpha at this checkpoint's step.
    internal void LoadFade(Fade fade, string networkPrefix)
    {
        LoadModule(fade.Layer, FadePrefix + networkPrefix);
        fade.Alpha = Fade.AlphaAfter(Step * BatchSize, FadeImages);
    }

    private static IEnumerable<(string Name, long[] Shape)> FadeShapes(OGanConfig config, bool hasEma)
    {
        var networks = hasEma ? new[] { GeneratorPrefix, EncoderPrefix, EmaPrefix } : [GeneratorPrefix, EncoderPrefix];
        return networks.SelectMany(network => (network == EncoderPrefix ? Fade.EncoderShapes(config) : Fade.GeneratorShapes(config))
            .Select(entry => (network + entry.Name, entry.Shape)));
    }

    internal static IEnumerable<(string, Tensor)> Prefixed(string prefix, IEnumerable<KeyValuePair<string, Tensor>> entries) =>
        entries.Select(e => (prefix + e.Key, e.Value));

    private static void DisposeAll(IEnumerable<Tensor> values)
    {
        foreach (var value in values)
        {
            value.Dispose();
        }
    }
}
