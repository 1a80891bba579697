using OGan.Checkpoints;
using OGan.Inference;
using OGan.MixedPrecision;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.MixedPrecision;

/// <summary>
/// bf16 as PyTorch's autocast does it: convolutions and linear layers compute in bf16 from fp32 master weights;
/// parameters, gradients, optimizer state, checkpoints and the networks' outputs stay fp32.
/// </summary>
public sealed class AutocastTests
{
    private static readonly AutocastPolicy Bf16ChannelsLast = AutocastPolicy.Bf16 with { ChannelsLast = true };

    private static RunSettings Tiny(long steps, Precision precision) => new(
        new OGanConfig { ImageSize = 32, Channels = 1, Width = 32, ZDim = 16 },
        new TrainingOptions { BatchSize = 16, Steps = steps, LogEvery = 1, SampleEvery = 0, SnapshotEvery = 0, Seed = 3, CalibrationImages = 64, Precision = precision },
        "fashion-mnist");

    [Fact]
    public void A_layer_computes_in_bf16_while_its_weights_and_their_gradients_stay_fp32()
    {
        using var scope = NewDisposeScope();
        using var conv = new AutocastConv2d(16, 32, 5, stride: 2, padding: 2) { Policy = Bf16ChannelsLast };
        Assert.Equal(["weight", "bias"], conv.named_parameters().Select(p => p.name));
        var input = randn(2, 16, 16, 16);
        var output = conv.call(input);
        Assert.Equal(ScalarType.BFloat16, output.dtype);
        Assert.Equal([2L, 32, 8, 8], output.shape);
        Assert.True(output.permute(0, 2, 3, 1).is_contiguous(), "the output is laid out channels-last");
        output.to(ScalarType.Float32).square().sum().backward();
        Assert.All(conv.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(conv.parameters(), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));

        conv.Policy = AutocastPolicy.Fp32;
        var reference = conv.call(input);
        Assert.Equal(ScalarType.Float32, reference.dtype);
        var error = (output.to(ScalarType.Float32) - reference).abs().max().ToDouble();
        Assert.True(error < 0.02 * reference.abs().max().ToDouble(), $"bf16 differs from fp32 by {error:G3}");
    }

    [Theory]
    [InlineData(false)] // a CPU whose oneDNN gets thin bf16 convolutions wrong
    [InlineData(true)]  // one where they are right
    public void Thin_convolutions_compute_in_bf16_only_where_the_probe_found_them_right(bool bf16IsRight)
    {
        using var scope = NewDisposeScope();
        using var first = new AutocastConv2d(3, 64, 5, stride: 2, padding: 2) { Policy = Bf16ChannelsLast };
        using var last = new AutocastConvTranspose2d(64, 1, 5, stride: 2, padding: 2, outputPadding: 1) { Policy = Bf16ChannelsLast };
        using var inner = new AutocastConvTranspose2d(64, 32, 5, stride: 2, padding: 2, outputPadding: 1) { Policy = Bf16ChannelsLast };
        var images = randn(4, 3, 16, 16);
        var features = randn(4, 64, 8, 8);
        ThinConvolutionProbe.Forced = bf16IsRight ? new ThinConvolutionCheck(0.003, 0.003) : new ThinConvolutionCheck(0.003, 0.5);
        try
        {
            var thinType = bf16IsRight ? ScalarType.BFloat16 : ScalarType.Float32;
            Assert.Equal(thinType, first.call(images).dtype);
            Assert.Equal(thinType, last.call(features).dtype);
            Assert.Equal(ScalarType.BFloat16, inner.call(features).dtype);
        }
        finally
        {
            ThinConvolutionProbe.Forced = null;
        }
    }

