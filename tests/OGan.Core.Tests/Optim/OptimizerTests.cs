using OGan.Optim;

namespace OGan.Core.Tests.Optim;

/// <summary>Optimizer steps against the textbook updates, written out in doubles.</summary>
public sealed class OptimizerTests
{
    // Loss = sum(c * p^2) has gradient 2 c p.
    private static readonly double[] Coefficients = [0.5, -1.5, 2.0];
    private static readonly double[] Start = [1.0, 2.0, -3.0];

    [Fact]
    public void Adam_steps_equal_the_textbook_update()
    {
        double lr = 0.1, beta1 = 0.9, beta2 = 0.99, eps = 1e-8, decay = 0.01;
        using var p = Torch.FromArray(Start, [3], null).DetachFromScope();
        p.RequiresGrad = true;
        using var adam = new Adam([p], lr, beta1, beta2, eps, decay);

        var expected = (double[])Start.Clone();
        var m = new double[3];
        var v = new double[3];
        for (var t = 1; t <= 5; t++)
        {
            Backward(p);
            adam.Step();
            adam.ZeroGrad();
            for (var i = 0; i < 3; i++)
            {
                var g = 2 * Coefficients[i] * expected[i] + decay * expected[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                var mHat = m[i] / (1 - Math.Pow(beta1, t));
                var vHat = v[i] / (1 - Math.Pow(beta2, t));
                expected[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }

            AssertClose(expected, p.ToArray<double>());
        }

        Assert.Equal(5, adam.StepCount);
    }

    [Fact]
    public void RMSprop_steps_equal_the_textbook_update()
    {
        double lr = 0.01, alpha = 0.99, eps = 1e-8;
        using var p = Torch.FromArray(Start, [3], null).DetachFromScope();
        p.RequiresGrad = true;
        using var rmsprop = new RMSprop([p], lr, alpha, eps);

        var expected = (double[])Start.Clone();
        var s = new double[3];
        for (var t = 1; t <= 5; t++)
        {
            Backward(p);
            rmsprop.Step();
            rmsprop.ZeroGrad();
            for (var i = 0; i < 3; i++)
            {
                var g = 2 * Coefficients[i] * expected[i];
                s[i] = alpha * s[i] + (1 - alpha) * g * g;
                expected[i] -= lr * g / (Math.Sqrt(s[i]) + eps);
            }

            AssertClose(expected, p.ToArray<double>());
        }
    }

    [Fact]
    public void State_round_trips_so_a_restored_optimizer_continues_identically()
    {
        using var scope = DisposeScope.Enter();
        var a = Torch.FromArray(Start, [3], null);
        a.RequiresGrad = true;
        var b = a.Detach().Clone();
        b.RequiresGrad = true;
        using var first = new Adam([a], 0.1);
        Backward(a);
        first.Step();
        first.ZeroGrad();

        b.CopyFrom(a);
        using var second = new Adam([b], 0.1);
        second.LoadStateDict(first.StateDict().ToDictionary(e => e.Name, e => e.Tensor));
        Assert.Equal(1, second.StepCount);

        Backward(a);
        first.Step();
        Backward(b);
        second.Step();
        Assert.Equal(a.ToArray<double>(), b.ToArray<double>());
    }

    private static void Backward(Tensor p)
    {
        using var scope = DisposeScope.Enter();
        (Torch.FromArray(Coefficients, [3], null) * p * p).Sum().Backward();
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-9, $"element {i}: expected {expected[i]:G12}, got {actual[i]:G12}");
        }
    }
}
