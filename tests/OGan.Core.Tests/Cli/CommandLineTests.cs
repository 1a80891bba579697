using System.Diagnostics;
using System.Runtime.InteropServices;
using OGan.Checkpoints;
using OGan.Data;
using OGan.Imaging;
using OGan.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;

namespace OGan.Core.Tests.Cli;

/// <summary>A tiny model trained once by `ogan train`, shared by the tests that use a checkpoint.</summary>
public sealed class TrainedRun
{
    public TrainedRun()
    {
        Folder = Fixtures.TemporaryFolder();
        Train = Ogan.Run(Folder, "train", "--steps", "4", "--width", "16", "--zdim", "8", "--batch", "16", "--log-every", "2", "--metrics-every", "2", "--out", "runs");
        RunFolder = Directory.GetDirectories(Path.Combine(Folder, "runs")).Single();
    }

    public string Folder { get; }

    public CommandResult Train { get; }

    public string RunFolder { get; }
}

/// <summary>Every command run end to end on a tiny model, on Fashion-MNIST and on real photos.</summary>
public sealed class CommandLineTests(TrainedRun run) : IClassFixture<TrainedRun>
{
    private const int Cell = 32 + 2; // a 32 px image and its 2 px border in a grid

    private static string[] Photos => Fixtures.SharedPhotos("afhq");

    [Fact]
    public void Train_writes_a_run_folder_and_names_its_files()
    {
        Assert.True(run.Train.ExitCode == 0, run.Train.Error);
        Assert.Contains("done. Wrote", run.Train.Error, StringComparison.Ordinal);
        foreach (var file in new[] { "options.json", "stats.jsonl", "checkpoint-000004.safetensors", "samples-000004.png", "reconstructions-000004.png" })
        {
            Assert.True(File.Exists(Path.Combine(run.RunFolder, file)), $"{file} missing from {run.RunFolder}");
        }

        Assert.Equal(2, File.ReadAllLines(Path.Combine(run.RunFolder, "stats.jsonl")).Length);
    }

