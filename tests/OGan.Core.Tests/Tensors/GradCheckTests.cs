using OGan.Nn;

namespace OGan.Core.Tests.Tensors;

public sealed class GradCheckTests
{
    private static Tensor Random(params long[] shape)
    {
        using var generator = new RandomGenerator((ulong)shape.Sum() * 7919);
        return Torch.Randn(shape, generator, DType.Float64).DetachFromScope();
    }

    [Fact]
    public void Conv2d_with_stride_padding_and_bias()
    {
        using var x = Random(2, 2, 5, 5);
        using var w = Random(3, 2, 3, 3);
        using var b = Random(3);
        GradCheck.Assert(t => Functional.Conv2d(t[0], t[1], t[2], stride: 2, padding: 1), x, w, b);
    }

    [Fact]
    public void ConvTranspose2d_with_output_padding()
    {
        using var x = Random(2, 3, 3, 3);
        using var w = Random(3, 2, 5, 5);
        using var b = Random(2);
        GradCheck.Assert(t => Functional.ConvTranspose2d(t[0], t[1], t[2], stride: 2, padding: 2, outputPadding: 1), x, w, b);
    }

    [Fact]
    public void BatchNorm_in_training_mode()
    {
        using var x = Random(4, 3, 2, 2);
        using var gamma = Random(3);
        using var beta = Random(3);
        GradCheck.Assert(t => Functional.BatchNorm(t[0], null, null, t[1], t[2], training: true), x, gamma, beta);
    }

    [Fact]
    public void Linear()
    {
        using var x = Random(3, 4);
        using var w = Random(2, 4);
        using var b = Random(2);
        GradCheck.Assert(t => Functional.Linear(t[0], t[1], t[2]), x, w, b);
    }

    [Fact]
    public void Activations()
    {
        using var x = Random(3, 5);
        GradCheck.Assert(t => t[0].Relu(), x);
        GradCheck.Assert(t => t[0].LeakyRelu(0.2), x);
        GradCheck.Assert(t => t[0].Tanh(), x);
        GradCheck.Assert(t => t[0].Sigmoid(), x);
        GradCheck.Assert(t => t[0].Softplus(), x);
    }

    [Fact]
    public void Reductions_mean_std_var_norm_over_dims()
    {
        using var x = Random(3, 4, 2);
        GradCheck.Assert(t => t[0].Mean([1], keepDim: true), x);
        GradCheck.Assert(t => t[0].Std([1, 2]), x);
        GradCheck.Assert(t => t[0].Std(unbiased: false), x);
        GradCheck.Assert(t => t[0].Var([0]), x);
        GradCheck.Assert(t => t[0].Norm([2]), x);
        GradCheck.Assert(t => t[0].Sum([0, 2], keepDim: true), x);
    }

    [Fact]
    public void Arithmetic_and_matmul()
    {
        using var a = Random(3, 4);
        using var b = Random(4, 2);
        using var positive = Torch.Rand([3, 4], new RandomGenerator(5), DType.Float64).DetachFromScope();
        using var offset = positive + 0.5;
        GradCheck.Assert(t => t[0].Matmul(t[1]), a, b);
        GradCheck.Assert(t => (t[0] * t[0] - t[0] / 3.0).Exp(), a);
        GradCheck.Assert(t => t[0].Log() + t[0].Sqrt() + t[0].Pow(1.5) + t[0].Pow(-1.0), offset);
    }

    [Fact]
    public void Interpolate_bilinear_with_antialias()
    {
        using var x = Random(1, 2, 6, 6);
        GradCheck.Assert(t => Functional.Interpolate(t[0], 3, 3, InterpolationMode.Bilinear, antialias: true), x);
        GradCheck.Assert(t => Functional.Interpolate(t[0], 9, 9, InterpolationMode.Bicubic), x);
    }

    [Fact]
    public void A_wrong_gradient_is_caught()
    {
        // The checker itself must be able to fail: detaching drops the gradient of the second term.
        using var x = Random(2, 3);
        Assert.ThrowsAny<Exception>(() => GradCheck.Assert(t => t[0] * t[0].Detach(), x));
    }
}
