using OGan.Checkpoints;
using OGan.Training;

namespace OGan.Core.Tests.Cli;

/// <summary>Options given with --resume take effect, or are refused in one line when they would change what is trained.</summary>
public sealed class ResumeOptionsTests
{
    [Fact]
    public void Resume_takes_the_options_that_say_how_the_run_goes_on_and_refuses_those_that_change_what_is_trained()
    {
        var work = Fixtures.TemporaryFolder();
        var first = Ogan.Run(work, "train", "--width", "16", "--batch", "8", "--steps", "4", "--log-every", "2", "--sample-every", "0", "--calibration-images", "16");
        Assert.True(first.ExitCode == 0, first.Error);
        var folder = Directory.GetDirectories(Path.Combine(work, "runs")).Single();

        var refused = Ogan.Run(work, "train", "--resume", folder, "--steps", "8", "--batch", "16");
        Assert.Equal(2, refused.ExitCode);
        var error = Assert.Single(refused.ErrorLines);
        Assert.Contains("--batch 16 cannot change on --resume (the run was trained with 8)", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "checkpoint-000008.safetensors")));

        var switched = Ogan.Run(work, "train", "--resume", folder, "--steps", "8", "--single-pass");
        Assert.Equal("ogan: error: --single-pass cannot change on --resume (the run was trained with alternating): it changes what is trained; leave it out, or start a new run", Assert.Single(switched.ErrorLines));

        var resumed = Ogan.Run(work, "train", "--resume", folder, "--steps", "8", "--lr", "0.0001", "--log-every", "1", "--device", "cpu", "--batch", "8");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        using var checkpoint = Checkpoint.Read(Path.Combine(folder, "checkpoint-000008.safetensors"));
        Assert.Equal(0.0001, checkpoint.Settings.Training.LearningRate);
        Assert.Equal(1, checkpoint.Settings.Training.LogEvery);
        Assert.Equal(8, checkpoint.Settings.Training.BatchSize);
        Assert.Equal(2 + 4, File.ReadAllLines(Path.Combine(folder, "stats.jsonl")).Length); // steps 2, 4, then 5, 6, 7, 8
    }

    [Fact]
    public void A_new_run_names_the_defaults_that_changed_once_and_a_run_trained_with_the_old_ones_keeps_them()
    {
        var work = Fixtures.TemporaryFolder();
        string[] tiny = ["--width", "16", "--batch", "8", "--steps", "4", "--log-every", "2", "--sample-every", "0", "--calibration-images", "16"];
        var fresh = Ogan.Run(work, ["train", .. tiny, "--out", "new"]);
        Assert.True(fresh.ExitCode == 0, fresh.Error);
        var told = Assert.Single(fresh.ErrorLines, l => l.Contains("defaults changed since OGan 0.2", StringComparison.Ordinal));
        Assert.EndsWith("this run uses --lr-decay cosine (was none), --schedule-steps 10000 (was 0), --lambda-rho-growth 2 (was 1), --ema 0.999 (was 0); give the old values to train as 0.2 did", told, StringComparison.Ordinal);

        var old = Ogan.Run(work, ["train", .. tiny, "--out", "old", "--ema", "0", "--lr-decay", "none", "--schedule-steps", "0", "--lambda-rho-growth", "1"]);
        Assert.True(old.ExitCode == 0, old.Error);
        Assert.DoesNotContain(old.ErrorLines, l => l.Contains("defaults changed", StringComparison.Ordinal));
        var folder = Directory.GetDirectories(Path.Combine(work, "old")).Single();
        var resumed = Ogan.Run(work, "train", "--resume", folder, "--steps", "6");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        var kept = Assert.Single(resumed.ErrorLines, l => l.Contains("keeps the options it was trained with", StringComparison.Ordinal));
        Assert.EndsWith("defaults changed since OGan 0.2: --lr-decay none (now cosine), --schedule-steps 0 (now 10000), --lambda-rho-growth 1 (now 2), --ema 0 (now 0.999)", kept, StringComparison.Ordinal);
        using var checkpoint = Checkpoint.Read(Path.Combine(folder, "checkpoint-000006.safetensors"));
        Assert.Equal(PreviousDefaults.Options with { Steps = 6 }, checkpoint.Settings.Training with { BatchSize = 64, LogEvery = 50, SampleEvery = 500, CalibrationImages = 1024 });
        Assert.False(checkpoint.HasEma);
    }

    [Fact]
    public void Every_option_that_a_resume_applies_names_a_setting_of_options_json()
    {
        // A misspelt setting would let its option pass --resume unseen.
        var json = System.Text.Json.Nodes.JsonNode.Parse(new RunSettings(new OGan.Models.OGanConfig(), new TrainingOptions(), "fashion-mnist").ToJson())!;
        Assert.All(OGan.Cli.TrainCommand.SettingOf, entry =>
            Assert.True(entry.Setting.Split('.') is [var section, var name] ? json[section]!.AsObject().ContainsKey(name) : json.AsObject().ContainsKey(entry.Setting),
                $"{entry.Option.Name}: no setting {entry.Setting}"));
    }
}
