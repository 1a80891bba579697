using OGan.Checkpoints;
using OGan.Data;
using OGan.Distributed;
using OGan.Inference;
using OGan.MixedPrecision;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Training;

/// <summary>
/// Growing a trained model to twice its resolution (Trainer.Grow): at fade 0 the grown networks compute the
/// smaller ones at twice the size, the result has the names and shapes of a model built at its size, the
/// optimizer's moments carry over, and a run resumed mid-fade continues exactly. Grown by skips, the grown networks
/// start as the smaller ones at twice the size and keep their image layers as skip1.
/// </summary>
public sealed class GrowthTests
{
    private const int Batch = 16;

    private static RunSettings Tiny(int size, long steps, long fadeImages = 0, int skips = 0, int minChannels = 0) => new(
        new OGanConfig { ImageSize = size, Channels = 1, Width = 32, ZDim = 16, Skips = skips, MinChannels = minChannels },
        new TrainingOptions
        {
            BatchSize = Batch, Steps = steps, LogEvery = 1, SampleEvery = 0, SnapshotEvery = 2, Seed = 7, CalibrationImages = 32,
            Precision = Precision.Fp32, FadeImages = fadeImages, GrowFrom = fadeImages > 0 || skips > 0 ? "set by Trainer.Grow" : null,
        },
        "fashion-mnist");

    // Fashion-MNIST's 32 px images at 64 px (each pixel doubled).
    private static ImageSet Doubled(ImageSet data)
    {
        using var scope = NewDisposeScope();
        var all = data.PixelsAt([.. Enumerable.Range(0, data.Count).Select(i => (long)i)]).repeat_interleave(2, 2).repeat_interleave(2, 3).contiguous();
        return new ImageSet(all.data<byte>().ToArray(), data.Count, 1, 64, name: "fashion-mnist-64");
    }

    // The grown EMA G's samples equal the smaller G's, each pixel doubled.
    private static void AssertSamplesUpsampled(OGanModel before, Trainer grown, string what)
    {
        var z = before.Latents(8, seed: 3);
        var expected = before.Sample(z).repeat_interleave(2, 2).repeat_interleave(2, 3);
        var difference = (grown.State.Ema!.call(z) - expected).abs().max().ToDouble();
        Assert.True(difference < 1e-5, $"{what} differs from the smaller G upsampled by {difference:G3}");
    }

    private static string TrainedSmall(ImageSet data)
    {
        using var trainer = new Trainer(Tiny(32, 3), data, new RunFolder(Fixtures.TemporaryFolder()));
        return trainer.Run()!;
    }

    [Fact]
    public void At_fade_zero_the_grown_networks_compute_the_smaller_ones_at_twice_the_size()
    {
        using var small = Fixtures.FashionMnist(train: true, limit: 64);
        using var large = Doubled(small);
        var checkpoint = TrainedSmall(small);
        using var grown = Trainer.Grow(checkpoint, Tiny(64, 10, fadeImages: 1000), large, null, ProcessGroup.Single);
        using var before = OGanModel.Load(checkpoint, CPU, Precision.Fp32);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Assert.True(grown.State.IsFading);
        Assert.Equal(0, grown.State.Generator.Fade!.Alpha);

        var z = before.Latents(8, seed: 3);
        var expected = before.Sample(z).repeat_interleave(2, 2).repeat_interleave(2, 3);
        var samples = grown.State.Ema!.call(z);
        Assert.Equal(expected.shape, samples.shape);
        Assert.True((samples - expected).abs().max().ToDouble() < 1e-5, $"G grown at fade 0 differs from the smaller G upsampled by {(samples - expected).abs().max().ToDouble():G3}");

        var images = large.First(8, CPU);
        grown.State.Encoder.eval();
        var codes = grown.State.Encoder.call(images);
        var smallerCodes = before.EncodeRaw(nn.functional.avg_pool2d(images, 2));
        Assert.True((codes - smallerCodes).abs().max().ToDouble() < 1e-4 * smallerCodes.abs().max().ToDouble(), "E grown at fade 0 differs from the smaller E on the image at half the size");
    }

