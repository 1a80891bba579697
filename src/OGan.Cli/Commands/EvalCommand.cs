using OGan.Files;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OGan.Cli.Evaluation;
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

    private static Result Measure(ParseResult parse, ILogger log, string checkpoint, OGanModel model, PhotoEvaluation photos)
    {
        var (settings, _) = OGan.Checkpoints.Checkpoint.ReadSettings(checkpoint);
        var data = parse.GetValue(Data) ?? settings.Data;
        var count = parse.GetValue(Count);
        var latents = parse.GetValue(Latents);
        var fashionMnist = DataOptions.IsFashionMnist(data);
        var (images, training) = fashionMnist ? (FashionMnist.Load(train: false), null) : OpenHeldOut(parse, log, data, settings.Training.Holdout, model.Config);
        using var heldOut = images;
        using var trainingImages = training;
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
        var extra = new Dictionary<string, object?> { ["latents"] = latents, ["images"] = quality.Count, ["scale"] = parse.GetValue(Scale), ["held_out"] = images.Name };
        if (!fashionMnist && model.Config.Channels == 3 && photos.Enabled)
        {
            var photo = photos.Measure(model, images, training, count, parse.GetValue(Scale));
            metrics.AddRange(
            [
                new("fid_resnet18", $"FID (ResNet-18 ImageNet features), {photo.Count} samples vs held-out", photo.SampleFid, "F2"),
                new("kid_resnet18", "KID x1e3 (same features)", photo.SampleKid * 1e3, "F2"),
                new("fid_resnet18_reconstructions", $"FID of reconstructions of {photo.Count} held-out photos", photo.ReconstructionFid, "F2"),
                new("kid_resnet18_reconstructions", "KID x1e3 of reconstructions", photo.ReconstructionKid * 1e3, "F2"),
            ]);
            if (!double.IsNaN(photo.FloorFid))
            {
                metrics.Add(new("fid_resnet18_floor", $"  floor: {photo.Count} training photos vs held-out (FID)", photo.FloorFid, "F2"));
                metrics.Add(new("kid_resnet18_floor", "  floor (KID x1e3)", photo.FloorKid * 1e3, "F2"));
            }

            if (photo.Identity is { } identity)
            {
                metrics.Add(new("identity_top1", $"identity %: reconstruction nearest its own photo of {identity.Count} (top-1)", identity.Top1 * 100, "F1"));
                metrics.Add(new("identity_top10", "identity %: own photo among the 10 nearest (top-10)", identity.Top10 * 100, "F1"));
                metrics.Add(new("identity_chance_top1", "  chance % (top-1: 1/N; top-10: 10/N)", identity.ChanceTop1 * 100, "F2"));
                if (photos.PcaIdentity(model, images, training, count) is { } pca)
                {
                    metrics.Add(new("identity_pca_top1", $"  baseline: PCA of {model.Config.LatentDim} components (top-1)", pca.Top1 * 100, "F1"));
                    metrics.Add(new("identity_pca_top10", "  baseline: PCA (top-10)", pca.Top10 * 100, "F1"));
                }

                if (photo.Count < 1000)
                {
                    log.LogWarning("only {Count} held-out photos: FID is biased upwards with so few (its floor shows by how much), and identity is easier among fewer; compare runs at the same count", photo.Count);
                }
            }
        }

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

    /// <summary>
    /// The images to measure against and, for the floor, training images: --eval-data and the run's data (its
    /// training part), else the part of the data held back by the run's --holdout and the rest, else the data itself.
    /// </summary>
    private static (ImageSet HeldOut, ImageSet? Training) OpenHeldOut(ParseResult parse, ILogger log, string data, double holdout, Models.OGanConfig config)
    {
        ImageSet Open(string what, Holdout? part) =>
            DataSets.Open(what, config.ImageSize, config.Channels, parse.GetValue(DataOptions.DataRoot), log: m => log.LogInformation("{Message}", m), holdout: part);

        var split = holdout > 0 && !File.Exists(data);
        if (parse.GetValue(EvalData) is { } evalData)
        {
            var heldOut = Open(evalData, null);
            try
            {
                return (heldOut, Open(data, split ? new Holdout(holdout, HoldoutPart.Training) : null));
            }
            catch
            {
                heldOut.Dispose();
                throw;
            }
        }

        if (split)
        {
            var heldOut = Open(data, new Holdout(holdout, HoldoutPart.HeldOut));
            try
            {
                return (heldOut, Open(data, new Holdout(holdout, HoldoutPart.Training)));
            }
            catch
            {
                heldOut.Dispose();
                throw;
            }
        }

        log.LogWarning("{Data} has no held-out part (the run trained without --holdout): measuring against images it trained on; give --eval-data DIR for unseen ones", data);
        return (Open(data, null), null);
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
