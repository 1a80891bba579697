using System.Globalization;

namespace OGan.Cli;

/// <summary>ogan eval: the tables printed, the spread over several checkpoints, and the JSON file.</summary>
internal static partial class EvalCommand
{
    private static void Print(Result result)
    {
        Console.WriteLine($"{result.Checkpoint} (step {result.Step}) on {result.Data}:");
        foreach (var metric in result.Metrics)
        {
            Console.WriteLine($"  {metric.Label,-62} {metric.Value.ToString(metric.Format, CultureInfo.InvariantCulture),10}");
        }

        if (result.Extra.TryGetValue("probe_train_images", out var trained))
        {
            Console.WriteLine($"  (probes: multinomial logistic regression trained on {trained} training images, tested on {result.Extra["probe_test_images"]})");
        }
    }

    private sealed record Spread(string Key, string Label, string Format, double Mean, double Sd, double Min, double Max);

    /// <summary>Each metric that every result has: mean, sample standard deviation, min and max.</summary>
    private static IEnumerable<Spread> Summary(List<Result> results) =>
        results[0].Metrics
            .Where(m => results.All(r => r.Metrics.Any(o => o.Key == m.Key)))
            .Select(m =>
            {
                var values = results.Select(r => r.Metrics.First(o => o.Key == m.Key).Value).ToArray();
                var mean = values.Average();
                var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
                return new Spread(m.Key, m.Label, m.Format, mean, sd, values.Min(), values.Max());
            });

    private static void PrintSummary(List<Result> results)
    {
        Console.WriteLine($"{results.Count} checkpoints: mean ± sd (min – max)");
        foreach (var s in Summary(results))
        {
            string F(double v) => v.ToString(s.Format, CultureInfo.InvariantCulture);
            Console.WriteLine($"  {s.Label,-62} {F(s.Mean),10} ± {F(s.Sd)} ({F(s.Min)} – {F(s.Max)})");
        }
    }

    private static Dictionary<string, object?> Flatten(Result result)
    {
        var document = new Dictionary<string, object?> { ["checkpoint"] = result.Checkpoint, ["step"] = result.Step, ["data"] = result.Data };
        foreach (var metric in result.Metrics)
        {
            document[metric.Key] = metric.Value;
        }

        foreach (var (key, value) in result.Extra)
        {
            document[key] = value;
        }

        return document;
    }
}
