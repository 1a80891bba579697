using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OGan.Data;
using OGan.Evaluation;
using OGan.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Cli;

/// <summary>ogan eval: how well a checkpoint's encoder inverts its generator and reconstructs held-out images.</summary>
internal static class EvalCommand
{
    private static readonly Option<string> Data = new("--data", "-d")
    {
        Description = "Held-out images: fashion-mnist (its 10,000 test images), a folder, a preset, an LMDB database or a .ogan-data file",
        DefaultValueFactory = _ => "fashion-mnist",
    };

    private static readonly Option<int> Count = new("--count") { Description = "Images to reconstruct (at most)", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<int> Latents = new("--latents") { Description = "Fresh latents for rho(z, E(G(z)))", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "Seed of those latents", DefaultValueFactory = _ => 123UL };
    private static readonly Option<double> Scale = new("--scale") { Description = "Factor on N(E(x)) before G", DefaultValueFactory = _ => 1.0 };
    private static readonly Option<bool> Classifier = new("--classifier-metrics")
    {
        Description = "On Fashion-MNIST: FID, KID, mode coverage and linear probes through OGan's cached classifier (trained once, about a minute)",
        DefaultValueFactory = _ => true,
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly Option<string?> Json = new("--json") { Description = "Also write the results to this JSON file" };

    public static Command Create()
    {
        var command = new Command("eval", "Measure a checkpoint: rho on fresh latents; MSE, PSNR and SSIM of reconstructions of held-out images")
        {
            ModelOptions.Checkpoint, Data, DataOptions.DataRoot, Count, Latents, Seed, Scale, Classifier, Json, ModelOptions.Device,
        };
        command.SetAction(parse => Guard.Run(parse, log => Run(parse, log)));
        return command;
    }

    private static int Run(ParseResult parse, ILogger log)
    {
        var count = parse.GetValue(Count);
        var latents = parse.GetValue(Latents);
        if (count < 1 || latents < 1)
        {
            throw new UserError("--count and --latents must be at least 1", Guard.Usage);
        }

        var checkpoint = ModelOptions.ResolveCheckpoint(parse.GetValue(ModelOptions.Checkpoint)!);
        using var model = ModelOptions.Load(parse);
        var data = parse.GetValue(Data)!;
        using var images = DataOptions.IsFashionMnist(data)
            ? FashionMnist.Load(train: false)
            : DataSets.Open(data, model.Config.ImageSize, model.Config.Channels, parse.GetValue(DataOptions.DataRoot), log: m => log.LogInformation("{Message}", m));
        if (images.Channels != model.Config.Channels || images.Size != model.Config.ImageSize)
        {
            throw new UserError($"--data {data} holds {images.Channels}x{images.Size} px images, the model takes {model.Config.Channels}x{model.Config.ImageSize}");
        }

        var rho = EncoderMetrics.LatentCorrelation(model, latents, parse.GetValue(Seed));
        var quality = EncoderMetrics.Reconstruction(model, images, count, parse.GetValue(Scale));
        var rows = new List<(string Metric, double Value, string Format)>
        {
            ($"rho(z, E(G(z))), {latents} fresh z", rho, "F4"),
            ($"reconstruction MSE ([-1, 1]), {quality.Count} images", quality.Mse, "F4"),
            ("reconstruction PSNR (dB)", quality.Psnr, "F2"),
            ("reconstruction SSIM", quality.Ssim, "F4"),
        };
        (double[] Levels, double Mean)? swd = null;
        if (!DataOptions.IsFashionMnist(data) && model.Config.ImageSize >= 16)
        {
            var n = Math.Min(count, Math.Min(images.Count, 2000));
            using var scope = NewDisposeScope();
            swd = SlicedWasserstein.Distance(model.Sample(n, parse.GetValue(Seed)), images.First(n, model.Device));
            rows.Add(($"SWD x1e3 (Laplacian 7x7 patches), {n} samples vs images, mean", swd.Value.Mean, "F2"));
            rows.AddRange(swd.Value.Levels.Select((l, i) => ($"  level {i} ({model.Config.ImageSize >> i} px)", l, "F2")));
        }

        FashionQuality? fashion = null;
        if (DataOptions.IsFashionMnist(data) && parse.GetValue(Classifier))
        {
            using var classifier = FashionClassifier.LoadOrTrain(log: m => log.LogInformation("{Message}", m));
            using var train = FashionMnist.Load(train: true);
            fashion = FashionMetrics.Measure(model, classifier, train, images, count);
            rows.AddRange(
            [
                ($"FID (Fashion-MNIST classifier features), {count} samples", fashion.Fid, "F3"),
                ("  floor: train vs test images", fashion.FidFloor, "F3"),
                ("KID (same features)", fashion.Kid, "F5"),
                ("  floor: train vs test images", fashion.KidFloor, "F5"),
                ("smallest class share of samples (0.1 = even)", fashion.ClassShares.Min(), "F3"),
                ("largest class share of samples", fashion.ClassShares.Max(), "F3"),
                ("linear probe accuracy on E(x)", fashion.ProbeRawCodes, "F3"),
                ("linear probe accuracy on N(E(x))", fashion.ProbeLatents, "F3"),
                ("linear probe accuracy on raw pixels", fashion.ProbePixels, "F3"),
            ]);
        }
        Console.WriteLine($"{checkpoint} (step {model.Step}) on {images.Name}:");
        foreach (var (metric, value, format) in rows)
        {
            Console.WriteLine($"  {metric,-58} {value.ToString(format, CultureInfo.InvariantCulture),10}");
        }

        if (parse.GetValue(Json) is { } json)
        {
            var result = new
            {
                checkpoint, step = model.Step, data = images.Name, rho, latents, images = quality.Count,
                mse = quality.Mse, psnr = quality.Psnr, ssim = quality.Ssim, scale = parse.GetValue(Scale),
                fid = fashion?.Fid, fid_floor = fashion?.FidFloor, kid = fashion?.Kid, kid_floor = fashion?.KidFloor,
                class_shares = fashion?.ClassShares, probe_raw_codes = fashion?.ProbeRawCodes,
                probe_latents = fashion?.ProbeLatents, probe_pixels = fashion?.ProbePixels,
                swd = swd?.Mean, swd_levels = swd?.Levels,
            };
            AtomicFile.WriteAllBytes(json, JsonSerializer.SerializeToUtf8Bytes(result, Indented));
            log.LogInformation("wrote {Json}", json);
        }

        return 0;
    }
}