    [Fact]
    public void The_probe_agrees_with_a_thin_bf16_convolution_measured_on_other_data()
    {
        using var scope = NewDisposeScope();
        var probe = ThinConvolutionProbe.Measure();
        Assert.False(probe.Forced);
        Assert.True(probe.ConvolutionError > 0 && probe.TransposedError > 0, "bf16 computed exactly what fp32 did: the probe did not run in bf16");

        // The same question as the probe asks, on other shapes and data: G's last layer at width 64 and 64 px.
        var features = randn(8, 8, 32, 32);
        var weight = randn(8, 3, 5, 5) * 0.1;
        var exact = nn.functional.conv_transpose2d(features, weight, null, [2, 2], [2, 2], [1, 1]);
        var bf16 = nn.functional.conv_transpose2d(features.to(ScalarType.BFloat16), weight.to(ScalarType.BFloat16), null, [2, 2], [2, 2], [1, 1]).to(ScalarType.Float32);
        var error = (bf16 - exact).norm().ToDouble() / exact.norm().ToDouble();
        Console.WriteLine($"probe: {probe.Describe()}; an 8 -> 3 transposed convolution in bf16: relative error {error:G3}");
        if (probe.Bf16IsRight)
        {
            Assert.True(error < ThinConvolutionProbe.Tolerance, $"the probe found thin bf16 convolutions right, but an 8 -> 3 one is off by {error:G3}");
        }
        else
        {
            Assert.True(Math.Max(probe.ConvolutionError, probe.TransposedError) >= ThinConvolutionProbe.Tolerance);
        }

        if (!ThinConvolutionProbe.Result.Forced)
        {
            Assert.Equal(probe.Bf16IsRight, ThinConvolutionProbe.Result.Bf16IsRight); // the process's answer is the measured one
        }
    }

    [Theory]
    [InlineData(false, 1, 4, 16)] // E's first convolution at width 16
    [InlineData(true, 8, 1, 16)]  // G's last at width 16
    [InlineData(true, 32, 1, 16)] // G's last at width 128, in bf16 (in fp32 where the probe found thin bf16 wrong)
    [InlineData(false, 3, 8, 16)] // E's first at 64 px, width 64
    [InlineData(true, 8, 3, 16)]  // G's last at 64 px, width 64
    [InlineData(false, 3, 8, 128)] // E's first at 128 px, width 128 (the photo default)
    [InlineData(true, 8, 3, 128)]  // G's last at 128 px, width 128
    [InlineData(false, 3, 64, 128)] // E's first at 128 px with no layer below 64 channels (the photo default)
    [InlineData(true, 64, 3, 128)]  // G's last (and a grown model's skip) there
    public void Thin_convolutions_compute_what_float64_does_in_every_precision(bool transposed, int inChannels, int outChannels, int side)
    {
        using var scope = NewDisposeScope();
        using AutocastLayer layer = transposed
            ? new AutocastConvTranspose2d(inChannels, outChannels, 5, stride: 2, padding: 2, outputPadding: 1)
            : new AutocastConv2d(inChannels, outChannels, 5, stride: 2, padding: 2);
        Console.WriteLine($"{layer.Configuration}: fp32 error {layer.Fp32Error:G3} against float64 in the probe, padded: {layer.Fp32NeedsPadding}; bf16 error channels-last {layer.Bf16Error(true):G3}, in bf16: {layer.Bf16IsRightIn(true)}");
        var thinSide = Math.Min(inChannels, outChannels);
        Assert.Equal(layer.IsThinOnBothSides && (thinSide < ThinConvolutionProbe.FewestChannelsMeasured || !(layer.Fp32Error < ThinConvolutionProbe.Fp32Tolerance)), layer.Fp32NeedsPadding);
        Assert.Equal(thinSide >= ThinConvolutionProbe.FewestChannelsMeasured && layer.Bf16Error(true) < ThinConvolutionProbe.Tolerance, layer.Bf16IsRightIn(true));
        var bf16Type = !layer.Fp32NeedsPadding && (ThinConvolutionProbe.Bf16IsRightForAll ?? layer.Bf16IsRightIn(true)) ? ScalarType.BFloat16 : ScalarType.Float32;
        static double Error(Tensor actual, Tensor expected) => (actual.to(ScalarType.Float64) - expected).norm().ToDouble() / expected.norm().ToDouble();

        // Three calls on new data each: oneDNN's wrong kernels are not wrong in every call, so a layer the probe let
        // compute unpadded must be right in all of them.
        for (var call = 0; call < 3; call++)
        {
            var input = randn(8, inChannels, transposed ? side / 2 : side, transposed ? side / 2 : side);
            var reference = input.to(ScalarType.Float64).requires_grad_();
            var weight = layer.Weight.detach().to(ScalarType.Float64).requires_grad_();
            var expected = transposed
                ? nn.functional.conv_transpose2d(reference, weight, layer.Bias.detach().to(ScalarType.Float64), [2, 2], [2, 2], [1, 1])
                : nn.functional.conv2d(reference, weight, layer.Bias.detach().to(ScalarType.Float64), [2, 2], [2, 2]);
            expected.square().sum().backward();

            foreach (var policy in new[] { AutocastPolicy.Fp32, Bf16ChannelsLast })
            {
                layer.Policy = policy;
                layer.zero_grad();
                var x = input.detach().requires_grad_();
                var output = layer.call(x);
                Assert.Equal(policy == AutocastPolicy.Fp32 ? ScalarType.Float32 : bf16Type, output.dtype);
                output.to(ScalarType.Float32).square().sum().backward();
                // fp32 to float64's precision; bf16 (where the probe lets a thin layer compute in it) to bf16's.
                var tolerance = output.dtype == ScalarType.BFloat16 ? ThinConvolutionProbe.Tolerance : 1e-5;
                Assert.True(Error(output, expected) < tolerance, $"{policy.Precision} output off by {Error(output, expected):G3} in call {call}");
                Assert.True(Error(x.grad!, reference.grad!) < tolerance, $"{policy.Precision} input gradient off by {Error(x.grad!, reference.grad!):G3} in call {call}");
                Assert.True(Error(layer.Weight.grad!, weight.grad!) < tolerance, $"{policy.Precision} weight gradient off by {Error(layer.Weight.grad!, weight.grad!):G3} in call {call}");
            }
        }
    }

