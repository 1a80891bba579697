using System.Globalization;
using OGan.Models;
using OGan.Training;
using TorchSharp;
using static TorchSharp.torch;
using Generator = OGan.Models.Generator;

namespace OGan.Checkpoints;

/// <summary>
/// An OGan checkpoint: a safetensors file whose tensors are the networks' state_dicts under "generator.",
/// "encoder." and "generator_ema.", the optimizers' state under "optimizer.generator." and
/// "optimizer.encoder.", and "training.rng_state" / "training.permutation"; its metadata holds the format
/// marker, the run settings (JSON), the step and the data cursor. This type alone knows that layout
/// (docs/checkpoint-format.md describes it for other readers). Disposing frees the tensors.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    /// <summary>The format marker's value: version 2 carries a SHA-256 digest.</summary>
    public const string Format = "ogan-checkpoint/2";

    // Version 1, written before digests: still read, unverified.
    private const string FormatWithoutDigest = "ogan-checkpoint/1";

    private const string FormatKey = "format";
    private const string SettingsKey = "settings";
    private const string StepKey = "step";
    private const string CursorKey = "cursor";
    internal const string GeneratorPrefix = "generator.";
    internal const string EmaPrefix = "generator_ema.";
    internal const string EncoderPrefix = "encoder.";
    internal const string GeneratorOptimizerPrefix = "optimizer.generator.";
    internal const string EncoderOptimizerPrefix = "optimizer.encoder.";
    private const string FadePrefix = "fade.";
    private const string RngKey = "training.rng_state";
    private const string PermutationKey = "training.permutation";

    private readonly Dictionary<string, Tensor> tensors;

    private Checkpoint(string path, Dictionary<string, Tensor> tensors, RunSettings settings, long step, long cursor, bool isVerified)
    {
        Path = path;
        this.tensors = tensors;
        Settings = settings;
        Step = step;
        Cursor = cursor;
        IsVerified = isVerified;
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

    /// <summary>The model config, training options and data of the run.</summary>
    public RunSettings Settings { get; }

    /// <summary>Iterations done when it was written.</summary>
    public long Step { get; }

    /// <summary>Position in the current epoch's permutation.</summary>
    public long Cursor { get; }

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
            path = RunFolder.LatestCheckpoint(path) ?? throw new FileNotFoundException($"run folder {path} holds no checkpoint-*.safetensors yet", path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"checkpoint {path} does not exist", path);
        }

        var (tensors, metadata) = SafeTensors.Load(path);
        try
        {
            var isVerified = CheckFormat(path, metadata);
            var settings = RunSettings.FromJson(metadata.GetValueOrDefault(SettingsKey) ?? throw new InvalidDataException("it has no settings"));
            var step = long.Parse(metadata.GetValueOrDefault(StepKey) ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
            var cursor = long.Parse(metadata.GetValueOrDefault(CursorKey) ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
            var config = settings.Model.Validate();
            settings.Training.Validate();
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

            return new Checkpoint(path, tensors, settings, step, cursor, isVerified);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or OverflowException or ArgumentException)
        {
            DisposeAll(tensors.Values);
            throw e is InvalidDataException && e.Message.StartsWith(path, StringComparison.Ordinal)
                ? e
                : new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The run's settings and whether the file carries a digest, from its header alone: for what must be known
    /// before the whole file is read (and checked) by <see cref="Read"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an OGan checkpoint; the message names the file.</exception>
    internal static (RunSettings Settings, bool IsVerified) ReadSettings(string path)
    {
        var metadata = SafeTensors.LoadMetadata(path);
        try
        {
            var isVerified = CheckFormat(path, metadata);
            return (RunSettings.FromJson(metadata.GetValueOrDefault(SettingsKey) ?? throw new InvalidDataException("it has no settings")), isVerified);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
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

    /// <summary>Writes a training state atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, RunSettings settings, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(state);
        using var scope = NewDisposeScope();
        var entries = new List<(string, Tensor)>();
        entries.AddRange(Prefixed(GeneratorPrefix, state.Generator.state_dict()));
        entries.AddRange(Prefixed(EncoderPrefix, state.Encoder.state_dict()));
        if (state.Ema is not null)
        {
            entries.AddRange(Prefixed(EmaPrefix, state.Ema.state_dict()));
        }

        if (state.IsFading)
        {
            entries.AddRange(Prefixed(FadePrefix + GeneratorPrefix, state.Generator.Fade!.Layer.state_dict()));
            entries.AddRange(Prefixed(FadePrefix + EncoderPrefix, state.Encoder.Fade!.Layer.state_dict()));
            if (state.Ema is not null)
            {
                entries.AddRange(Prefixed(FadePrefix + EmaPrefix, state.Ema.Fade!.Layer.state_dict()));
            }
        }

        entries.AddRange(Prefixed(GeneratorOptimizerPrefix, OptimizerStates.Save(state.GeneratorOptimizer)));
        entries.AddRange(Prefixed(EncoderOptimizerPrefix, OptimizerStates.Save(state.EncoderOptimizer)));
        entries.Add((RngKey, state.Random.get_state()));
        entries.Add((PermutationKey, tensor(state.Permutation)));
        SafeTensors.Save(path, entries, new Dictionary<string, string>
        {
            [FormatKey] = Format,
            [SettingsKey] = settings.ToJson(),
            [StepKey] = state.Step.ToString(CultureInfo.InvariantCulture),
            [CursorKey] = state.Cursor.ToString(CultureInfo.InvariantCulture),
        });
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
            generator.Fade = Models.Fade.ForGenerator(Settings.Model);
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
            encoder.Fade = Models.Fade.ForEncoder(Settings.Model);
            LoadFade(encoder.Fade, EncoderPrefix);
        }
    }

    /// <summary>Puts a trainer's state back as it was when this checkpoint was written.</summary>
    /// <exception cref="InvalidDataException">The checkpoint does not fit the state (another model, optimizer or data set).</exception>
    public void Restore(TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        LoadModule(state.Generator, GeneratorPrefix);
        LoadModule(state.Encoder, EncoderPrefix);
        if (state.Ema is not null)
        {
            LoadModule(state.Ema, HasEma ? EmaPrefix : GeneratorPrefix);
        }

        if (state.IsFading != IsFading && Fade.AlphaAfter(Step * Settings.Training.BatchSize, Settings.Training.FadeImages) < 1)
        {
            throw new InvalidDataException($"{Path} cannot resume this run: it was written {(IsFading ? "while" : "after")} new layers faded in, the run's settings say {(IsFading ? "after" : "while")}");
        }

        if (IsFading && state.IsFading)
        {
            LoadFade(state.Generator.Fade!, GeneratorPrefix);
            LoadFade(state.Encoder.Fade!, EncoderPrefix);
            if (state.Ema is not null)
            {
                LoadFade(state.Ema.Fade!, HasEma ? EmaPrefix : GeneratorPrefix);
            }
        }

        try
        {
            OptimizerStates.Load(state.GeneratorOptimizer, Part(GeneratorOptimizerPrefix));
            OptimizerStates.Load(state.EncoderOptimizer, Part(EncoderOptimizerPrefix));
            using (var current = state.Random.get_state())
            {
                state.Random.set_state(Required(RngKey, ScalarType.Byte, current.shape));
            }

            var permutation = Required(PermutationKey, ScalarType.Int64, [state.Permutation.Length]);
            state.Restore(Step, Cursor, permutation.data<long>().ToArray());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.Runtime.InteropServices.ExternalException)
        {
            throw new InvalidDataException($"{Path} cannot resume this run: {e.Message.Split('\n', 2)[0].Trim()}", e);
        }
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose() => DisposeAll(tensors.Values);

    private Tensor Required(string key) =>
        tensors.TryGetValue(key, out var value) ? value : throw new ArgumentException($"it has no '{key}'");

    private Tensor Required(string key, ScalarType dtype, long[] shape)
    {
        var value = Required(key);
        return value.dtype == dtype && value.shape.SequenceEqual(shape)
            ? value
            : throw new ArgumentException($"its '{key}' is {value.dtype} [{string.Join(", ", value.shape)}], not {dtype} [{string.Join(", ", shape)}]");
    }

    /// <summary>The tensors whose names start with <paramref name="prefix"/>, named without it.</summary>
    internal Dictionary<string, Tensor> Part(string prefix) =>
        tensors.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(t => t.Key[prefix.Length..], t => t.Value);

    private void LoadModule(nn.Module module, string prefix)
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
    private void LoadFade(Fade fade, string networkPrefix)
    {
        LoadModule(fade.Layer, FadePrefix + networkPrefix);
        fade.Alpha = Fade.AlphaAfter(Step * Settings.Training.BatchSize, Settings.Training.FadeImages);
    }

    private static IEnumerable<(string Name, long[] Shape)> FadeShapes(OGanConfig config, bool hasEma)
    {
        var networks = hasEma ? new[] { GeneratorPrefix, EncoderPrefix, EmaPrefix } : [GeneratorPrefix, EncoderPrefix];
        return networks.SelectMany(network => (network == EncoderPrefix ? Fade.EncoderShapes(config) : Fade.GeneratorShapes(config))
            .Select(entry => (network + entry.Name, entry.Shape)));
    }

    private static IEnumerable<(string, Tensor)> Prefixed(string prefix, IEnumerable<KeyValuePair<string, Tensor>> entries) =>
        entries.Select(e => (prefix + e.Key, e.Value));

    private static void DisposeAll(IEnumerable<Tensor> values)
    {
        foreach (var value in values)
        {
            value.Dispose();
        }
    }
}
