namespace OGan.Core.Tests;

/// <summary>
/// Compares autograd's gradients with central finite differences in float64: the loss is the output
/// weighted by fixed random numbers, so every output element's gradient counts.
/// </summary>
internal static class GradCheck
{
    public static void Assert(Func<Tensor[], Tensor> function, params Tensor[] inputs) =>
        Assert(function, 1e-6, 1e-5, 1e-4, inputs);

    public static void Assert(Func<Tensor[], Tensor> function, double step, double absoluteTolerance, double relativeTolerance, params Tensor[] inputs)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new RandomGenerator(1234);
        foreach (var input in inputs)
        {
            Xunit.Assert.Equal(DType.Float64, input.DType);
            input.RequiresGrad = true;
            input.ZeroGrad();
        }

        var output = function(inputs);
        var weights = Torch.Randn(output.Shape, generator, DType.Float64);
        (output * weights).Sum().Backward();

        double Loss()
        {
            using var inner = DisposeScope.Enter();
            using var noGrad = Torch.NoGrad();
            return (function(inputs) * weights).Sum().Item();
        }

        for (var k = 0; k < inputs.Length; k++)
        {
            var input = inputs[k];
            var analytic = input.Grad?.ToArray<double>() ?? throw new Xunit.Sdk.XunitException($"input {k} got no gradient");
            var values = input.ToArray<double>();
            var shape = input.Shape;
            for (var i = 0; i < values.Length; i++)
            {
                var original = values[i];
                values[i] = original + step;
                input.CopyFrom(Torch.FromArray<double>(values, shape));
                var plus = Loss();
                values[i] = original - step;
                input.CopyFrom(Torch.FromArray<double>(values, shape));
                var minus = Loss();
                values[i] = original;
                input.CopyFrom(Torch.FromArray<double>(values, shape));

                var numeric = (plus - minus) / (2 * step);
                var tolerance = absoluteTolerance + relativeTolerance * Math.Abs(numeric);
                if (Math.Abs(analytic[i] - numeric) > tolerance)
                {
                    throw new Xunit.Sdk.XunitException(
                        $"input {k}, element {i}: autograd {analytic[i]:G10}, finite difference {numeric:G10}");
                }
            }
        }
    }
}
