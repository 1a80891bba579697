using OGan.Data;
using OGan.Inference;
using OGan.Losses;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Training;

/// <summary>A tiny O-GAN trained briefly on real Fashion-MNIST must learn to encode.</summary>
public sealed class LearningTests
{
    [Fact]
    public void Brief_training_on_fashion_mnist_raises_rho_and_lowers_reconstruction_error()
    {
        using var train = Fixtures.FashionMnist(train: true, limit: 6000);
        using var test = Fixtures.FashionMnist(train: false, limit: 256);
        var settings = new RunSettings(
            new OGanConfig { ImageSize = 32, Channels = 1, Width = 32, ZDim = 32 },
            new TrainingOptions { BatchSize = 32, Steps = 300, LogEvery = 100, SampleEvery = 0, SnapshotEvery = 0, Seed = 11 },
            "fashion-mnist");
        using var trainer = new Trainer(settings, train);
        var model = new OGanModel(trainer.Config, trainer.State.Generator, trainer.State.Encoder, ownsNetworks: false);

        var (rhoBefore, mseBefore) = Measure(model, test);
        trainer.Run();
        var (rhoAfter, mseAfter) = Measure(model, test);

        Assert.True(rhoAfter > rhoBefore + 0.3, $"rho(z, E(G(z))) went from {rhoBefore:F3} to {rhoAfter:F3}");
        Assert.True(mseAfter < 0.8 * mseBefore, $"reconstruction MSE went from {mseBefore:F4} to {mseAfter:F4}");
    }

    private static (double Rho, double Mse) Measure(OGanModel model, ImageSet test)
    {
        using var scope = NewDisposeScope();
        var z = model.Latents(512, seed: 123);
        var rho = Pearson.Correlation(z, model.EncodeRaw(model.Sample(z))).mean().ToDouble();
        var real = test.First(256, CPU);
        var mse = (model.Reconstruct(real) - real).square().mean().ToDouble();
        return (rho, mse);
    }
}