    [Fact]
    public void The_grown_model_has_the_names_and_shapes_of_a_model_built_at_its_size_and_keeps_the_optimizer_moments()
    {
        using var small = Fixtures.FashionMnist(train: true, limit: 64);
        using var large = Doubled(small);
        var checkpoint = TrainedSmall(small);
        using var grown = Trainer.Grow(checkpoint, Tiny(64, 10, fadeImages: 1000), large, null, ProcessGroup.Single);
        var config = grown.Config;
        using var generator = new Generator(config);
        using var encoder = new Encoder(config);
        static string[] Shapes(nn.Module m) => [.. m.state_dict().Select(e => $"{e.Key}:{string.Join('x', e.Value.shape)}")];
        Assert.Equal(Shapes(generator), Shapes(grown.State.Generator));
        Assert.Equal(Shapes(encoder), Shapes(grown.State.Encoder));
        Assert.EndsWith(".safetensors", grown.Options.GrowFrom, StringComparison.Ordinal);

        using var read = Checkpoint.Read(checkpoint);
        var oldMoments = read.Part(Checkpoint.EncoderOptimizerPrefix);
        var newMoments = OptimizerStates.Save(grown.State.EncoderOptimizer).ToDictionary(e => e.Key, e => e.Value);
        var encoderNames = grown.State.Encoder.named_parameters().Select(p => p.name).ToList();
        using var smallEncoder = new Encoder(read.Settings.Model);
        var smallNames = smallEncoder.named_parameters().Select(p => p.name).ToList();
        var moved = encoderNames.IndexOf("conv2.weight"); // the smaller E's conv1
        Assert.True(oldMoments[$"state.{smallNames.IndexOf("conv1.weight")}.exp_avg"].abs().sum().ToDouble() > 0, "the smaller E's optimizer never moved");
        Assert.True(oldMoments[$"state.{smallNames.IndexOf("conv1.weight")}.exp_avg"].allclose(newMoments[$"state.{moved}.exp_avg"], 0, 0), "E's conv1 moments did not move to conv2");
        Assert.Equal(0, newMoments[$"state.{encoderNames.IndexOf("conv0.weight")}.exp_avg"].abs().sum().ToDouble()); // the new block starts fresh
    }

    [Fact]
    public void A_run_resumed_mid_fade_continues_exactly_and_ends_as_an_ordinary_model()
    {
        using var small = Fixtures.FashionMnist(train: true, limit: 64);
        using var large = Doubled(small);
        var checkpoint = TrainedSmall(small);
        var settings = Tiny(64, 5, fadeImages: 3 * Batch); // the fade ends at step 3; checkpoints at 2 (mid-fade) and 4
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        var straight = new List<TrainingProgress>();
        using (var grown = Trainer.Grow(checkpoint, settings, large, folder, ProcessGroup.Single))
        {
            grown.Run(new CallbackProgress<TrainingProgress>(straight.Add));
        }

        var midFade = folder.Checkpoint(2);
        using (var read = Checkpoint.Read(midFade))
        {
            Assert.True(read.IsFading, "a checkpoint at step 2 of a 3-step fade holds no fade");
        }

        using (var model = OGanModel.Load(midFade, CPU, Precision.Fp32))
        {
            Assert.Equal(2.0 / 3, model.Generator.Fade!.Alpha, 12);
            Assert.Equal(2.0 / 3, model.Encoder.Fade!.Alpha, 12);
        }

        using (var read = Checkpoint.Read(folder.Checkpoint(4)))
        {
            Assert.False(read.IsFading, "a checkpoint after the fade still holds the old layers");
            Assert.DoesNotContain(read.Names, n => n.StartsWith("fade.", StringComparison.Ordinal));
        }

        var resumed = new List<TrainingProgress>();
        using (var again = Trainer.Resume(midFade, large, new RunFolder(Fixtures.TemporaryFolder()), ProcessGroup.Single, 5, null))
        {
            again.Run(new CallbackProgress<TrainingProgress>(resumed.Add));
        }

        Assert.Equal(straight.Skip(2).Select(p => (p.Step, p.EncoderLoss, p.GeneratorLoss, p.Rho)), resumed.Select(p => (p.Step, p.EncoderLoss, p.GeneratorLoss, p.Rho)));
        using var final = OGanModel.Load(folder.Checkpoint(5), CPU, Precision.Fp32);
        Assert.Null(final.Generator.Fade);
        Assert.Equal(64, final.Sample(2, seed: 1).shape[3]);

        // ONNX graphs hold no fade: a mid-fade checkpoint is refused in one line, one after the fade exports.
        var refused = Assert.Throws<InvalidDataException>(() => OGan.Export.OnnxExport.Write(midFade, Fixtures.TemporaryFolder()));
        Assert.Contains("faded in", refused.Message, StringComparison.Ordinal);
        var exported = Fixtures.TemporaryFolder();
        OGan.Export.OnnxExport.Write(folder.Checkpoint(5), exported);
        Assert.True(File.Exists(Path.Combine(exported, "generator.onnx")));
    }

