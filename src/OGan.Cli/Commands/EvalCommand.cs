using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OGan.Cli.Evaluation;
using OGan.Files;
using OGan.Inference;

namespace OGan.Cli;

/// <summary>
/// ogan eval: how well checkpoints' encoders invert their generators, reconstruct held-out images and keep
/// their classes; with several checkpoints (e.g. seeds), each one's table and then mean ± spread.
/// </summary>
internal static partial class EvalCommand
{
    private static readonly Option<string[]> Checkpoints = new("--checkpoint", "-c")
    {
        Description = "Checkpoint files or run folders (each its latest checkpoint); several (-c a -c b, or -c a b) add a table of mean ± sd and min–max",
        DefaultValueFactory = _ => [ModelOptions.LatestRun()],
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<string?> Data = new("--data", "-d")
    {
        Description = "The data the checkpoint learned (default: the run's own): fashion-mnist (measured on its 10,000 test images), a folder, a preset, an LMDB database or a .ogan-data file; " +
            "a run trained with --holdout is measured on the part held back",
    };

    private static readonly Option<string?> EvalData = new("--eval-data")
    {
        Description = "Held-out images to measure against (a folder, preset, LMDB database or .ogan-data file) instead of the part of --data held back by `ogan train --holdout`",
    };

    private static readonly Option<bool> ImageNetMetrics = new("--imagenet-metrics")
    {
        Description = "On RGB data: FID and KID of samples and reconstructions through ImageNet ResNet-18 features (the model ships with OGan)",
        DefaultValueFactory = _ => true,
    };

    private static readonly Option<int> Count = new("--count") { Description = "Images to reconstruct, and samples for FID (at most)", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<int> Latents = new("--latents") { Description = "Fresh latents for rho(z, E(G(z)))", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "Seed of those latents", DefaultValueFactory = _ => 123UL };
    private static readonly Option<double> Scale = new("--scale") { Description = "Factor on N(E(x)) before G", DefaultValueFactory = _ => 1.0 };
    private static readonly Option<bool> Classifier = new("--classifier-metrics")
    {
        Description = "On Fashion-MNIST: FID, KID and mode coverage through OGan's cached classifier (trained once, about a minute)",
        DefaultValueFactory = _ => true,
    };

    private static readonly Option<int> ProbeImages = new("--probe-images")
    {
        Description = "On Fashion-MNIST: training images the linear probes (codes, E(x), E's last hidden layer, pixels) learn from; 0 skips them",
        DefaultValueFactory = _ => 60_000,
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly Option<string?> Json = new("--json") { Description = "Also write the results to this JSON file" };

    public static Command Create()
    {
        var command = new Command("eval", "Measure checkpoints: rho on fresh latents; MSE, PSNR and SSIM of reconstructions of held-out images; on photos FID and KID (ImageNet ResNet-18 features) of samples and reconstructions, identity (does a reconstruction find its own photo?) with a PCA baseline, SWD; on Fashion-MNIST FID, KID and linear probes")
        {
            Checkpoints, Data, EvalData, DataOptions.DataRoot, Count, Latents, Seed, Scale, Classifier, ProbeImages, ImageNetMetrics, Json, ModelOptions.Device, ModelOptions.Precision,
        };
        command.SetAction(parse => Guard.Run(parse, log => Run(parse, log)));
        return command;
    }

    /// <summary>One number of the table: its JSON name, its label and how it is printed.</summary>
    private sealed record Metric(string Key, string Label, double Value, string Format);

    /// <summary>What one checkpoint measured.</summary>
    private sealed record Result(string Checkpoint, long Step, string Data, List<Metric> Metrics, Dictionary<string, object?> Extra);

    private static int Run(ParseResult parse, ILogger log)
    {
        if (parse.GetValue(Count) < 1 || parse.GetValue(Latents) < 1 || parse.GetValue(ProbeImages) < 0)
        {
            throw new UserError("--count and --latents must be at least 1, --probe-images at least 0", Guard.Usage);
        }

        var paths = parse.GetValue(Checkpoints)!.Select(ModelOptions.ResolveCheckpoint).ToList();
        var device = ModelOptions.ParseDevice(parse.GetValue(ModelOptions.Device)!);
        Engine.Runtime.SetThreads();
        var results = new List<Result>();
        using var photos = new PhotoEvaluation(parse.GetValue(ImageNetMetrics), parse.GetValue(Seed), m => log.LogInformation("{Message}", m));
        foreach (var path in paths)
        {
            using var model = OGanModel.Load(path, device, parse.GetValue(ModelOptions.Precision));
            var result = Measure(parse, log, path, model, photos);
            Print(result);
            results.Add(result);
        }

        if (results.Count > 1)
        {
            PrintSummary(results);
        }

        if (parse.GetValue(Json) is { } json)
        {
            object document = results.Count == 1
                ? Flatten(results[0])
                : new { runs = results.Select(Flatten), summary = Summary(results).ToDictionary(s => s.Key, s => new { mean = s.Mean, sd = s.Sd, min = s.Min, max = s.Max }) };
            AtomicFile.WriteAllBytes(json, JsonSerializer.SerializeToUtf8Bytes(document, Indented));
            log.LogInformation("wrote {Json}", json);
        }

        return 0;
    }
}