    [Fact]
    public void The_fp32_probe_finds_a_convolution_wrong_that_is_off_in_one_call_of_eight()
    {
        using var scope = NewDisposeScope();
        static Tensor Exact(Tensor x, Tensor w) => nn.functional.conv_transpose2d(x, w, null, [2, 2], [2, 2], [1, 1]);
        static long[] Input(long side) => [8, 8, side / 2, side / 2];
        var calls = 0;
        Tensor SometimesWrong(Tensor x, Tensor w, Tensor? b) => ++calls == 5 ? Exact(x, w * 1.001) : Exact(x, w);

        var right = ThinConvolutionProbe.Fp32ErrorOf("test: transposed 8 → 3, exact", (x, w, b) => Exact(x, w), Exact, Input, [8, 3, 5, 5]);
        var wrong = ThinConvolutionProbe.Fp32ErrorOf("test: transposed 8 → 3, off by 0.1 % in its fifth call", SometimesWrong, Exact, Input, [8, 3, 5, 5]);

        Assert.True(right < ThinConvolutionProbe.Fp32Tolerance, $"an exact fp32 convolution measured {right:G3}");
        Assert.True(wrong >= ThinConvolutionProbe.Fp32Tolerance, $"a convolution off by 0.1 % in one call measured {wrong:G3}");
        Assert.Equal(8, calls); // two sizes, two layouts, two calls each
    }

    [Fact]
    public void The_bf16_probe_finds_a_convolution_wrong_that_is_off_in_one_call_of_eight()
    {
        using var scope = NewDisposeScope();
        static Tensor Exact(Tensor x, Tensor w) => nn.functional.conv_transpose2d(x, w, null, [2, 2], [2, 2], [1, 1]);
        static long[] Input(long side) => [8, 64, side / 2, side / 2];
        // bf16 inputs computed exactly and rounded to bf16: what a right bf16 kernel gives, whatever this CPU's oneDNN does.
        static Tensor Rounded(Tensor x, Tensor w) => Exact(x.to(ScalarType.Float64), w.to(ScalarType.Float64)).to(ScalarType.BFloat16);
        var calls = 0;
        Tensor SometimesWrong(Tensor x, Tensor w, Tensor? b) => ++calls == 5 ? Rounded(x, w * 1.05) : Rounded(x, w);

        var right = ThinConvolutionProbe.Bf16ErrorOf("test: transposed 64 → 3, bf16 as it should be", true, (x, w, b) => Rounded(x, w), Exact, Input, [64, 3, 5, 5]);
        var wrong = ThinConvolutionProbe.Bf16ErrorOf("test: transposed 64 → 3, off by 5 % in its fifth call", true, SometimesWrong, Exact, Input, [64, 3, 5, 5]);

        Assert.True(right < ThinConvolutionProbe.Tolerance, $"a bf16 convolution as bf16 should compute it measured {right:G3}");
        Assert.True(wrong >= ThinConvolutionProbe.Tolerance, $"a bf16 convolution off by 5 % in one call measured {wrong:G3}");
        Assert.Equal(8, calls); // two sizes, four calls each, in the one layout asked for
    }

