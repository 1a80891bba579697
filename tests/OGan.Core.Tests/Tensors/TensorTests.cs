namespace OGan.Core.Tests.Tensors;

public sealed class TensorTests
{
    [Fact]
    public void Data_round_trips_for_every_supported_dtype()
    {
        using var scope = DisposeScope.Enter();
        Assert.Equal([1.5f, -2f], Torch.FromArray<float>([1.5f, -2f], [2]).ToArray<float>());
        Assert.Equal([1e-300, 3.0], Torch.FromArray<double>([1e-300, 3.0], [2]).ToArray<double>());
        Assert.Equal([long.MaxValue, -1L], Torch.FromArray<long>([long.MaxValue, -1L], [2]).ToArray<long>());
        Assert.Equal([(byte)0, (byte)255], Torch.FromArray<byte>([0, 255], [2]).ToArray<byte>());
        var t = Torch.FromArray<float>([1, 2, 3, 4, 5, 6], [2, 3]);
        Assert.Equal([2L, 3], t.Shape);
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal(Device.Cpu, t.Device);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], t.To(DType.Float64).ToArray<double>());
        Assert.Equal([(byte)1, 2, 3, 4, 5, 6], t.To(DType.UInt8).ToArray<byte>());
    }

    [Fact]
    public void Shape_operations_rearrange_as_pytorch_does()
    {
        using var scope = DisposeScope.Enter();
        var t = Torch.Arange(0, 6, dtype: DType.Float32).Reshape(2, 3);
        Assert.Equal([0f, 3, 1, 4, 2, 5], t.Permute(1, 0).Contiguous().ToArray<float>());
        Assert.Equal([1f, 4], t.Slice(1, 1, 2).ToArray<float>());
        Assert.Equal([0f, 2, 3, 5], t.Slice(1, 0, 3, 2).ToArray<float>());
        Assert.Equal([2f, 1, 0, 5, 4, 3], t.Flip(1).ToArray<float>());
        Assert.Equal([4L, 3], Torch.Cat([t, t], 0).Shape);
        Assert.Equal([2L, 2, 3], Torch.Stack([t, t], 0).Shape);
        Assert.Equal([1L, 2, 3], t.Unsqueeze(0).Shape);
        Assert.Equal([6L], t.Flatten().Shape);
        Assert.Equal([3f, 4, 5], t.IndexSelect(0, Torch.FromArray<long>([1], [1])).ToArray<float>());
        Assert.Equal([2L, 5], t.Pad([1, 1]).Shape);
    }

    [Fact]
    public void Reductions_agree_with_plain_arithmetic()
    {
        using var scope = DisposeScope.Enter();
        double[] values = [1, 2, 3, 4, 5, 6];
        var t = Torch.FromArray<double>(values, [2, 3]);
        Assert.Equal(21, t.Sum().Item());
        Assert.Equal(3.5, t.Mean().Item());
        Assert.Equal(Math.Sqrt(values.Sum(v => (v - 3.5) * (v - 3.5)) / 5), t.Std().Item(), 12);
        Assert.Equal(Math.Sqrt(values.Sum(v => v * v)), t.Norm().Item(), 12);
        Assert.Equal([2.0, 5.0], t.Mean([1]).ToArray<double>());
        Assert.Equal([2L, 1], t.Mean([1], keepDim: true).Shape);
        Assert.Equal([1.0, 1.0], t.Var([1]).ToArray<double>());
        Assert.Equal([3.0, 6.0], t.Max([1]).ToArray<double>());
        Assert.Equal([2L, 2], t.Argmax(1).ToArray<long>());
        Assert.Equal([true, false, false, false, false, true], (t.Lt(2).Add(t.Gt(5))).ToArray<bool>());
    }

    [Fact]
    public void A_seeded_generator_repeats_and_its_state_restores()
    {
        using var scope = DisposeScope.Enter();
        using var a = new RandomGenerator(42);
        using var b = new RandomGenerator(42);
        Assert.Equal(Torch.Randn([5], a).ToArray<float>(), Torch.Randn([5], b).ToArray<float>());

        var state = a.GetState();
        var next = Torch.Rand([5], a).ToArray<float>();
        a.SetState(state);
        Assert.Equal(next, Torch.Rand([5], a).ToArray<float>());
        Assert.NotEqual(next, Torch.Rand([5], a).ToArray<float>());

        Torch.ManualSeed(7);
        var first = Torch.Randn([3]).ToArray<float>();
        Torch.ManualSeed(7);
        Assert.Equal(first, Torch.Randn([3]).ToArray<float>());
    }

    [Fact]
    public void No_grad_scopes_stop_recording_and_restore_the_mode()
    {
        using var scope = DisposeScope.Enter();
        var x = Torch.Ones([2]);
        x.RequiresGrad = true;
        using (Torch.NoGrad())
        {
            Assert.False(Torch.IsGradEnabled);
            Assert.False((x * 2).RequiresGrad);
        }

        Assert.True(Torch.IsGradEnabled);
        var y = (x * x * 3).Sum();
        y.Backward();
        Assert.Equal([6f, 6f], x.Grad!.ToArray<float>());
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Runtime_reports_version_threads_and_devices()
    {
        Assert.Matches(@"^\d+\.\d+", Torch.Version);
        Assert.True(Torch.NumThreads >= 1);
        Assert.True(Torch.CudaDeviceCount >= 0);
        Assert.Equal(Torch.CudaDeviceCount > 0, Torch.CudaIsAvailable);
        Assert.Throws<TorchException>(() => Torch.NumThreads = 0);
        Assert.Equal(Device.Cuda(1), Device.Parse("cuda:1"));
        Assert.Equal("cpu", Device.Parse("CPU").ToString());
        Assert.Throws<FormatException>(() => Device.Parse("gpu"));
    }

    [Fact]
    public void Interpolate_with_antialias_averages_a_high_frequency_pattern_away()
    {
        using var scope = DisposeScope.Enter();
        var stripes = new float[64 * 64];
        for (var i = 0; i < stripes.Length; i++)
        {
            stripes[i] = (i % 64) % 2 == 0 ? 1 : -1; // one-pixel columns
        }

        var x = Torch.FromArray<float>(stripes, [1, 1, 64, 64]);
        var smooth = OGan.Nn.Functional.Interpolate(x, 8, 8, OGan.Nn.InterpolationMode.Bilinear, antialias: true);
        var aliased = OGan.Nn.Functional.Interpolate(x, 8, 8, OGan.Nn.InterpolationMode.Nearest);
        Assert.True(smooth.Abs().Max().Item() < 0.05);
        Assert.Equal(1.0, aliased.Abs().Min().Item());
    }
}