    [Fact]
    public void Sample_writes_a_grid_a_folder_and_npy()
    {
        var result = Ogan.Run(run.Folder, "sample", "-c", run.RunFolder, "-n", "16", "-o", "grid.png");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(new ImageHeader(ImageFormat.Png, 4 * Cell + 2, 4 * Cell + 2), Header(Path.Combine(run.Folder, "grid.png")));

        Assert.Equal(0, Ogan.Run(run.Folder, "sample", "-c", run.RunFolder, "-n", "3", "-o", "each").ExitCode);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(run.Folder, "each"), "*.png").Length);

        Assert.Equal(0, Ogan.Run(run.Folder, "sample", "-c", run.RunFolder, "-n", "5", "-o", "images.npy").ExitCode);
        using var images = Npy.Read(Path.Combine(run.Folder, "images.npy"));
        Assert.Equal([5L, 1, 32, 32], images.shape);
    }

    [Fact]
    public void Encode_then_sample_from_the_latents_reconstructs()
    {
        var result = Ogan.Run(run.Folder, "encode", Photos[0], Photos[1], "-c", run.RunFolder, "-o", "z.npy", "--raw", "raw.npy", "--hidden", "hidden.npy", "--names", "names.txt");
        Assert.True(result.ExitCode == 0, result.Error);
        using (var z = Npy.Read(Path.Combine(run.Folder, "z.npy")))
        using (var raw = Npy.Read(Path.Combine(run.Folder, "raw.npy")))
        using (var hidden = Npy.Read(Path.Combine(run.Folder, "hidden.npy")))
        {
            Assert.Equal([2L, 8], z.shape);
            Assert.Equal([2L, 8], raw.shape);
            Assert.Equal([2L, 16 * 16], hidden.shape); // width 16: the last conv layer has 16 channels of 4x4
        }

        Assert.Equal([Photos[0], Photos[1]], File.ReadAllLines(Path.Combine(run.Folder, "names.txt")));
        var sampled = Ogan.Run(run.Folder, "sample", "-c", run.RunFolder, "--latents", "z.npy", "-o", "from-z.png");
        Assert.True(sampled.ExitCode == 0, sampled.Error);
        Assert.Equal(new ImageHeader(ImageFormat.Png, 2 * Cell + 2, Cell + 2), Header(Path.Combine(run.Folder, "from-z.png")));
    }

    [Fact]
    public void Reconstruct_writes_pairs_or_separate_files()
    {
        var folder = Fixtures.TemporaryFolder();
        foreach (var photo in Photos.Take(3))
        {
            File.Copy(photo, Path.Combine(folder, Path.GetFileName(photo)));
        }

        var result = Ogan.Run(run.Folder, "reconstruct", folder, "-c", run.RunFolder, "--scale", "0.9", "-o", "pairs.png");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(new ImageHeader(ImageFormat.Png, 6 * Cell + 2, Cell + 2), Header(Path.Combine(run.Folder, "pairs.png")));

        Assert.Equal(0, Ogan.Run(run.Folder, "reconstruct", Photos[0], "-c", run.RunFolder, "--separate", "recon").ExitCode);
        Assert.Equal(new ImageHeader(ImageFormat.Png, 32, 32), Header(Path.Combine(run.Folder, "recon", Path.GetFileNameWithoutExtension(Photos[0]) + ".png")));
        Assert.DoesNotContain("enlarged", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_photo_smaller_than_the_model_is_enlarged_with_a_warning_that_names_it()
    {
        var tiny = Path.Combine(Fixtures.TemporaryFolder(), "tiny.png");
        using (var photo = SixLabors.ImageSharp.Image.Load(Photos[0]))
        {
            photo.Mutate(x => x.Resize(12, 8));
            photo.SaveAsPng(tiny);
        }

        var result = Ogan.Run(run.Folder, "reconstruct", tiny, Photos[1], "-c", run.RunFolder, "-o", "tiny-pairs.png");
        Assert.True(result.ExitCode == 0, result.Error);
        var warning = Assert.Single(result.Error.Split('\n'), line => line.Contains("enlarged", StringComparison.Ordinal));
        Assert.Contains($"{tiny} is 8 px across, smaller than the model's 32 px", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_in_small_batches_gives_the_rows_of_one_batch_and_same_named_inputs_get_distinct_outputs()
    {
        var first = Fixtures.TemporaryFolder();
        var second = Fixtures.TemporaryFolder();
        for (var i = 0; i < 5; i++)
        {
            File.Copy(Photos[i], Path.Combine(first, $"photo-{i}.png"));
            File.Copy(Photos[i + 5], Path.Combine(second, $"photo-{i}.png")); // the same names, other pictures
        }

        Assert.Equal(0, Ogan.Run(run.Folder, "encode", first, second, "-c", run.RunFolder, "--batch", "3", "-o", "small.npy", "--hidden", "small-hidden.npy").ExitCode);
        Assert.Equal(0, Ogan.Run(run.Folder, "encode", first, second, "-c", run.RunFolder, "-o", "whole.npy", "--hidden", "whole-hidden.npy").ExitCode);
        using (var small = OGan.Data.Npy.Read(Path.Combine(run.Folder, "small.npy")))
        using (var whole = OGan.Data.Npy.Read(Path.Combine(run.Folder, "whole.npy")))
        using (var smallHidden = OGan.Data.Npy.Read(Path.Combine(run.Folder, "small-hidden.npy")))
        using (var wholeHidden = OGan.Data.Npy.Read(Path.Combine(run.Folder, "whole-hidden.npy")))
        {
            Assert.Equal([10L, 8L], small.shape);
            Assert.True(small.allclose(whole, rtol: 1e-4, atol: 1e-4), "batches of 3 encode otherwise than one batch of 10");
            Assert.Equal(wholeHidden.shape, smallHidden.shape);
            Assert.True(smallHidden.allclose(wholeHidden, rtol: 1e-4, atol: 1e-4));
        }

        var result = Ogan.Run(run.Folder, "reconstruct", first, second, "-c", run.RunFolder, "--separate", "same-names", "--batch", "4");
        Assert.True(result.ExitCode == 0, result.Error);
        var written = Directory.GetFiles(Path.Combine(run.Folder, "same-names")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(10, written.Length);
        Assert.Contains("photo-0.png", written);
        Assert.Contains("photo-0-2.png", written);
    }

    [Theory]
    [InlineData("sample", "-o", "samples.txt", "unknown extension '.txt'")]
    [InlineData("encode", "-o", "codes.png", "not an output of this command")]
    [InlineData("reconstruct", "-o", "pairs.npy", "not an output of this command")]
    public void Outputs_of_an_unknown_or_wrong_kind_are_refused_in_one_line(string command, string option, string output, string message)
    {
        string[] arguments = command == "sample" ? [command, "-c", run.RunFolder, option, output] : [command, Photos[0], "-c", run.RunFolder, option, output];
        var result = Ogan.Run(run.Folder, arguments);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path.Combine(run.Folder, output)) || Directory.Exists(Path.Combine(run.Folder, output)));

        var bmp = Ogan.Run(run.Folder, "sample", "-c", run.RunFolder, "-n", "4", "-o", "grid.bmp");
        Assert.True(bmp.ExitCode == 0, bmp.Error);
        Assert.Equal(ImageFormat.Bmp, Header(Path.Combine(run.Folder, "grid.bmp")).Format);
    }

    [Fact]
    public void Interpolate_writes_a_strip_and_frames()
    {
        var result = Ogan.Run(run.Folder, "interpolate", Photos[0], Photos[1], "-c", run.RunFolder, "--steps", "5", "--slerp", "-o", "strip.png", "--frames", "frames");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(new ImageHeader(ImageFormat.Png, 7 * Cell + 2, Cell + 2), Header(Path.Combine(run.Folder, "strip.png")));
        Assert.Equal(5, Directory.GetFiles(Path.Combine(run.Folder, "frames"), "frame-*.png").Length);
    }

    [Fact]
    public void Generated_only_pictures_leave_the_photos_out()
    {
        var strip = Ogan.Run(run.Folder, "interpolate", Photos[0], Photos[1], "-c", run.RunFolder, "--steps", "5", "-o", "frames-only.png", "--generated-only");
        Assert.True(strip.ExitCode == 0, strip.Error);
        Assert.Equal(new ImageHeader(ImageFormat.Png, 5 * Cell + 2, Cell + 2), Header(Path.Combine(run.Folder, "frames-only.png")));

        var grid = Ogan.Run(run.Folder, "reconstruct", Photos[0], Photos[1], Photos[2], "-c", run.RunFolder, "-o", "reconstructions-only.png", "--generated-only");
        Assert.True(grid.ExitCode == 0, grid.Error);
        Assert.Equal(new ImageHeader(ImageFormat.Png, 3 * Cell + 2, Cell + 2), Header(Path.Combine(run.Folder, "reconstructions-only.png")));
    }

    [Fact]
    public void Prepare_and_train_on_a_folder_of_photos()
    {
        var photos = Fixtures.TemporaryFolder();
        foreach (var photo in Fixtures.SharedPhotos("celeba-hq").Take(6))
        {
            File.Copy(photo, Path.Combine(photos, Path.GetFileName(photo)));
        }

        var work = Fixtures.TemporaryFolder();
        var prepared = Ogan.Run(work, "prepare", "--data", photos, "--res", "32", "-o", "faces.ogan-data");
        Assert.True(prepared.ExitCode == 0, prepared.Error);
        Assert.Contains("prepared 6 images", prepared.Error, StringComparison.Ordinal);
        Assert.Equal(new PreparedHeader(Path.GetFullPath(photos), 32, 3, 6, 0), PreparedSet.ReadHeader(Path.Combine(work, "faces.ogan-data")) with { Fingerprint = null });

        var environment = new Dictionary<string, string> { [DataSets.CacheVariable] = Path.Combine(work, "cache") };
        var trained = Ogan.Run(work, environment, "train", "--data", photos, "--res", "32", "--steps", "2", "--width", "16", "--batch", "4", "--flip");
        Assert.True(trained.ExitCode == 0, trained.Error);
        var folder = Directory.GetDirectories(Path.Combine(work, "runs")).Single();
        Assert.Equal(new ImageHeader(ImageFormat.Png, 8 * Cell + 2, 8 * Cell + 2), Header(Path.Combine(folder, "samples-000002.png")));
        Assert.Single(Directory.GetFiles(Path.Combine(work, "cache", "prepared")));

        // Resuming needs no --data: the checkpoint names its data.
        var resumed = Ogan.Run(work, environment, "train", "--resume", folder, "--steps", "3");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.True(File.Exists(Path.Combine(folder, "checkpoint-000003.safetensors")));

        var fromFile = Ogan.Run(work, "train", "--data", "faces.ogan-data", "--res", "32", "--steps", "1", "--width", "16", "--batch", "4");
        Assert.True(fromFile.ExitCode == 0, fromFile.Error);

        var evaluated = Ogan.Run(work, "eval", "-c", folder, "--data", "faces.ogan-data", "--latents", "20");
        Assert.True(evaluated.ExitCode == 0, evaluated.Error);
        Assert.Contains("SWD x1e3", evaluated.Output, StringComparison.Ordinal);
        Assert.Contains("level 1 (16 px)", evaluated.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plot_draws_the_curves_and_metrics_as_SVG()
    {
        var result = Ogan.Run(run.Folder, "plot", run.RunFolder);
        Assert.True(result.ExitCode == 0, result.Error);
        var curves = System.Xml.Linq.XDocument.Load(Path.Combine(run.RunFolder, "curves.svg"));
        var panels = curves.Descendants().Where(e => e.Name.LocalName == "path").Count();
        Assert.Equal(6, panels); // loss_e, loss_g, delta, rho, images_per_s, seconds
        var metrics = System.Xml.Linq.XDocument.Load(Path.Combine(run.RunFolder, "metrics.svg"));
        Assert.Equal(4, metrics.Descendants().Count(e => e.Name.LocalName == "path")); // reconstruction mse, psnr, ssim; rho
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run.RunFolder, "metric-rho.jsonl")).Length);
    }

    [Fact]
    public void Eval_prints_a_table_and_writes_json()
    {
        var result = Ogan.Run(run.Folder, "eval", "-c", run.RunFolder, "--count", "50", "--latents", "50", "--classifier-metrics", "false", "--probe-images", "0", "--json", "eval.json");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("reconstruction SSIM", result.Output, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Folder, "eval.json")));
        Assert.Equal(50, json.RootElement.GetProperty("images").GetInt32());

        // The numbers are the library's for the same checkpoint, images and latents (the metrics have their own tests).
        using var model = OGan.Inference.OGanModel.Load(RunFolder.LatestCheckpoint(run.RunFolder)!, CPU, OGan.MixedPrecision.Precision.Auto);
        using var test = FashionMnist.Load(train: false);
        var quality = OGan.Evaluation.EncoderMetrics.Reconstruction(model, test, 50, 1.0);
        Assert.Equal(OGan.Evaluation.EncoderMetrics.LatentCorrelation(model, 50, 123), json.RootElement.GetProperty("rho").GetDouble(), 9);
        Assert.Equal(quality.Mse, json.RootElement.GetProperty("mse").GetDouble(), 9);
        Assert.Equal(quality.Ssim, json.RootElement.GetProperty("ssim").GetDouble(), 9);
        Assert.True(quality.Mse > 0.01, $"a model trained for 4 steps cannot reconstruct (MSE {quality.Mse})");
    }

    [Fact]
    public void Eval_of_several_checkpoints_prints_each_then_mean_and_spread_with_the_probes()
    {
        var checkpoint = Path.Combine(run.RunFolder, "checkpoint-000004.safetensors");
        var result = Ogan.Run(run.Folder, "eval", "-c", run.RunFolder, checkpoint, "--count", "50", "--latents", "50", "--classifier-metrics", "false", "--probe-images", "1000", "--json", "evals.json");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("2 checkpoints: mean ± sd (min – max)", result.Output, StringComparison.Ordinal);
        Assert.Contains("linear probe on N(E(x)), the codes `ogan encode` writes (8)", result.Output, StringComparison.Ordinal);
        Assert.Contains("trained on 1000 training images, tested on 10000", result.Output, StringComparison.Ordinal);

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Folder, "evals.json")));
        var runs = json.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(2, runs.Count);
        var pixels = runs[0].GetProperty("probe_pixels").GetDouble();
        Assert.InRange(pixels, 0.6, 1.0); // raw pixels separate Fashion-MNIST's classes well even from 1,000 images
        // Ten classes: chance is 0.1. Even a barely trained E's features carry the class, its 8 codes less so.
        Assert.InRange(runs[0].GetProperty("probe_latents").GetDouble(), 0.15, 1.0);
        Assert.InRange(runs[0].GetProperty("probe_hidden").GetDouble(), 0.3, 1.0);
        var summary = json.RootElement.GetProperty("summary").GetProperty("probe_pixels");
        Assert.InRange(summary.GetProperty("mean").GetDouble(), pixels - 0.002, pixels + 0.002); // the same checkpoint twice
        Assert.InRange(summary.GetProperty("sd").GetDouble(), 0.0, 0.002);
    }

    [Theory]
    [InlineData(2, "must be a power of two", "train", "--res", "48")]
    [InlineData(2, "must be a power of two", "train", "--res", "16")]
    [InlineData(2, "Cannot parse argument 'abc'", "sample", "--count", "abc")]
    [InlineData(2, "Unrecognized command", "paint")]
    [InlineData(2, "--count must be between", "sample", "--count", "0")]
    [InlineData(1, "no CUDA device is visible", "train", "--device", "cuda", "--steps", "1")]
    [InlineData(2, "--device gpu", "sample", "--device", "gpu")]
    [InlineData(1, "no such checkpoint file", "sample", "-c", "missing.safetensors")]
    [InlineData(1, "no such image file", "reconstruct", "missing.jpg")]
    [InlineData(1, "not a PNG, JPEG, WebP, BMP or GIF image", "reconstruct", "notes.png")]
    [InlineData(1, "not a safetensors file", "sample", "-c", "cut.safetensors")]
    [InlineData(1, "not an OGan checkpoint", "sample", "-c", "foreign.safetensors")]
    [InlineData(1, "data set celeba not found", "train", "--data", "celeba", "--data-root", "empty")]
    [InlineData(2, "--time-limit 20 minutes: give a positive duration", "train", "--time-limit", "20 minutes")]
    [InlineData(2, "Adam betas must lie in [0, 1)", "train", "--beta1", "1")]
    [InlineData(2, "--precision half: must be auto, fp32 or bf16", "sample", "--precision", "half")]
    [InlineData(2, "--loss wgan: must be qp, hinge or logistic", "train", "--loss", "wgan")]
    [InlineData(2, "--data needs a value (the next word, --res, is an option)", "train", "--data", "--res", "64")]
    [InlineData(2, "--count needs a value (the next word, -o, is an option)", "sample", "-n", "-o", "s.png")]
    [InlineData(2, "--grow-from cannot be given with --resume", "train", "--resume", "run", "--grow-from", "run")]
    [InlineData(2, "has its own test set", "train", "--holdout", "0.1")]
    public void Errors_are_one_line_with_the_right_exit_code(int exitCode, string message, params string[] arguments)
    {
        var folder = Fixtures.TemporaryFolder();
        Directory.CreateDirectory(Path.Combine(folder, "empty"));
        File.WriteAllText(Path.Combine(folder, "notes.png"), "plain text");
        var bytes = File.ReadAllBytes(Path.Combine(run.RunFolder, "checkpoint-000004.safetensors"));
        File.WriteAllBytes(Path.Combine(folder, "cut.safetensors"), bytes[..(bytes.Length / 2)]);
        using (var scope = NewDisposeScope())
        {
            SafeTensors.Save(Path.Combine(folder, "foreign.safetensors"), [("weight", zeros([2]))], new Dictionary<string, string>());
        }

        string[] checkpoint = arguments[0] == "reconstruct" ? ["-c", run.RunFolder] : [];
        var result = Ogan.Run(folder, [.. arguments, .. checkpoint]);

        Assert.Equal(exitCode, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("ogan: error: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_command_that_runs_the_networks_takes_a_precision_and_info_says_what_auto_picks()
    {
        foreach (var command in new[] { "train", "sample", "reconstruct", "interpolate", "encode", "eval", "serve" })
        {
            Assert.Contains("--precision", Ogan.Run(run.Folder, command, "--help").Output, StringComparison.Ordinal);
        }

        var info = Ogan.Run(run.Folder, "info");
        Assert.Equal(0, info.ExitCode);
        Assert.Matches(@"--precision auto on cpu: auto: (bf16|fp32), because ", info.Output);
        foreach (var precision in new[] { "fp32", "bf16" })
        {
            Assert.Equal(0, Ogan.Run(run.Folder, "sample", "-c", run.RunFolder, "-n", "4", "--seed", "3", "--precision", precision, "-o", $"{precision}.npy").ExitCode);
        }

        using var scope = NewDisposeScope();
        var difference = (Npy.Read(Path.Combine(run.Folder, "fp32.npy")) - Npy.Read(Path.Combine(run.Folder, "bf16.npy"))).abs().max().ToDouble();
        Assert.InRange(difference, 0, 0.05);
    }

    [Fact]
    public void Help_shows_defaults_for_every_command()
    {
        foreach (var command in new[] { "train", "sample", "reconstruct", "interpolate", "encode", "prepare", "eval", "plot", "info" })
        {
            var result = Ogan.Run(run.Folder, command, "--help");
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Usage:", result.Output, StringComparison.Ordinal);
            if (command is not ("info" or "plot"))
            {
                Assert.Contains("[default: ", result.Output, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Interrupting_training_saves_a_checkpoint_that_resumes()
    {
        // SIGTERM, which ogan handles as Ctrl+C: a shell's background job inherits SIGINT ignored (so would
        // the test's child), but never SIGTERM.
        var work = Fixtures.TemporaryFolder();
        using var process = Ogan.Start(work, null, "train", "--steps", "100000", "--width", "16", "--zdim", "8", "--batch", "16", "--log-every", "1", "--sample-every", "0");
        var errors = new List<string>();
        while (process.StandardError.ReadLine() is { } line)
        {
            errors.Add(line);
            if (line.StartsWith("step 3/", StringComparison.Ordinal))
            {
                Assert.Equal(0, Kill(process.Id, 15));
                break;
            }
        }

        var rest = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("ogan train did not stop within 2 minutes of SIGTERM");
        }

        errors.AddRange((await rest).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(process.ExitCode == 130, string.Join('\n', errors));
        Assert.Contains(errors, e => e.Contains("saved", StringComparison.Ordinal) && e.Contains("--resume", StringComparison.Ordinal));
        var folder = Directory.GetDirectories(Path.Combine(work, "runs")).Single();
        var checkpoint = RunFolder.LatestCheckpoint(folder);
        Assert.NotNull(checkpoint);
        var step = int.Parse(Path.GetFileNameWithoutExtension(checkpoint)["checkpoint-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(step, 3, 100);

        var resumed = Ogan.Run(work, "train", "--resume", folder, "--steps", (step + 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.True(File.Exists(Path.Combine(folder, $"checkpoint-{step + 2:D6}.safetensors")));
    }

    [Fact]
    public void A_time_limit_stops_training_early_and_saves_a_checkpoint_with_the_chosen_optimizer()
    {
        var work = Fixtures.TemporaryFolder();
        var result = Ogan.Run(work, "train", "--steps", "1000000", "--time-limit", "3s", "--beta1", "0", "--beta2", "0.99",
            "--width", "16", "--zdim", "8", "--batch", "16", "--sample-every", "0");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(result.ErrorLines, e => e.Contains("time limit 3s reached at step", StringComparison.Ordinal));
        var folder = Directory.GetDirectories(Path.Combine(work, "runs")).Single();
        var checkpoint = RunFolder.LatestCheckpoint(folder);
        Assert.NotNull(checkpoint);
        using var contents = Checkpoint.Read(checkpoint);
        Assert.InRange(contents.Step, 1, 999_999);
        Assert.Equal(0.0, contents.Settings.Training.Beta1);
        Assert.Equal(0.99, contents.Settings.Training.Beta2);
        Assert.True(File.Exists(Path.Combine(folder, $"samples-{contents.Step:D6}.png")), "the last step's grids are written");
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    private static ImageHeader Header(string path) => ImageCodec.Probe(File.ReadAllBytes(path));
}
