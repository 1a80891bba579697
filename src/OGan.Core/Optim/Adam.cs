using OGan.Native;
using OGan.Tensors;

namespace OGan.Optim;

/// <summary>Adam, with PyTorch's update rule (bias-corrected, eps outside the square root; L2 weight decay).</summary>
public sealed class Adam : Optimizer
{
    private readonly Tensor[] expAvg;
    private readonly Tensor[] expAvgSq;

    /// <summary>Creates the optimizer with PyTorch's defaults unless given.</summary>
    public Adam(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : base(parameters, learningRate)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        expAvg = ZerosLikeParameters();
        expAvgSq = ZerosLikeParameters();
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    public override unsafe void Step()
    {
        StepCount++;
        using var p = Pin(Parameters);
        using var m = Pin(expAvg);
        using var v = Pin(expAvgSq);
        fixed (IntPtr* pp = p.Pointers, mp = m.Pointers, vp = v.Pointers)
        {
            NativeError.Check(NativeMethods.ogan_optim_adam_step(pp, mp, vp, Parameters.Count, StepCount, LearningRate, Beta1, Beta2, Eps, WeightDecay));
        }
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Tensor[] Buffers)> StateBuffers() =>
        [("exp_avg", expAvg), ("exp_avg_sq", expAvgSq)];
}
