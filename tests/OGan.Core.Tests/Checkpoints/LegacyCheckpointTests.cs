using OGan.Data;
using OGan.Inference;
using OGan.MixedPrecision;
using OGan.Training;

namespace OGan.Core.Tests.Checkpoints;

/// <summary>
/// Checkpoints written by OGan's earlier engine (its own binding of libtorch 1.13) load on TorchSharp and
/// compute what that version computed. The fixture and its expected outputs come from
/// tests/fixtures/legacy/make.sh, which trains and evaluates with that version (commit ad56fe3).
/// </summary>
public sealed class LegacyCheckpointTests
{
    private static readonly string Folder = Path.Combine(Fixtures.RepositoryRoot, "tests", "fixtures", "legacy");

    private static string FixtureFile(string name) => Path.Combine(Folder, name);

    [Fact]
    public void G_of_the_same_latents_is_what_the_old_version_computed()
    {
        using var model = OGanModel.Load(FixtureFile("checkpoint.safetensors"), CPU, Precision.Fp32);
        using var scope = NewDisposeScope();
        var latents = Npy.Read(FixtureFile("latents.npy"));
        AssertClose(Npy.Read(FixtureFile("samples.npy")), model.Sample(latents), "G(z)");
    }

    [Fact]
    public void The_codes_of_the_same_photos_are_what_the_old_version_computed()
    {
        using var model = OGanModel.Load(FixtureFile("checkpoint.safetensors"), CPU, Precision.Fp32);
        using var scope = NewDisposeScope();
        var photos = Enumerable.Range(0, 4).Select(i => OGan.Imaging.Preprocess.Load(FixtureFile($"photo-{i}.png"), 3, 32)).ToList();
        var images = OGan.Imaging.Pixels.ToModel(stack(photos));
        AssertClose(Npy.Read(FixtureFile("codes.npy")), model.EncodeRaw(images), "E(x)");
        AssertClose(Npy.Read(FixtureFile("latents.npy")), model.Encode(images), "N(E(x))");
    }

    [Fact]
    public void An_old_run_resumes_with_its_optimizer_state_and_position()
    {
        using var data = DataSets.Open(Path.GetDirectoryName(Fixtures.SharedPhotos("celeba-hq")[0])!, 32, 3, cache: Fixtures.TemporaryFolder());
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        using var trainer = Trainer.Resume(FixtureFile("checkpoint.safetensors"), data, folder, steps: 32);
        Assert.Equal(30, trainer.Step);
        Assert.Equal(16, trainer.State.Cursor);
        var progress = new List<TrainingProgress>();
        trainer.Run(new CallbackProgress<TrainingProgress>(progress.Add));
        Assert.Equal(32, trainer.Step);
        Assert.All(progress, p => Assert.True(double.IsFinite(p.EncoderLoss) && double.IsFinite(p.Rho)));
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var worst = (expected - actual).abs().max().ToDouble();
        Assert.True(worst <= 1e-4, $"{what}: largest difference from the old version {worst:G3}");
    }
}
