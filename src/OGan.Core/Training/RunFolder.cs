using OGan.Files;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OGan.Training;

/// <summary>
/// A run's folder, e.g. runs/00003-fashion-mnist-32: options.json, stats.jsonl, samples-NNNNNN.png,
/// reconstructions-NNNNNN.png and checkpoint-NNNNNN.safetensors.
/// </summary>
public sealed partial class RunFolder(string path)
{
    /// <summary>The folder.</summary>
    public string Path { get; } = path;

    /// <summary>options.json: the model config and training options.</summary>
    public string OptionsFile => System.IO.Path.Combine(Path, "options.json");

    /// <summary>stats.jsonl: one JSON line per log interval.</summary>
    public string StatsFile => System.IO.Path.Combine(Path, "stats.jsonl");

    /// <summary>
    /// Writes options.json: <paramref name="settings"/>, the ones in force, and under "resumed" every resume that
    /// changed a setting (those of earlier resumes kept), with the step and each setting's value before and after.
    /// </summary>
    public void WriteOptions(RunSettings settings, long resumedAt = 0, IReadOnlyList<SettingChange>? changes = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var root = JsonNode.Parse(settings.ToJson())!.AsObject();
        var history = EarlierResumes();
        if (changes is { Count: > 0 })
        {
            var changed = new JsonObject();
            foreach (var change in changes)
            {
                changed[change.Name] = new JsonObject { ["was"] = change.Was?.DeepClone(), ["now"] = change.Now?.DeepClone() };
            }

            history.Add(new JsonObject { ["step"] = resumedAt, ["changed"] = changed });
        }

        if (history.Count > 0)
        {
            root["resumed"] = history;
        }

        AtomicFile.WriteAllBytes(OptionsFile, System.Text.Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
    }

    // The "resumed" list of the options.json there is (none if it is missing or unreadable).
    private JsonArray EarlierResumes()
    {
        try
        {
            return File.Exists(OptionsFile) && JsonNode.Parse(File.ReadAllText(OptionsFile))?["resumed"] is JsonArray earlier ? (JsonArray)earlier.DeepClone() : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>Creates the next numbered folder under <paramref name="root"/>: NNNNN-description.</summary>
    public static RunFolder CreateNext(string root, string description)
    {
        description = AtomicFile.SafeName(description);
        Directory.CreateDirectory(root);
        var next = Directory.EnumerateDirectories(root)
            .Select(d => NumberPattern().Match(System.IO.Path.GetFileName(d)))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1)
            .DefaultIfEmpty(0)
            .Max();
        var folder = System.IO.Path.Combine(root, $"{next:D5}-{description}");
        Directory.CreateDirectory(folder);
        return new RunFolder(folder);
    }

    /// <summary>The JSON-lines file of metric <paramref name="name"/> (one line per evaluation).</summary>
    public string Metric(string name) => System.IO.Path.Combine(Path, $"metric-{name}.jsonl");

    /// <summary>held-out.txt: the names of the images held back from training (one per line), which `ogan eval` measures against.</summary>
    public string HeldOutFile => System.IO.Path.Combine(Path, "held-out.txt");

    /// <summary>Writes <see cref="HeldOutFile"/> atomically.</summary>
    internal void WriteHeldOut(IReadOnlyList<string> names) =>
        AtomicFile.WriteAllBytes(HeldOutFile, System.Text.Encoding.UTF8.GetBytes(string.Concat(names.Select(name => name + "\n"))));

    /// <summary>The checkpoint file for <paramref name="step"/>.</summary>
    public string Checkpoint(long step) => System.IO.Path.Combine(Path, $"checkpoint-{step:D6}.safetensors");

    /// <summary>The sample grid for <paramref name="step"/>.</summary>
    public string Samples(long step) => System.IO.Path.Combine(Path, $"samples-{step:D6}.png");

    /// <summary>The reconstruction grid for <paramref name="step"/>.</summary>
    public string Reconstructions(long step) => System.IO.Path.Combine(Path, $"reconstructions-{step:D6}.png");

    /// <summary>
    /// Drops the lines of stats.jsonl and metric-*.jsonl logged after <paramref name="step"/> (a run stopped
    /// after logging past its last checkpoint, then resumed from it, would log those steps again), and a last
    /// line cut short by a crash.
    /// </summary>
    public void TruncateLogs(long step)
    {
        foreach (var file in Directory.EnumerateFiles(Path, "metric-*.jsonl").Append(StatsFile).Where(File.Exists))
        {
            var lines = File.ReadAllLines(file);
            var kept = lines.Where(line => StepOfLine(line) is { } logged && logged <= step).ToArray();
            if (kept.Length < lines.Length)
            {
                AtomicFile.WriteAllBytes(file, System.Text.Encoding.UTF8.GetBytes(string.Concat(kept.Select(line => line + "\n"))));
            }
        }
    }

    /// <summary>Deletes the temporary files of writes a killed process left unfinished (checkpoints, grids, logs).</summary>
    public void RemoveTemporaryFiles()
    {
        foreach (var file in Directory.EnumerateFiles(Path, "*.tmp-*"))
        {
            File.Delete(file);
        }
    }

    /// <summary>The checkpoint of the highest step in <paramref name="folder"/>, or null if there is none.</summary>
    public static string? LatestCheckpoint(string folder) => CheckpointsByStep(folder) is { Count: > 0 } checkpoints ? checkpoints[^1] : null;

    /// <summary>The checkpoint-NNNNNN.safetensors files of <paramref name="folder"/>, by step (numbers, not names: step 1,000,000 has 7 digits).</summary>
    internal static IReadOnlyList<string> CheckpointsByStep(string folder) => NumberedFiles.ByNumber(folder, "checkpoint", ".safetensors");

    /// <summary>Whether <paramref name="fileName"/> is one of the grids a run writes (samples-N.png, reconstructions-N.png).</summary>
    internal static bool IsGrid(string fileName) =>
        NumberedFiles.NumberOf(fileName, "samples", ".png") is not null || NumberedFiles.NumberOf(fileName, "reconstructions", ".png") is not null;

    private static long? StepOfLine(string line)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            return json.RootElement.TryGetProperty("step", out var step) && step.TryGetInt64(out var value) ? value : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // not a log line (a line cut short by a crash): dropped
        }
    }

    [GeneratedRegex(@"^(\d{5})-")]
    private static partial Regex NumberPattern();
}
