using OGan.Nn;

namespace OGan.Core.Tests.Nn;

/// <summary>Module outputs against the same arithmetic written as plain C# loops.</summary>
public sealed class ModuleTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void Linear_matches_a_hand_computed_product()
    {
        using var scope = DisposeScope.Enter();
        using var linear = new Linear(2, 2);
        linear.Weight.CopyFrom(Torch.FromArray<float>([1, 2, 3, 4], [2, 2]));
        linear.Bias!.CopyFrom(Torch.FromArray<float>([0.5f, -1f], [2]));
        var y = linear.Forward(Torch.FromArray<float>([1, -1, 2, 0.5f], [2, 2])).ToArray<float>();

        // rows: [1,-1]·W^T + b = [1-2+0.5, 3-4-1]; [2,0.5]·W^T + b = [2+1+0.5, 6+2-1]
        Assert.Equal([-0.5f, -2f, 3.5f, 7f], y);
    }

    [Fact]
    public void Conv2d_matches_a_direct_convolution()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new RandomGenerator(1);
        using var conv = new Conv2d(2, 3, kernelSize: 3, stride: 2, padding: 1);
        var x = Torch.Randn([1, 2, 5, 5], generator);
        var actual = conv.Forward(x);
        Assert.Equal([1L, 3, 3, 3], actual.Shape);

        var input = x.ToArray<float>();
        var w = conv.Weight.ToArray<float>();
        var b = conv.Bias!.ToArray<float>();
        var expected = new float[27];
        for (var o = 0; o < 3; o++)
        for (var oy = 0; oy < 3; oy++)
        for (var ox = 0; ox < 3; ox++)
        {
            double sum = b[o];
            for (var c = 0; c < 2; c++)
            for (var ky = 0; ky < 3; ky++)
            for (var kx = 0; kx < 3; kx++)
            {
                int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                if (iy is >= 0 and < 5 && ix is >= 0 and < 5)
                {
                    sum += input[(c * 5 + iy) * 5 + ix] * w[((o * 2 + c) * 3 + ky) * 3 + kx];
                }
            }

            expected[(o * 3 + oy) * 3 + ox] = (float)sum;
        }

        AssertClose(expected, actual.ToArray<float>());
    }

    [Fact]
    public void ConvTranspose2d_matches_a_scatter_of_the_kernel()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new RandomGenerator(2);
        using var deconv = new ConvTranspose2d(2, 1, kernelSize: 5, stride: 2, padding: 2, outputPadding: 1);
        var x = Torch.Randn([1, 2, 3, 3], generator);
        var actual = deconv.Forward(x);
        Assert.Equal([1L, 1, 6, 6], actual.Shape); // the DCGAN 'same' doubling: 3 -> 6

        var input = x.ToArray<float>();
        var w = deconv.Weight.ToArray<float>();
        var expected = Enumerable.Repeat(deconv.Bias!.ToArray<float>()[0], 36).Select(v => (double)v).ToArray();
        for (var c = 0; c < 2; c++)
        for (var iy = 0; iy < 3; iy++)
        for (var ix = 0; ix < 3; ix++)
        for (var ky = 0; ky < 5; ky++)
        for (var kx = 0; kx < 5; kx++)
        {
            int oy = iy * 2 - 2 + ky, ox = ix * 2 - 2 + kx;
            if (oy is >= 0 and < 6 && ox is >= 0 and < 6)
            {
                expected[oy * 6 + ox] += input[(c * 3 + iy) * 3 + ix] * w[(c * 5 + ky) * 5 + kx];
            }
        }

        AssertClose([.. expected.Select(v => (float)v)], actual.ToArray<float>());
    }

    [Fact]
    public void BatchNorm2d_normalises_per_channel_and_updates_running_statistics()
    {
        using var scope = DisposeScope.Enter();
        using var bn = new BatchNorm2d(2);
        bn.Weight.CopyFrom(Torch.FromArray<float>([2f, 1f], [2]));
        bn.Bias.CopyFrom(Torch.FromArray<float>([0f, 1f], [2]));
        float[] data = [1, 2, 3, 4, 10, 10, 10, 10, 5, 6, 7, 8, 20, 30, 40, 50]; // (N=2, C=2, 2x2)
        var y = bn.Forward(Torch.FromArray<float>(data, [2, 2, 2, 2])).ToArray<float>();

        for (var c = 0; c < 2; c++)
        {
            var values = new List<double>();
            for (var n = 0; n < 2; n++)
            {
                values.AddRange(data.Skip((n * 2 + c) * 4).Take(4).Select(v => (double)v));
            }

            var mean = values.Average();
            var biased = values.Sum(v => (v - mean) * (v - mean)) / values.Count;
            var unbiased = biased * values.Count / (values.Count - 1);
            double gamma = c == 0 ? 2 : 1, beta = c == 0 ? 0 : 1;
            for (var n = 0; n < 2; n++)
            for (var i = 0; i < 4; i++)
            {
                var index = (n * 2 + c) * 4 + i;
                var expected = gamma * (data[index] - mean) / Math.Sqrt(biased + 1e-5) + beta;
                Assert.InRange(y[index], expected - Tolerance, expected + Tolerance);
            }

            Assert.InRange(bn.RunningMean.ToArray<float>()[c], 0.1 * mean - Tolerance, 0.1 * mean + Tolerance);
            var runningVar = 0.9 + 0.1 * unbiased;
            Assert.InRange(bn.RunningVar.ToArray<float>()[c], runningVar - 1e-3, runningVar + 1e-3);
        }

        Assert.Equal(1L, (long)bn.NumBatchesTracked.Item());

        // Eval mode uses the running statistics instead of the batch's.
        bn.Eval();
        var x = Torch.FromArray<float>([1f, 1f], [1, 2, 1, 1]);
        var evaluated = bn.Forward(x).ToArray<float>();
        var m = bn.RunningMean.ToArray<float>();
        var v = bn.RunningVar.ToArray<float>();
        Assert.InRange(evaluated[0], 2 * (1 - m[0]) / Math.Sqrt(v[0] + 1e-5) - Tolerance, 2 * (1 - m[0]) / Math.Sqrt(v[0] + 1e-5) + Tolerance);
        Assert.Equal(1L, (long)bn.NumBatchesTracked.Item());
    }

    [Fact]
    public void State_dict_uses_pytorch_names_in_pytorch_order()
    {
        using var net = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new LeakyReLU(0.2), new Flatten(), new Linear(2, 1));
        var names = net.StateDict().Select(e => e.Name).ToArray();
        Assert.Equal(
            ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "4.weight", "4.bias"],
            names);
        Assert.Equal(6, net.Parameters().Count());
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void Load_state_dict_copies_values_and_names_what_does_not_fit()
    {
        using var scope = DisposeScope.Enter();
        using var source = new Linear(3, 2);
        using var target = new Linear(3, 2);
        target.LoadStateDict(source.StateDict().ToDictionary(e => e.Name, e => e.Tensor));
        Assert.Equal(source.Weight.ToArray<float>(), target.Weight.ToArray<float>());

        using var wrong = new Linear(4, 2);
        var error = Assert.Throws<ArgumentException>(() => target.LoadStateDict(wrong.StateDict().ToDictionary(e => e.Name, e => e.Tensor)));
        Assert.Contains("'weight'", error.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<ArgumentException>(() => target.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = source.Weight }));
        Assert.Contains("bias", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Modules_built_inside_a_scope_keep_their_parameters()
    {
        Linear linear;
        using (DisposeScope.Enter())
        {
            linear = new Linear(2, 2);
        }

        using (linear)
        {
            Assert.False(linear.Weight.IsDisposed);
            using var scope = DisposeScope.Enter();
            Assert.Equal([1L, 2], linear.Forward(Torch.Ones([1, 2])).Shape);
        }

        Assert.True(linear.Weight.IsDisposed);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < Tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
