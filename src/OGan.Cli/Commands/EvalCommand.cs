using OGan.Files;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OGan.Data;
using OGan.Evaluation;
using OGan.Imaging;
using OGan.Inference;
using static TorchSharp.torch;

namespace OGan.Cli;

/// <summary>
/// ogan eval: how well checkpoints' encoders invert their generators, reconstruct held-out images and keep
/// their classes; with several checkpoints (e.g. seeds), each one's table and then mean ± spread.
/// </summary>
internal static class EvalCommand
{
    private static readonly Option<string[]> Checkpoints = new("--checkpoint", "-c")
    {
        Description = "Checkpoint files or run folders (each its latest checkpoint); several (-c a -c b, or -c a b) add a table of mean ± sd and min–max",
        DefaultValueFactory = _ => [ModelOptions.LatestRun()],
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<string> Data = new("--data", "-d")
    {
        Description = "Held-out images: fashion-mnist (its 10,000 test images), a folder, a preset, an LMDB database or a .ogan-data file",
        DefaultValueFactory = _ => "fashion-mnist",
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
        var command = new Command("eval", "Measure checkpoints: rho on fresh latents; MSE, PSNR and SSIM of reconstructions of held-out images; on Fashion-MNIST FID, KID and linear probes")
        {
            Checkpoints, Data, DataOptions.DataRoot, Count, Latents, Seed, Scale, Classifier, ProbeImages, Json, ModelOptions.Device, ModelOptions.Precision,
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
        foreach (var path in paths)
        {
            using var model = OGanModel.Load(path, device, parse.GetValue(ModelOptions.Precision));
            var result = Measure(parse, log, path, model);
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

    private static Result Measure(ParseResult parse, ILogger log, string checkpoint, OGanModel model)
    {
        var data = parse.GetValue(Data)!;
        var count = parse.GetValue(Count);
        var latents = parse.GetValue(Latents);
        var fashionMnist = DataOptions.IsFashionMnist(data);
        using var images = fashionMnist
            ? FashionMnist.Load(train: false)
            : DataSets.Open(data, model.Config.ImageSize, model.Config.Channels, parse.GetValue(DataOptions.DataRoot), log: m => log.LogInformation("{Message}", m));
        if (images.Channels != model.Config.Channels || images.Size != model.Config.ImageSize)
        {
            throw new UserError($"--data {data} holds {images.Channels}x{images.Size} px images, {checkpoint} takes {model.Config.Channels}x{model.Config.ImageSize}");
        }

        var rho = EncoderMetrics.LatentCorrelation(model, latents, parse.GetValue(Seed));
        var quality = EncoderMetrics.Reconstruction(model, images, count, parse.GetValue(Scale));
        var metrics = new List<Metric>
        {
            new("rho", $"rho(z, E(G(z))), {latents} fresh z", rho, "F4"),
            new("mse", $"reconstruction MSE ([-1, 1]), {quality.Count} images", quality.Mse, "F4"),
            new("psnr", "reconstruction PSNR (dB)", quality.Psnr, "F2"),
            new("ssim", "reconstruction SSIM", quality.Ssim, "F4"),
        };
        var extra = new Dictionary<string, object?> { ["latents"] = latents, ["images"] = quality.Count, ["scale"] = parse.GetValue(Scale) };

        if (!fashionMnist && model.Config.ImageSize >= 16)
        {
            var n = Math.Min(count, Math.Min(images.Count, 2000));
            using var scope = NewDisposeScope();
            var swd = SlicedWasserstein.Distance(model.Sample(n, parse.GetValue(Seed)), images.First(n, model.Device));
            metrics.Add(new("swd", $"SWD x1e3 (Laplacian 7x7 patches), {n} samples vs images, mean", swd.Mean, "F2"));
            metrics.AddRange(swd.Levels.Select((l, i) => new Metric($"swd_level{i}", $"  level {i} ({model.Config.ImageSize >> i} px)", l, "F2")));
            extra["swd_levels"] = swd.Levels;
        }

        var (classifierMetrics, probeImages) = (fashionMnist && parse.GetValue(Classifier), fashionMnist ? parse.GetValue(ProbeImages) : 0);
        using var train = classifierMetrics || probeImages > 0 ? FashionMnist.Load(train: true) : null;
        if (classifierMetrics)
        {
            using var classifier = FashionClassifier.LoadOrTrain(log: m => log.LogInformation("{Message}", m));
            var fashion = FashionMetrics.Measure(model, classifier, train!, images, count);
            metrics.AddRange(
            [
                new("fid", $"FID (Fashion-MNIST classifier features), {Math.Min(count, images.Count)} samples", fashion.Fid, "F3"),
                new("fid_floor", "  floor: train vs test images", fashion.FidFloor, "F3"),
                new("kid", "KID (same features)", fashion.Kid, "F5"),
                new("kid_floor", "  floor: train vs test images", fashion.KidFloor, "F5"),
                new("class_share_min", "smallest class share of samples (0.1 = even)", fashion.ClassShares.Min(), "F3"),
                new("class_share_max", "largest class share of samples", fashion.ClassShares.Max(), "F3"),
            ]);
            extra["class_shares"] = fashion.ClassShares;
        }

        if (probeImages > 0)
        {
            var probes = EncoderProbes.Measure(model, train!, images, probeImages);
            var width = model.Encoder.Config.MaxChannels * 16;
            metrics.AddRange(
            [
                new("probe_latents", $"linear probe on N(E(x)), the codes `ogan encode` writes ({model.Config.LatentDim})", probes.Codes, "F4"),
                new("probe_raw_codes", "linear probe on E(x)", probes.RawCodes, "F4"),
                new("probe_hidden", $"linear probe on E's last hidden layer ({width} features)", probes.HiddenLayer, "F4"),
                new("probe_pixels", $"linear probe on raw pixels ({model.Config.ImageSize * model.Config.ImageSize})", probes.Pixels, "F4"),
            ]);
            extra["probe_train_images"] = probes.TrainImages;
            extra["probe_test_images"] = probes.TestImages;
        }

        return new Result(checkpoint, model.Step, images.Name, metrics, extra);
    }

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
