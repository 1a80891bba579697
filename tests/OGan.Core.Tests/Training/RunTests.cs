using OGan.Training;

namespace OGan.Core.Tests.Training;

/// <summary>What a run promises: the latest checkpoint, honest logs and ETA after resume, finite snapshots, a fair calibration sample.</summary>
public sealed class RunTests
{
    [Fact]
    public void The_latest_checkpoint_is_the_highest_step_also_past_six_digits()
    {
        var folder = Fixtures.TemporaryFolder();
        foreach (var name in new[] { "checkpoint-000500.safetensors", "checkpoint-999000.safetensors", "checkpoint-1000000.safetensors", "checkpoint-backup.safetensors" })
        {
            File.WriteAllText(Path.Combine(folder, name), "");
        }

        Assert.Equal(Path.Combine(folder, "checkpoint-1000000.safetensors"), RunFolder.LatestCheckpoint(folder));
        Assert.Equal(["checkpoint-000500.safetensors", "checkpoint-999000.safetensors", "checkpoint-1000000.safetensors"], RunFolder.CheckpointsByStep(folder).Select(Path.GetFileName));
        Assert.Null(RunFolder.LatestCheckpoint(Path.Combine(folder, "missing")));
    }

    [Fact]
    public void Resuming_drops_the_log_lines_written_after_the_checkpoint()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        var settings = Tiny(steps: 4, logEvery: 2);
        string checkpoint;
        using (var first = new Trainer(settings, data, folder))
        {
            checkpoint = first.Run()!;
        }

        // As a run killed after logging past its last checkpoint leaves them:
        File.AppendAllText(folder.StatsFile, "{\"step\":6,\"loss_e\":0}\n{\"step\":8,\"loss_e\":0}\n");
        File.WriteAllText(folder.Metric("rho"), "{\"step\":2,\"rho\":0.1}\n{\"step\":6,\"rho\":0.2}\n");
        using (var resumed = Trainer.Resume(checkpoint, data, folder, steps: 8))
        {
            Assert.Equal([2L, 4L], Steps(folder.StatsFile));
            Assert.Equal([2L], Steps(folder.Metric("rho")));
            resumed.Run();
        }

        Assert.Equal([2L, 4L, 6L, 8L], Steps(folder.StatsFile));
    }

    [Fact]
    public void A_checkpoint_is_never_written_with_a_non_finite_weight()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        var settings = Tiny(steps: 2, logEvery: 100);
        using var trainer = new Trainer(settings, data, folder);
        trainer.TrainStep();
        var good = trainer.SaveCheckpoint(folder.Checkpoint(1))!;
        using (no_grad())
        {
            trainer.State.Encoder.parameters().First().view(-1)[0] = float.NaN;
        }

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.SaveCheckpoint(folder.Checkpoint(2)));
        Assert.False(File.Exists(folder.Checkpoint(2)), "a checkpoint with a NaN weight was written");
        Assert.Contains(good, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ETA_after_resume_counts_this_process_iterations()
    {
        // Resumed at step 1,000: 100 iterations in 10 s here, 900 to go.
        var progress = new TrainingProgress(1100, 2000, 0, 0, 0, 0, 640, 10);
        Assert.Equal("00:01:30", OGan.Cli.TrainCommand.Eta(progress, 1000, null));
        Assert.Equal("00:00:20", OGan.Cli.TrainCommand.Eta(progress, 1000, TimeSpan.FromSeconds(30)));
        Assert.Equal("?", OGan.Cli.TrainCommand.Eta(progress with { Step = 1000 }, 1000, null));
    }

    [Fact]
    public void Calibration_images_are_a_seeded_sample_of_the_whole_set_not_its_first_files()
    {
        // A folder sorted by class: 32 black images, then 32 white ones.
        var pixels = new byte[64 * 32 * 32];
        Array.Fill(pixels, (byte)255, 32 * 32 * 32, 32 * 32 * 32);
        using var data = new OGan.Data.ImageSet(pixels, 64, 1, 32);
        float[] MeansOf(ulong seed) => [.. data.Sample(16, 8, seed, CPU).Select(batch =>
        {
            using (batch)
            {
                return batch.mean([1, 2, 3]).data<float>().ToArray();
            }
        }).SelectMany(m => m)];

        var first = MeansOf(7);
        Assert.Equal(16, first.Length);
        Assert.Contains(first, m => m < 0);
        Assert.Contains(first, m => m > 0);
        Assert.Equal(first, MeansOf(7));
        Assert.NotEqual(first, MeansOf(8));
    }

    private static RunSettings Tiny(long steps, int logEvery) => new(
        new OGan.Models.OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 16 },
        new TrainingOptions { BatchSize = 16, Steps = steps, LogEvery = logEvery, SampleEvery = 0, SnapshotEvery = 0, CalibrationImages = 0 },
        "fashion-mnist");

    private static long[] Steps(string file) =>
        [.. File.ReadAllLines(file).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64())];
}
