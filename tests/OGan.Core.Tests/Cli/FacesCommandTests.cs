using System.Text.Json;

namespace OGan.Core.Tests.Cli;

/// <summary>`ogan train` and `ogan eval` on a folder of real CelebA faces, as a user runs them.</summary>
public sealed class FacesCommandTests
{
    private static string FaceFolder(int count)
    {
        var folder = Fixtures.TemporaryFolder();
        foreach (var face in Fixtures.SharedPhotos("celeba-128").Take(count))
        {
            File.Copy(face, Path.Combine(folder, Path.GetFileName(face)));
        }

        return folder;
    }

    private static JsonElement Training(string dryRun) => JsonDocument.Parse(dryRun).RootElement.GetProperty("training");

    [Fact]
    public void Photos_take_the_photo_defaults_Fashion_MNIST_keeps_its_own_and_a_given_option_wins()
    {
        var work = Fixtures.TemporaryFolder();
        var faces = FaceFolder(8);

        var photo = Ogan.Run(work, "train", "--data", faces, "--res", "64", "--dry-run");
        Assert.True(photo.ExitCode == 0, photo.Error);
        var photoSettings = JsonDocument.Parse(photo.Output).RootElement;
        var photoDefaults = OGan.Training.PhotoDefaults.Training(64);
        Assert.Equal(photoDefaults.BatchSize, Training(photo.Output).GetProperty("batch_size").GetInt32());
        Assert.Equal(photoDefaults.Flip, Training(photo.Output).GetProperty("flip").GetBoolean());
        Assert.Equal("none", Training(photo.Output).GetProperty("learning_rate_decay").GetString());
        Assert.Equal(OGan.Training.PhotoDefaults.Model(64).Width, photoSettings.GetProperty("model").GetProperty("width").GetInt32());
        Assert.Equal(Path.GetFullPath(faces), photoSettings.GetProperty("data").GetString());

        var fashion = Ogan.Run(work, "train", "--dry-run");
        Assert.Equal(64, Training(fashion.Output).GetProperty("batch_size").GetInt32());
        Assert.False(Training(fashion.Output).GetProperty("flip").GetBoolean());
        Assert.Equal("cosine", Training(fashion.Output).GetProperty("learning_rate_decay").GetString());

        var given = Ogan.Run(work, "train", "--data", faces, "--res", "64", "--batch", "16", "--flip", "false", "--dry-run");
        Assert.Equal(16, Training(given.Output).GetProperty("batch_size").GetInt32());
        Assert.False(Training(given.Output).GetProperty("flip").GetBoolean());

        // At 128 px a photo run grows from 64 px, four fifths of its budget there (docs/results.md section 11.6); not at 64 px, nor when told.
        Assert.DoesNotContain("growth schedule", photo.Error, StringComparison.Ordinal);
        var large = Ogan.Run(work, "train", "--data", faces, "--res", "128", "--dry-run");
        Assert.True(large.ExitCode == 0, large.Error);
        Assert.Contains("growth schedule: 64 px first (80 % of the budget), then grown to 128 px by skip", large.Error, StringComparison.Ordinal);
        int Model(string dryRun, string name) => JsonDocument.Parse(dryRun).RootElement.GetProperty("model").GetProperty(name).GetInt32();
        int MinChannels(string dryRun) => Model(dryRun, "min_channels");
        Assert.Equal(64, MinChannels(large.Output)); // G's last hidden layers 64 channels wide, not 16 and 8 (docs/results.md sections 11.9, 11.10, 11.12)
        Assert.Equal([32, 64], [Training(large.Output).GetProperty("batch_size").GetInt32(), Training(photo.Output).GetProperty("batch_size").GetInt32()]); // section 11.13
        Assert.Equal([256, 128], [Model(large.Output, "width"), Model(photo.Output, "width")]); // twice as wide at 128 px (section 11.11)
        var narrow = Ogan.Run(work, "train", "--data", faces, "--res", "128", "--width", "16", "--dry-run");
        Assert.True(narrow.ExitCode == 0, narrow.Error);
        Assert.Equal(16, MinChannels(narrow.Output)); // the floor is at most the width
        Assert.Equal(0, MinChannels(photo.Output));
        Assert.Equal(0, MinChannels(fashion.Output));
        var direct = Ogan.Run(work, "train", "--data", faces, "--res", "128", "--grow", "none", "--dry-run");
        Assert.DoesNotContain("growth schedule", direct.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_with_a_holdout_names_its_held_out_faces_and_eval_measures_FID_on_ImageNet_features_against_them()
    {
        var work = Fixtures.TemporaryFolder();
        var faces = FaceFolder(96);
        var cache = new Dictionary<string, string> { ["OGAN_CACHE"] = Path.Combine(work, "cache") };
        var train = Ogan.Run(work, cache, "train", "--data", faces, "--res", "32", "--holdout", "0.25", "--steps", "4", "--width", "16", "--zdim", "8",
            "--batch", "8", "--log-every", "2", "--calibration-images", "16", "--out", "runs");
        Assert.True(train.ExitCode == 0, train.Error);
        var run = Directory.GetDirectories(Path.Combine(work, "runs")).Single();

        // The held-out names are a quarter of the folder (by name), and the run trained on the rest.
        var heldOut = File.ReadAllLines(Path.Combine(run, "held-out.txt"));
        Assert.InRange(heldOut.Length, 12, 36);
        Assert.All(heldOut, name => Assert.StartsWith(Path.GetFullPath(faces), name, StringComparison.Ordinal));
        Assert.Contains($"({96 - heldOut.Length} images)", train.Error, StringComparison.Ordinal);

        var eval = Ogan.Run(work, cache, "eval", "-c", run, "--count", "16", "--latents", "64", "--json", "eval.json");
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.Contains("FID (ResNet-18 ImageNet features), 16 samples vs held-out", eval.Output, StringComparison.Ordinal);
        Assert.Contains("floor: 16 training photos vs held-out", eval.Output, StringComparison.Ordinal);
        var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "eval.json"))).RootElement;
        Assert.Contains("held-out 25%", result.GetProperty("held_out").GetString(), StringComparison.Ordinal);
        var (samples, floor) = (result.GetProperty("fid_resnet18").GetDouble(), result.GetProperty("fid_resnet18_floor").GetDouble());
        Assert.True(floor > 0 && samples > 2 * floor, $"4 iterations make noise, far from the faces: FID {samples:F1} against the floor's {floor:F1}");
        Assert.True(result.GetProperty("fid_resnet18_reconstructions").GetDouble() > 0);

