using OGan.Checkpoints;
using OGan.Inference;
using OGan.Losses;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Training;

public sealed class TrainerTests
{
    private static RunSettings Tiny(long steps, int width = 16, Formulation formulation = Formulation.Alternating) => new(
        new OGanConfig { ImageSize = 32, Channels = 1, Width = width, ZDim = 16 },
        new TrainingOptions { BatchSize = 16, Steps = steps, LogEvery = 1, SampleEvery = 0, SnapshotEvery = 0, Seed = 5, Formulation = formulation, CalibrationImages = 64 },
        "fashion-mnist");

    [Fact]
    public void Grids_leave_the_networks_in_the_layout_the_trainer_chose()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var settings = Tiny(2) with { Training = Tiny(2).Training with { ChannelsLast = true, SampleEvery = 1, EmaDecay = 0.9 } };
        using var trainer = new Trainer(settings, data, new RunFolder(Fixtures.TemporaryFolder()));
        trainer.Run();
        Assert.True(trainer.State.Encoder.Autocast.ChannelsLast, "E's channels-last layout was reset by a grid");
        Assert.True(trainer.State.Ema!.Autocast.ChannelsLast, "the moving average's channels-last layout was reset by a grid");
    }

    [Theory]
    [InlineData(Formulation.Alternating)]
    [InlineData(Formulation.SinglePass)]
    public void A_resumed_run_logs_the_same_losses_as_one_never_stopped(Formulation formulation)
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 100); // 6 batches: the resumed run crosses an epoch
        var straight = new List<TrainingProgress>();
        using (var trainer = new Trainer(Tiny(8, formulation: formulation), data, new RunFolder(Fixtures.TemporaryFolder())))
        {
            trainer.Run(new CallbackProgress<TrainingProgress>(straight.Add));
        }

        // Stopped at step 4 of the same 8, so that the learning rates and the rho weight follow the same schedule.
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        string checkpoint;
        using (var first = new Trainer(Tiny(8, formulation: formulation), data, folder))
        using (var stop = new CancellationTokenSource())
        {
            checkpoint = first.Run(new CallbackProgress<TrainingProgress>(p => { if (p.Step == 4) stop.Cancel(); }), stop.Token)!;
        }

        var resumed = new List<TrainingProgress>();
        using (var second = Trainer.Resume(checkpoint, data, folder))
        {
            Assert.Equal(4, second.Step);
            second.Run(new CallbackProgress<TrainingProgress>(resumed.Add));
        }

        Assert.Equal(4, resumed.Count);
        for (var i = 0; i < 4; i++)
        {
            var expected = straight[i + 4];
            Assert.Equal(expected.Step, resumed[i].Step);
            Assert.Equal(expected.EncoderLoss, resumed[i].EncoderLoss);
            Assert.Equal(expected.GeneratorLoss, resumed[i].GeneratorLoss);
            Assert.Equal(expected.Rho, resumed[i].Rho);
        }
    }

    [Fact]
    public void The_rho_weight_warms_up_linearly_then_stays()
    {
        using var state = new TrainingState(Tiny(1).Model, Tiny(1).Training, CPU, 64);
        var options = new TrainingOptions { LambdaRho = 2, LambdaRhoWarmup = 4, LambdaRhoGrowth = 1 };
        var step = new TrainingStep(state, options, new OGanLoss(GanObjective.Create(options.Loss, options.LambdaQp), options.LambdaRho));
        Assert.Equal([0.5, 1, 1.5, 2, 2, 2], [.. new long[] { 0, 1, 2, 3, 4, 1000 }.Select(s => step.LossAt(s).LambdaRho)]);

        var constant = new TrainingStep(state, new TrainingOptions { LambdaRho = 2 }, step.LossAt(1000));
        Assert.Equal(2, constant.LossAt(0).LambdaRho);
    }

    [Fact]
    public void The_moving_average_of_G_leaves_the_initial_weights_behind_within_a_few_iterations()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var settings = Tiny(5) with { Training = Tiny(5).Training with { EmaDecay = 0.999 } };
        using var trainer = new Trainer(settings, data);
        using var initial = Flat(trainer.State.Generator);
        trainer.Run();

        using var trained = Flat(trainer.State.Generator);
        using var average = Flat(trainer.State.Ema!);
        var moved = (trained - initial).norm().item<float>();
        var lag = (trained - average).norm().item<float>();
        Assert.True(lag < 0.5 * moved, $"G moved {moved} from its initial weights and its average lags {lag} behind (a plain 0.999 average would lag ~{moved:F3})");
    }

    private static Tensor Flat(Generator generator)
    {
        using var scope = NewDisposeScope();
        return cat([.. generator.parameters().Select(p => p.detach().flatten())]).clone().MoveToOuterDisposeScope();
    }

    [Fact]
    public void A_run_folder_holds_options_stats_grids_and_a_loadable_checkpoint()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        var settings = Tiny(4) with { Training = Tiny(4).Training with { LogEvery = 2, SampleEvery = 4, EmaDecay = 0.9 } };
        using (var trainer = new Trainer(settings, data, folder))
        {
            trainer.Run();
        }

        Assert.Equal(settings, RunSettings.FromJson(File.ReadAllText(folder.OptionsFile)));
        Assert.Equal(2, File.ReadAllLines(folder.StatsFile).Length);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(folder.Samples(4))[..4]);
        Assert.True(File.Exists(folder.Reconstructions(4)));

        using var model = OGanModel.Load(folder.Checkpoint(4));
        Assert.Equal(4, model.Step);
        using var scope = NewDisposeScope();
        Assert.Equal([3L, 1, 32, 32], model.Sample(3, seed: 1).shape);
        Assert.Equal(model.Sample(2, seed: 9).data<float>().ToArray(), model.Sample(2, seed: 9).data<float>().ToArray());
        var real = data.First(2, CPU);
        Assert.Equal([2L, 16], model.Encode(real).shape);
        Assert.Equal([2L, 1, 32, 32], model.Reconstruct(real, 0.9).shape);
        var frames = model.Interpolate(real[..1], real[1..2], 5, slerp: true);
        Assert.Equal([5L, 1, 32, 32], frames.shape);
        var pixels = OGanModel.ToPixels(model.Reconstruct(model.FromPixels(OGanModel.ToPixels(real))));
        Assert.Equal(2 * 32 * 32, pixels.Length);
    }

    [Fact]
    public void Broken_checkpoints_are_refused_with_a_clear_message()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 32);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        using (var trainer = new Trainer(Tiny(1), data, folder))
        {
            trainer.Run();
        }

        var good = File.ReadAllBytes(folder.Checkpoint(1));
        var dir = Fixtures.TemporaryFolder();

        var truncated = Path.Combine(dir, "truncated.safetensors");
        File.WriteAllBytes(truncated, good[..(good.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => OGanModel.Load(truncated)).Message, StringComparison.Ordinal);

        var garbage = Path.Combine(dir, "garbage.safetensors");
        File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 37))]);
        Assert.Contains("not a safetensors file", Assert.Throws<InvalidDataException>(() => OGanModel.Load(garbage)).Message, StringComparison.Ordinal);

        var empty = Path.Combine(dir, "empty.safetensors");
        File.WriteAllBytes(empty, []);
        Assert.Throws<InvalidDataException>(() => OGanModel.Load(empty));

        var foreign = Path.Combine(dir, "foreign.safetensors");
        using (var scope = NewDisposeScope())
        {
            SafeTensors.Save(foreign, [("w", ones([2]))], new Dictionary<string, string>());
        }

        Assert.Contains("not an OGan checkpoint", Assert.Throws<InvalidDataException>(() => OGanModel.Load(foreign)).Message, StringComparison.Ordinal);

        using var other = Fixtures.FashionMnist(train: true, limit: 48);
        Assert.Throws<InvalidDataException>(() => Trainer.Resume(folder.Checkpoint(1), other, null).Dispose());
        Assert.Throws<FileNotFoundException>(() => OGanModel.Load(Path.Combine(dir, "missing.safetensors")));
    }

    [Fact]
    public void Safetensors_round_trips_every_dtype_with_metadata()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(Fixtures.TemporaryFolder(), "t.safetensors");
        var written = new (string, Tensor)[]
        {
            ("f32", tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3])), ("f64", tensor(new[] { Math.PI, -1e300 })),
            ("f16", tensor(new float[] { 0.5f, -2, 65504 }).to(ScalarType.Float16)), ("bf16", tensor(new float[] { 1.5f, -3e38f }).to(ScalarType.BFloat16)),
            ("i64", tensor(new[] { long.MinValue, 7 })), ("i32", tensor(new[] { int.MaxValue, -5 })),
            ("u8", tensor(new byte[] { 0, 255, 3 }, [3])), ("bool", tensor(new[] { true, false, true })),
            ("scalar", tensor(42L)), ("empty", zeros(0, 4)),
        };
        SafeTensors.Save(path, written, new Dictionary<string, string> { ["k"] = "v" });
        var (tensors, metadata) = SafeTensors.Load(path);
        Assert.Equal("v", metadata["k"]);
        foreach (var (name, original) in written)
        {
            var read = tensors[name];
            Assert.Equal(original.dtype, read.dtype);
            Assert.Equal(original.shape, read.shape);
            Assert.True(original.numel() == 0 || original.eq(read).all().item<bool>(), $"{name} came back changed");
            read.Dispose();
        }

        Assert.Equal(written.Length, tensors.Count);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0, (BitConverter.ToInt64(bytes, 0) + 8) % 8);
    }
}