    [Fact]
    public void Thin_convolutions_on_fewer_than_three_channels_compute_in_fp32_whatever_bf16_measures()
    {
        using var scope = NewDisposeScope();
        using var first = new AutocastConv2d(1, 32, 5, stride: 2, padding: 2) { Policy = Bf16ChannelsLast };
        using var last = new AutocastConvTranspose2d(32, 1, 5, stride: 2, padding: 2, outputPadding: 1) { Policy = Bf16ChannelsLast };
        Assert.False(first.Bf16IsRightIn(channelsLast: true));
        Assert.False(last.Bf16IsRightIn(channelsLast: true));
        if (ThinConvolutionProbe.Bf16IsRightForAll is null)
        {
            Assert.Equal(ScalarType.Float32, first.call(randn(2, 1, 16, 16)).dtype);
            Assert.Equal(ScalarType.Float32, last.call(randn(2, 32, 8, 8)).dtype);
        }
        else
        {
            Console.WriteLine($"OGAN_THIN_BF16 sets every thin layer's answer ({ThinConvolutionProbe.Bf16IsRightForAll}): the layers' dtypes were not checked");
        }
    }

    [Fact]
    public void A_bf16_step_keeps_parameters_gradients_and_optimizer_state_fp32_and_its_losses_finite()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        using var trainer = new Trainer(Tiny(3, Precision.Bf16), data);
        Assert.Equal(ScalarType.BFloat16, trainer.State.Encoder.Autocast.ComputeType);
        Assert.Equal(ScalarType.BFloat16, trainer.State.Generator.Autocast.ComputeType);
        var progress = new List<TrainingProgress>();
        trainer.Run(new CallbackProgress<TrainingProgress>(progress.Add));

        Assert.Equal(3, progress.Count);
        Assert.All(progress, p => Assert.True(
            double.IsFinite(p.EncoderLoss) && double.IsFinite(p.GeneratorLoss) && double.IsFinite(p.Delta) && double.IsFinite(p.Rho), $"step {p.Step}: a loss is not finite"));
        foreach (var network in new nn.Module[] { trainer.State.Generator, trainer.State.Encoder })
        {
            Assert.All(network.named_parameters(), p => Assert.Equal(ScalarType.Float32, p.parameter.dtype));
            Assert.All(network.named_parameters(), p => Assert.Equal(ScalarType.Float32, p.parameter.grad?.dtype ?? ScalarType.Float32));
            Assert.All(network.named_buffers(), b => Assert.True(b.buffer.dtype is ScalarType.Float32 or ScalarType.Int64, $"{b.name} is {b.buffer.dtype}"));
        }

