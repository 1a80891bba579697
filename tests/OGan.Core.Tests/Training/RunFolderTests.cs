using OGan.Training;

namespace OGan.Core.Tests.Training;

public sealed class RunFolderTests
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
}
