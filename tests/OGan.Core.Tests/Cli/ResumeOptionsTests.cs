using OGan.Checkpoints;

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

        var resumed = Ogan.Run(work, "train", "--resume", folder, "--steps", "8", "--lr", "0.0001", "--log-every", "1", "--device", "cpu", "--batch", "8");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        using var checkpoint = Checkpoint.Read(Path.Combine(folder, "checkpoint-000008.safetensors"));
        Assert.Equal(0.0001, checkpoint.Settings.Training.LearningRate);
        Assert.Equal(1, checkpoint.Settings.Training.LogEvery);
        Assert.Equal(8, checkpoint.Settings.Training.BatchSize);
        Assert.Equal(2 + 4, File.ReadAllLines(Path.Combine(folder, "stats.jsonl")).Length); // steps 2, 4, then 5, 6, 7, 8
    }
}
