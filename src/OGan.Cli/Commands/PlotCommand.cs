using OGan.Files;
using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OGan.Imaging;
using OGan.Cli.Charts;

namespace OGan.Cli;

/// <summary>ogan plot: a run's training curves (stats.jsonl, metric-*.jsonl) as SVG charts.</summary>
internal static class PlotCommand
{
    private static readonly Argument<string> Run = new("run") { Description = "Run folder" };
    private static readonly Option<string?> Output = new("--output", "-o") { Description = "SVG of the training curves (default: RUN/curves.svg; metrics go to RUN/metrics.svg)" };

    public static Command Create()
    {
        var command = new Command("plot", "Draw a run's losses, rho, speed and metrics over steps as SVG") { Run, Output };
        command.SetAction(parse => Guard.Run(parse, log => Draw(parse, log), needsTorch: false));
        return command;
    }

    private static int Draw(ParseResult parse, ILogger log)
    {
        var folder = parse.GetValue(Run)!;
        var stats = Path.Combine(folder, "stats.jsonl");
        if (!File.Exists(stats))
        {
            throw new UserError($"{folder}: no stats.jsonl (is it a run folder of `ogan train`?)");
        }

        var output = parse.GetValue(Output) ?? Path.Combine(folder, "curves.svg");
        Write(output, $"{Path.GetFileName(Path.GetFullPath(folder))}: training", Read(stats));
        log.LogInformation("wrote {Output}", output);

        var metrics = Directory.GetFiles(folder, "metric-*.jsonl").Order(StringComparer.Ordinal).SelectMany(Read).ToList();
        if (metrics.Count > 0)
        {
            var metricsOutput = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, "metrics.svg");
            Write(metricsOutput, $"{Path.GetFileName(Path.GetFullPath(folder))}: metrics", metrics);
            log.LogInformation("wrote {Output}", metricsOutput);
        }

        return 0;
    }

    private static void Write(string path, string title, IReadOnlyList<Series> series) =>
        AtomicFile.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(SvgChart.Render(title, "step", series)));

    /// <summary>Every numeric field but step of a JSON-lines file, as a series over step.</summary>
    private static List<Series> Read(string path)
    {
        var columns = new Dictionary<string, List<(double, double)>>();
        var prefix = Path.GetFileNameWithoutExtension(path) is var name && name.StartsWith("metric-", StringComparison.Ordinal) ? name["metric-".Length..] + " " : string.Empty;
        foreach (var (line, number) in File.ReadLines(path).Select((l, i) => (l, i + 1)).Where(p => p.l.Length > 0))
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var step = document.RootElement.GetProperty("step").GetDouble();
                foreach (var property in document.RootElement.EnumerateObject().Where(p => p.Name != "step" && p.Value.ValueKind == JsonValueKind.Number))
                {
                    var key = prefix + property.Name;
                    if (!columns.TryGetValue(key, out var points))
                    {
                        columns[key] = points = [];
                    }

                    points.Add((step, property.Value.GetDouble()));
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new UserError($"{path}:{number}: not a JSON line with a step: {e.Message}");
            }
        }

        return columns.Select(c => new Series(c.Key, c.Value)).ToList();
    }
}
