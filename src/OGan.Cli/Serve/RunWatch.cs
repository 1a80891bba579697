using System.Text.Json;
using OGan.Training;

namespace OGan.Cli.Serve;

/// <summary>What a run folder shows while `ogan train` writes it: options, training curves, newest grids.</summary>
internal static class RunWatch
{
    private const int MaxPoints = 1000;

    /// <summary>The run's options, its stats.jsonl (thinned to at most 1,000 rows) and the newest grid files.</summary>
    public static object Describe(string runFolder)
    {
        var optionsFile = Path.Combine(runFolder, "options.json");
        var options = File.Exists(optionsFile) ? JsonDocument.Parse(File.ReadAllText(optionsFile)).RootElement.Clone() : (JsonElement?)null;
        var rows = ReadStats(Path.Combine(runFolder, "stats.jsonl"));
        var stride = Math.Max(1, (rows.Count + MaxPoints - 1) / MaxPoints);
        return new
        {
            run = Path.GetFileName(runFolder),
            options,
            stats = rows.Where((_, i) => i % stride == 0 || i == rows.Count - 1).ToList(),
            samples = Newest(runFolder, "samples"),
            reconstructions = Newest(runFolder, "reconstructions"),
        };
    }

    /// <summary>A signature that changes whenever the run writes something the page shows.</summary>
    public static string Signature(string runFolder)
    {
        var stats = new FileInfo(Path.Combine(runFolder, "stats.jsonl"));
        var files = Directory.Exists(runFolder) ? Directory.GetFiles(runFolder) : [];
        return $"{(stats.Exists ? stats.Length : 0)}|{files.Max(StringComparer.Ordinal)}|{files.Length}";
    }

    /// <summary>The path of a grid file of the run, only for names the run itself writes (no other file can be asked for).</summary>
    public static string? GridFile(string runFolder, string name) =>
        RunFolder.IsGrid(name) && File.Exists(Path.Combine(runFolder, name)) ? Path.Combine(runFolder, name) : null;

    private static string? Newest(string runFolder, string kind) =>
        Directory.Exists(runFolder)
            ? Files.NumberedFiles.ByNumber(runFolder, kind, ".png").Select(Path.GetFileName).LastOrDefault()
            : null;

    private static List<JsonElement> ReadStats(string path)
    {
        var rows = new List<JsonElement>();
        if (!File.Exists(path))
        {
            return rows;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            try
            {
                rows.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
            catch (JsonException)
            {
                // the line being written right now
            }
        }

        return rows;
    }
}