        // Identity, with chance and the PCA baseline of the same code size beside it.
        Assert.Contains("identity %: reconstruction nearest its own photo of 16 (top-1)", eval.Output, StringComparison.Ordinal);
        Assert.Contains("baseline: PCA of 8 components", eval.Output, StringComparison.Ordinal);
        Assert.Equal(100.0 / 16, result.GetProperty("identity_chance_top1").GetDouble(), 9);
        Assert.InRange(result.GetProperty("identity_top1").GetDouble(), 0, 100);
        Assert.True(result.GetProperty("identity_pca_top1").GetDouble() > 100.0 / 16, "a PCA of 8 components finds its own photo no more often than chance");
        Assert.Contains("only 16 held-out photos", eval.Error, StringComparison.Ordinal);

        // Other photos given as --eval-data replace the held-out part.
        var others = Fixtures.TemporaryFolder();
        foreach (var face in Fixtures.SharedPhotos("celeba-128").Skip(200).Take(20))
        {
            File.Copy(face, Path.Combine(others, Path.GetFileName(face)));
        }

        var evalOthers = Ogan.Run(work, cache, "eval", "-c", run, "--eval-data", others, "--count", "16", "--latents", "64");
        Assert.True(evalOthers.ExitCode == 0, evalOthers.Error);
        Assert.Contains(others, evalOthers.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_growth_schedule_trains_at_the_smaller_size_then_grows_into_a_run_of_its_own_with_the_same_held_out_faces()
    {
        var work = Fixtures.TemporaryFolder();
        var faces = FaceFolder(64);
        var cache = new Dictionary<string, string> { ["OGAN_CACHE"] = Path.Combine(work, "cache") };
        var train = Ogan.Run(work, cache, "train", "--data", faces, "--res", "64", "--grow", "32", "--grow-share", "0.5", "--steps", "8", "--holdout", "0.25",
            "--width", "16", "--zdim", "8", "--kernel", "4", "--batch", "8", "--grow-by", "fade", "--fade", "16", "--log-every", "2", "--calibration-images", "16", "--out", "runs");
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("growth schedule, stage 2 of 2: 64 px", train.Error, StringComparison.Ordinal);
        var runs = Directory.GetDirectories(Path.Combine(work, "runs")).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, runs.Length);
        var (small, grown) = (JsonDocument.Parse(File.ReadAllText(Path.Combine(runs[0], "options.json"))).RootElement, JsonDocument.Parse(File.ReadAllText(Path.Combine(runs[1], "options.json"))).RootElement);
        Assert.Equal(32, small.GetProperty("model").GetProperty("image_size").GetInt32());
        Assert.Equal(64, grown.GetProperty("model").GetProperty("image_size").GetInt32());
        Assert.Equal([4, 4], [small.GetProperty("model").GetProperty("kernel_size").GetInt32(), grown.GetProperty("model").GetProperty("kernel_size").GetInt32()]);
        Assert.StartsWith(Path.GetFullPath(runs[0]), grown.GetProperty("training").GetProperty("grow_from").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, Training(File.ReadAllText(Path.Combine(runs[1], "options.json"))).GetProperty("steps").GetInt64());
        Assert.Equal(File.ReadAllLines(Path.Combine(runs[0], "held-out.txt")), File.ReadAllLines(Path.Combine(runs[1], "held-out.txt")));

        var sample = Ogan.Run(work, cache, "sample", "-c", runs[1], "-n", "4", "-o", "grown.png");
        Assert.True(sample.ExitCode == 0, sample.Error);

        Assert.Equal(0, grown.GetProperty("model").GetProperty("skips").GetInt32());
        Assert.Equal(16, grown.GetProperty("training").GetProperty("fade_images").GetInt64());

        // By default the 32 px stage grows by skips: the model keeps its image layer as skip1; --fade with it is refused in one line.
        var bySkips = Ogan.Run(work, cache, "train", "--grow-from", runs[0], "--steps", "2", "--batch", "8", "--calibration-images", "16", "--out", "skips");
        Assert.True(bySkips.ExitCode == 0, bySkips.Error);
        Assert.Contains("by skips", bySkips.Error, StringComparison.Ordinal);
        var skipRun = Directory.GetDirectories(Path.Combine(work, "skips")).Single();
        Assert.Equal(1, JsonDocument.Parse(File.ReadAllText(Path.Combine(skipRun, "options.json"))).RootElement.GetProperty("model").GetProperty("skips").GetInt32());
        var withFade = Ogan.Run(work, cache, "train", "--grow-from", runs[0], "--fade", "16", "--steps", "2", "--out", "skips");
        Assert.NotEqual(0, withFade.ExitCode);
        Assert.Single(withFade.ErrorLines);
        Assert.Contains("--fade 16", withFade.Error, StringComparison.Ordinal);

        // Grown to 128 px, a model thinner than the 128 px photo default's channel floor is not refused: its new layers take the
        // channels of its narrowest one (2: width 16 halved three times), so that its own layers stay as they are.
        var to128 = Ogan.Run(work, cache, "train", "--grow-from", runs[1], "--dry-run");
        Assert.True(to128.ExitCode == 0, to128.Error);
        var model128 = JsonDocument.Parse(to128.Output).RootElement.GetProperty("model");
        Assert.Equal([128, 2], [model128.GetProperty("image_size").GetInt32(), model128.GetProperty("min_channels").GetInt32()]);
    }