        Assert.All(trainer.State.Generator.parameters(), p => Assert.NotNull(p.grad)); // the G step's gradients reached every fp32 weight
        foreach (var optimizer in new[] { trainer.State.GeneratorOptimizer, trainer.State.EncoderOptimizer })
        {
            var buffers = OptimizerStates.Save(optimizer).Where(s => s.Key != "step").ToList();
            Assert.NotEmpty(buffers);
            Assert.All(buffers, s => Assert.Equal(ScalarType.Float32, s.Value.dtype));
            Assert.Contains(buffers, s => s.Value.abs().sum().ToDouble() > 0); // the moments moved: the optimizer stepped
        }
    }

    [Fact]
    public void G_and_E_in_bf16_match_fp32_within_the_stated_tolerance()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 512);
        var settings = Tiny(30, Precision.Fp32);
        using var trainer = new Trainer(settings with { Model = settings.Model with { Width = 128 } }, data); // the default width: most layers are wide enough for bf16
        trainer.Run();
        trainer.CalibrateEncoder();
        using var model = new OGanModel(trainer.Config, trainer.State.Generator, trainer.State.Encoder, ownsNetworks: false);
        using var scope = NewDisposeScope();
        var z = model.Latents(64, seed: 4);
        var images = data.First(64, CPU);

        model.Precision = PrecisionChoice.Resolve(Precision.Fp32, CPU);
        var (samples, codes) = (model.Sample(z), model.EncodeRaw(images));
        model.Precision = PrecisionChoice.Resolve(Precision.Bf16, CPU);
        var (samplesBf16, codesBf16) = (model.Sample(z), model.EncodeRaw(images));

        Assert.Equal(ScalarType.Float32, samplesBf16.dtype);
        Assert.Equal(ScalarType.Float32, codesBf16.dtype);
        var pixelError = (samplesBf16 - samples).abs();
        var codeError = (codesBf16 - codes).norm().ToDouble() / codes.norm().ToDouble();
        Console.WriteLine($"bf16 against fp32: G(z) mean |Δ| {pixelError.mean().ToDouble():G3}, max |Δ| {pixelError.max().ToDouble():G3}; E(x) relative error {codeError:G3}");
        // The stated tolerance: pixels in [-1, 1] within 0.005 on average and 0.05 at worst; codes within 1% (L2).
        Assert.True(pixelError.mean().ToDouble() < 0.005, $"G(z) differs by {pixelError.mean().ToDouble():G3} on average");
        Assert.True(pixelError.max().ToDouble() < 0.05, $"G(z) differs by up to {pixelError.max().ToDouble():G3}");
        Assert.True(codeError < 0.01, $"E(x) differs by {codeError:G3} (relative L2)");
        Assert.True(pixelError.max().ToDouble() > 0, "bf16 computed exactly what fp32 did: it did not run in bf16");
    }

    [Fact]
    public void A_bf16_checkpoint_is_fp32_loads_and_samples_in_fp32_and_its_run_resumes_in_fp32_and_back()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 64);
        var folder = new RunFolder(Fixtures.TemporaryFolder());
        string checkpoint;
        using (var trainer = new Trainer(Tiny(2, Precision.Bf16), data, folder))
        {
            checkpoint = trainer.Run()!;
        }

        var (tensors, _) = SafeTensors.Load(checkpoint);
        Assert.All(tensors, t => Assert.True(t.Value.dtype is ScalarType.Float32 or ScalarType.Int64 || t.Key == "training.rng_state", $"{t.Key} is {t.Value.dtype}"));
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }

        using (var model = OGanModel.Load(checkpoint, CPU, Precision.Fp32))
        using (var inBf16 = OGanModel.Load(checkpoint, CPU, Precision.Bf16))
        using (NewDisposeScope())
        {
            Assert.Equal(Precision.Fp32, model.Precision.Precision);
            var images = model.Sample(8, seed: 1);
            Assert.Equal(ScalarType.Float32, images.dtype);
            Assert.True(images.isfinite().all().ToBoolean(), "G(z) in fp32 from a bf16 checkpoint is not finite");
            var difference = (images - inBf16.Sample(8, seed: 1)).abs().max().ToDouble();
            Assert.True(difference < 0.05, $"the checkpoint samples {difference:G3} apart in fp32 and bf16");
        }

        using (var resumed = Trainer.Resume(checkpoint, data, folder, steps: 4, precision: Precision.Fp32))
        {
            Assert.Equal(Precision.Fp32, resumed.Precision.Precision);
            Assert.Equal(ScalarType.Float32, resumed.State.Encoder.Autocast.ComputeType);
            var progress = new List<TrainingProgress>();
            checkpoint = resumed.Run(new CallbackProgress<TrainingProgress>(progress.Add))!;
            Assert.Equal(2, progress.Count);
            Assert.All(progress, p => Assert.True(double.IsFinite(p.EncoderLoss) && double.IsFinite(p.Rho)));
        }

        using var back = Trainer.Resume(checkpoint, data, folder, steps: 5, precision: Precision.Bf16);
        Assert.Equal(Precision.Bf16, back.Precision.Precision);
        back.Run();
        Assert.Equal(5, back.Step);
    }
}
