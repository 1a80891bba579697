using System.Text.Json.Nodes;

namespace OGan.Training;

/// <summary>
/// What a resumed run may change: how it goes on (how long, how fast, on what device and in what precision, how
/// often it logs, saves and calibrates), never what is trained (model, data, batch, objective, optimizer, moving
/// average, seed, flips, held-out share, formulation): those would make the checkpoint's state mean something else.
/// </summary>
public static class ResumePolicy
{
    /// <summary>The settings, as options.json names them, that a resumed run may change.</summary>
    public static IReadOnlySet<string> MayChange { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "training.steps", "training.learning_rate", "training.encoder_learning_rate", "training.generator_learning_rate",
        "training.learning_rate_decay", "training.learning_rate_floor", "training.schedule_steps", "training.device",
        "training.precision", "training.channels_last", "training.calibration_images", "training.log_every",
        "training.sample_every", "training.metrics_every", "training.snapshot_every",
        "training.effective_learning_rate", "training.effective_encoder_learning_rate", "training.effective_generator_learning_rate",
        "training.schedule_length",
    };

    /// <summary>Every setting whose value differs between <paramref name="was"/> and <paramref name="now"/>, as options.json names and writes it.</summary>
    public static IReadOnlyList<SettingChange> Changes(RunSettings was, RunSettings now)
    {
        ArgumentNullException.ThrowIfNull(was);
        ArgumentNullException.ThrowIfNull(now);
        var changes = new List<SettingChange>();
        Compare("", JsonNode.Parse(was.ToJson()), JsonNode.Parse(now.ToJson()), changes);
        return changes;
    }

    /// <summary>
    /// The settings a run resumed from <paramref name="checkpointPath"/> trains with: <paramref name="trained"/> as
    /// <paramref name="adjust"/> changes them, refused where that changes what is trained; and the changes, for options.json.
    /// </summary>
    /// <exception cref="ArgumentException">The model's shape or another setting outside <see cref="MayChange"/> changed.</exception>
    internal static (RunSettings Settings, IReadOnlyList<SettingChange> Changes) Apply(string checkpointPath, RunSettings trained, Func<RunSettings, RunSettings> adjust)
    {
        var settings = adjust(trained);
        if (settings.Model != trained.Model)
        {
            throw new ArgumentException($"{checkpointPath}: the model's shape cannot change on resume ({trained.Model} was trained)");
        }

        return (settings, Check(trained, settings));
    }

    /// <summary>Refuses, naming the first, a change to a setting that says what is trained.</summary>
    /// <exception cref="ArgumentException">A setting outside <see cref="MayChange"/> differs.</exception>
    public static IReadOnlyList<SettingChange> Check(RunSettings was, RunSettings now)
    {
        var changes = Changes(was, now);
        if (FirstRefused(changes) is { } refused)
        {
            throw new ArgumentException(
                $"{refused.Name} cannot change on resume (the run was trained with {refused.Was?.ToJsonString() ?? "null"}, asked {refused.Now?.ToJsonString() ?? "null"}): it changes what is trained; start a new run instead");
        }

        return changes;
    }

    /// <summary>The first change from <paramref name="was"/> to <paramref name="now"/> that a resumed run may not make (outside <see cref="MayChange"/>), or null.</summary>
    public static SettingChange? FirstRefused(RunSettings was, RunSettings now) => FirstRefused(Changes(was, now));

    private static SettingChange? FirstRefused(IReadOnlyList<SettingChange> changes) => changes.FirstOrDefault(change => !MayChange.Contains(change.Name));

    private static void Compare(string path, JsonNode? was, JsonNode? now, List<SettingChange> changes)
    {
        if (was is JsonObject wasObject && now is JsonObject nowObject)
        {
            foreach (var key in wasObject.Select(p => p.Key).Union(nowObject.Select(p => p.Key)))
            {
                Compare(path.Length == 0 ? key : $"{path}.{key}", wasObject[key], nowObject[key], changes);
            }
        }
        else if (!JsonNode.DeepEquals(was, now))
        {
            changes.Add(new SettingChange(path, was?.DeepClone(), now?.DeepClone()));
        }
    }
}

/// <summary>A setting that changed on resume: its name in options.json, its value before and after.</summary>
/// <param name="Name">The setting, e.g. training.learning_rate.</param>
/// <param name="Was">Its value in the checkpoint.</param>
/// <param name="Now">Its value from the resume on.</param>
public sealed record SettingChange(string Name, JsonNode? Was, JsonNode? Now);