    [Fact]
    public void A_photo_run_at_128_px_trains_its_64_px_stage_with_the_width_channel_floor_and_batch_of_the_model_it_grows_into()
    {
        var work = Fixtures.TemporaryFolder();
        var faces = FaceFolder(40);
        var cache = new Dictionary<string, string> { ["OGAN_CACHE"] = Path.Combine(work, "cache") };
        var train = Ogan.Run(work, cache, "train", "--data", faces, "--res", "128", "--zdim", "8", "--steps", "4",
            "--log-every", "2", "--calibration-images", "8", "--out", "runs");
        Assert.True(train.ExitCode == 0, train.Error);
        var options = Directory.GetDirectories(Path.Combine(work, "runs")).Order(StringComparer.Ordinal)
            .Select(run => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "options.json"))).RootElement).ToArray();
        var models = options.Select(run => run.GetProperty("model")).ToArray();
        Assert.Equal([32, 32], options.Select(run => run.GetProperty("training").GetProperty("batch_size").GetInt32())); // a 64 px photo run alone takes 64
        Assert.Equal([64, 128], models.Select(model => model.GetProperty("image_size").GetInt32()));
        Assert.Equal([256, 256], models.Select(model => model.GetProperty("width").GetInt32())); // a 64 px photo run alone is 128 wide
        Assert.Equal([64, 64], models.Select(model => model.GetProperty("min_channels").GetInt32()));
    }

    [Fact]
    public void A_photo_run_grown_from_32_px_has_the_z_of_one_grown_from_64_px()
    {
        var work = Fixtures.TemporaryFolder();
        var faces = FaceFolder(40);
        var cache = new Dictionary<string, string> { ["OGAN_CACHE"] = Path.Combine(work, "cache") };
        var train = Ogan.Run(work, cache, "train", "--data", faces, "--res", "128", "--grow", "32,64", "--width", "16", "--min-channels", "8",
            "--batch", "4", "--steps", "2", "--log-every", "1", "--calibration-images", "8", "--out", "runs");
        Assert.True(train.ExitCode == 0, train.Error);
        var models = Directory.GetDirectories(Path.Combine(work, "runs")).Order(StringComparer.Ordinal)
            .Select(run => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "options.json"))).RootElement.GetProperty("model")).ToArray();
        Assert.Equal([32, 64, 128], models.Select(model => model.GetProperty("image_size").GetInt32()));
        Assert.Equal([64, 64, 64], models.Select(model => model.GetProperty("latent_dim").GetInt32())); // --grow 64 gives z 64 too (section 11.14)
    }
}
