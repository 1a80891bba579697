using OGan.Distributed;
using OGan.MixedPrecision;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Training;

/// <summary>DiffAugment (--augment): what each transform does to real images, that gradients pass, and that a run with it repeats.</summary>
public sealed class DiffAugmentTests
{
    private static Tensor Faces(int count) => Fixtures.FashionMnist(train: true, limit: count).First(count, CPU);

    [Fact]
    public void Probability_zero_changes_nothing_and_one_changes_every_image()
    {
        using var scope = NewDisposeScope();
        var images = Faces(16);
        using var random = new torch.Generator(1);
        var none = new DiffAugment("color,translation,cutout", 0).Apply(images, random, ProcessGroup.Single);
        Assert.True((none - images).abs().max().ToDouble() < 1e-6, "probability 0 changed an image"); // identity colour transforms round at 6e-8

        var all = new DiffAugment("color,translation,cutout", 1).Apply(images, random, ProcessGroup.Single);
        var changed = (all - images).abs().flatten(1).max(1).values;
        Assert.True(changed.gt(0.01).all().item<bool>(), "an image came through unchanged at probability 1");
    }

    [Fact]
    public void Cutout_zeroes_at_most_a_quarter_of_each_image_and_translation_moves_it_whole()
    {
        using var scope = NewDisposeScope();
        var blank = ones(32, 1, 32, 32);
        using var random = new torch.Generator(2);
        var cut = new DiffAugment("cutout", 1).Apply(blank, random, ProcessGroup.Single);
        var zeroed = cut.eq(0).flatten(1).sum(1);
        Assert.True(zeroed.le(16 * 16).all().item<bool>(), "cutout zeroed more than a square of half the side");
        Assert.True(zeroed.gt(0).all().item<bool>(), "cutout left an image whole");

        var images = Faces(8);
        var moved = new DiffAugment("translation", 1).Apply(images, random, ProcessGroup.Single);
        for (var i = 0; i < 8; i++)
        {
            // Some shift of up to 4 pixels (1/8 of 32) puts the image's middle where the result has it.
            var middle = moved[i, .., 8..24, 8..24];
            var found = false;
            for (var dy = -4; dy <= 4 && !found; dy++)
            {
                for (var dx = -4; dx <= 4 && !found; dx++)
                {
                    found = (images[i, .., (8 + dy)..(24 + dy), (8 + dx)..(24 + dx)] - middle).abs().max().ToDouble() == 0;
                }
            }

            Assert.True(found, $"image {i} is not a shifted copy");
        }
    }

    [Fact]
    public void Gradients_pass_through_the_augmentation_to_the_images()
    {
        using var scope = NewDisposeScope();
        var images = Faces(8).requires_grad_();
        using var random = new torch.Generator(3);
        new DiffAugment("color,translation,cutout", 1).Apply(images, random, ProcessGroup.Single).square().sum().backward();
        Assert.NotNull(images.grad);
        Assert.True(images.grad!.abs().sum().ToDouble() > 0);
    }

    [Fact]
    public void A_run_with_augmentation_trains_repeats_and_refuses_a_bad_policy()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var settings = new RunSettings(
            new OGanConfig { ImageSize = 32, Channels = 1, Width = 32, ZDim = 16 },
            new TrainingOptions { BatchSize = 16, Steps = 3, LogEvery = 1, SampleEvery = 0, SnapshotEvery = 0, Seed = 4, CalibrationImages = 16, Augment = "color,translation,cutout", AugmentProbability = 0.5 },
            "fashion-mnist");
        List<double> Losses()
        {
            var progress = new List<TrainingProgress>();
            using var trainer = new Trainer(settings, data);
            trainer.Run(new CallbackProgress<TrainingProgress>(progress.Add));
            return [.. progress.SelectMany(p => new[] { p.EncoderLoss, p.GeneratorLoss, p.Rho })];
        }

        var first = Losses();
        Assert.All(first, l => Assert.True(double.IsFinite(l)));
        Assert.Equal(first, Losses());

        var bad = settings with { Training = settings.Training with { Augment = "color,blur" } };
        var error = Assert.Throws<ArgumentException>(() => new Trainer(bad, data).Dispose());
        Assert.Contains("unknown augmentation 'blur'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_clean_rho_reads_the_fake_as_G_made_it()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        List<double> Losses(RhoSource source, double probability)
        {
            var settings = new RunSettings(
                new OGanConfig { ImageSize = 32, Channels = 1, Width = 32, ZDim = 16 },
                new TrainingOptions { BatchSize = 16, Steps = 3, LogEvery = 1, SampleEvery = 0, SnapshotEvery = 0, Seed = 5, CalibrationImages = 0, Precision = Precision.Fp32, Augment = "color,translation,cutout", AugmentProbability = probability, AugmentRho = source },
                "fashion-mnist");
            var progress = new List<TrainingProgress>();
            using var trainer = new Trainer(settings, data);
            trainer.Run(new CallbackProgress<TrainingProgress>(progress.Add));
            return [.. progress.SelectMany(p => new[] { p.EncoderLoss, p.GeneratorLoss, p.Rho })];
        }

        // With no image augmented the clean and the augmented fake are the same image: the same losses, the same
        // random numbers drawn (the extra E pass draws none).
        var augmented = Losses(RhoSource.Augmented, 0);
        var clean = Losses(RhoSource.Clean, 0);
        Assert.Equal(augmented.Count, clean.Count);
        for (var i = 0; i < augmented.Count; i++)
        {
            Assert.True(Math.Abs(augmented[i] - clean[i]) < 1e-4, $"value {i}: {augmented[i]} against {clean[i]}");
        }

        // With every image augmented, rho reads another image, so another number.
        var augmentedRho = Losses(RhoSource.Augmented, 1)[^1];
        var cleanRho = Losses(RhoSource.Clean, 1)[^1];
        Assert.True(Math.Abs(augmentedRho - cleanRho) > 1e-3, $"rho {augmentedRho} whether clean or augmented");
    }

    [Fact]
    public void A_clean_rho_without_augmentation_is_refused()
    {
        var options = new TrainingOptions { AugmentRho = RhoSource.Clean };
        var error = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Contains("--augment-rho clean", error.Message, StringComparison.Ordinal);
    }
}
