using System.CommandLine;
using Microsoft.Extensions.Logging;
using OGan.Cli.Evaluation;
using OGan.Data;
using OGan.Evaluation;
using OGan.Imaging;
using OGan.Inference;
using OGan.Training;
using static TorchSharp.torch;

namespace OGan.Cli;

/// <summary>ogan eval: the numbers of one checkpoint (rho, reconstructions, and FID, KID, identity or the classifier's by data).</summary>
internal static partial class EvalCommand
{
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
}