    [Fact]
    public void A_model_that_cannot_grow_into_the_settings_is_refused_in_one_line_naming_the_difference()
    {
        using var small = Fixtures.FashionMnist(train: true, limit: 64);
        using var large = Doubled(small);
        var checkpoint = TrainedSmall(small);
        var wider = Tiny(64, 10, fadeImages: 100);
        wider = wider with { Model = wider.Model with { Width = 64 } };
        var error = Assert.Throws<InvalidDataException>(() => Trainer.Grow(checkpoint, wider, large, null, ProcessGroup.Single).Dispose());
        Assert.Contains("--width 32", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        var same = Assert.Throws<InvalidDataException>(() => Trainer.Grow(checkpoint, Tiny(32, 10, fadeImages: 100), small, null, ProcessGroup.Single).Dispose());
        Assert.Contains("grows into a 64 px one", same.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grown_by_skips_the_networks_start_as_the_smaller_ones_at_twice_the_size_and_the_new_blocks_learn()
    {
        using var small = Fixtures.FashionMnist(train: true, limit: 64);
        using var large = Doubled(small);
        var checkpoint = TrainedSmall(small);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        using var grown = Trainer.Grow(checkpoint, Tiny(64, 3, skips: 1), large, folder, ProcessGroup.Single);
        using var before = OGanModel.Load(checkpoint, CPU, Precision.Fp32);
        Assert.False(grown.State.IsFading);
        Assert.Null(grown.State.Generator.Fade);
        using (var built = new Generator(grown.Config))
        using (var builtEncoder = new Encoder(grown.Config))
        {
            static string[] Shapes(nn.Module m) => [.. m.state_dict().Select(e => $"{e.Key}:{string.Join('x', e.Value.shape)}")];
            Assert.Equal(Shapes(built), Shapes(grown.State.Generator));
            Assert.Equal(Shapes(builtEncoder), Shapes(grown.State.Encoder));
            Assert.Contains("skip1.weight:8x1x5x5", Shapes(grown.State.Generator)); // the smaller G's output layer (8 channels in, at 32 px)
        }

        using (var scope = NewDisposeScope())
        using (var noGrad = no_grad())
        {
            AssertSamplesUpsampled(before, grown, "G grown by skips");
            var images = large.First(8, CPU);
            grown.State.Encoder.eval();
            var codes = grown.State.Encoder.call(images);
            var smallerCodes = before.EncodeRaw(nn.functional.avg_pool2d(images, 2));
            Assert.True((codes - smallerCodes).abs().max().ToDouble() < 1e-4 * smallerCodes.abs().max().ToDouble(), "E grown by skips differs from the smaller E on the image at half the size");
            grown.State.Encoder.train();
        }

        grown.Run();
        using var trained = OGanModel.Load(folder.Checkpoint(3), CPU, Precision.Fp32);
        var generator = trained.Generator.state_dict();
        Assert.True(generator["out.weight"].abs().sum().ToDouble() > 0, "G's new output layer stayed at zero: the new block learnt nothing");
        Assert.True(trained.Encoder.state_dict()["bn1.weight"].abs().sum().ToDouble() > 0, "E's new block stayed silent");
        Assert.Equal(1, trained.Config.Skips);

        // The grown model grows again by skips (its skip1 moves up to skip2); by fading it cannot.
        var again = Tiny(128, 1, skips: 2);
        using var larger = new ImageSet(new byte[64 * 128 * 128], 64, 1, 128, name: "blank-128");
        using (var twice = Trainer.Grow(folder.Checkpoint(3), again, larger, null, ProcessGroup.Single))
        using (var read = Checkpoint.Read(folder.Checkpoint(3)))
        {
            Assert.True(twice.State.Generator.state_dict()["skip2.weight"].allclose(read.Part(Checkpoint.GeneratorPrefix)["skip1.weight"], 0, 0), "skip1 did not move up to skip2");
        }

        var refused = Assert.Throws<InvalidDataException>(() => Trainer.Grow(folder.Checkpoint(3), Tiny(128, 1, fadeImages: 100, skips: 1), larger, null, ProcessGroup.Single).Dispose());
        Assert.Contains("--grow-by skip", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public void Grown_with_a_channel_floor_the_new_blocks_are_wider_and_the_model_still_starts_as_the_smaller_one()
    {
        using var small = Fixtures.FashionMnist(train: true, limit: 64);
        using var large = Doubled(small);
        var checkpoint = TrainedSmall(small); // width 32 at 32 px: G's hidden layers 32, 16, 8
        using var grown = Trainer.Grow(checkpoint, Tiny(64, 2, skips: 1, minChannels: 8), large, null, ProcessGroup.Single);
        using var before = OGanModel.Load(checkpoint, CPU, Precision.Fp32);
        static string[] Shapes(nn.Module m) => [.. m.state_dict().Select(e => $"{e.Key}:{string.Join('x', e.Value.shape)}")];
        Assert.Contains("deconv3.weight:8x8x5x5", Shapes(grown.State.Generator)); // 8 -> 4 without the floor
        Assert.Contains("out.weight:8x1x5x5", Shapes(grown.State.Generator));
        Assert.Contains("conv1.weight:8x8x5x5", Shapes(grown.State.Encoder));
        using (var scope = NewDisposeScope())
        using (var noGrad = no_grad())
        {
            AssertSamplesUpsampled(before, grown, "G grown with the floor");
        }

        grown.Run();
        var refused = Assert.Throws<InvalidDataException>(() => Trainer.Grow(checkpoint, Tiny(64, 1, skips: 1, minChannels: 16), large, null, ProcessGroup.Single).Dispose());
        Assert.Contains("--min-channels 0", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }
}
