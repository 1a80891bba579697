using OGan.Checkpoints;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Checkpoints;

/// <summary>
/// Checkpoints whose digest is right but whose contents are not what OGan writes (crafted, or written by a buggy
/// tool): resuming refuses them in one line naming the file, where it used to fail at the first step or escape
/// as another exception.
/// </summary>
public sealed class CraftedCheckpointTests
{
    private static readonly RunSettings Tiny = new(
        new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 },
        new TrainingOptions { BatchSize = 8, Steps = 1, LogEvery = 1, SampleEvery = 0, SnapshotEvery = 0, CalibrationImages = 8 },
        "fashion-mnist");

    public static TheoryData<string, string> Cases => new()
    {
        { "cursor", "position" },           // past the end of the data: Cursor + batch used to overflow at the first step
        { "permutation-float", "training.permutation" },
        { "permutation-repeats", "permutation" },
        { "optimizer-step-float", "step" },
        { "rng-int64", "training.rng_state" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_crafted_checkpoint_with_a_right_digest_is_refused_on_resume(string craft, string named)
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 32);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        string written;
        using (var trainer = new Trainer(Tiny, data, folder))
        {
            written = trainer.Run()!;
        }

        var crafted = Path.Combine(folder.Path, "crafted.safetensors");
        var (tensors, metadata) = SafeTensors.Load(written);
        using (var scope = NewDisposeScope())
        {
            metadata.Remove(SafeTensors.DigestKey); // Save writes a new, right one
            switch (craft)
            {
                case "cursor":
                    metadata["cursor"] = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "permutation-float":
                    tensors["training.permutation"] = tensors["training.permutation"].to(ScalarType.Float32);
                    break;
                case "permutation-repeats":
                    tensors["training.permutation"] = zeros_like(tensors["training.permutation"]);
                    break;
                case "optimizer-step-float":
                    tensors["optimizer.encoder.step"] = tensors["optimizer.encoder.step"].to(ScalarType.Float32);
                    break;
                case "rng-int64":
                    tensors["training.rng_state"] = tensors["training.rng_state"].to(ScalarType.Int64);
                    break;
            }

            SafeTensors.Save(crafted, [.. tensors.Select(t => (t.Key, t.Value))], metadata);
        }

        var error = Assert.Throws<InvalidDataException>(() => Trainer.Resume(crafted, data, folder: null).Dispose());
        Assert.StartsWith(crafted, error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
