using OGan.Native;
using OGan.Tensors;

namespace OGan.Optim;

/// <summary>RMSprop, with PyTorch's update rule: s = αs + (1-α)g², p -= lr · g / (√s + eps).</summary>
public sealed class RMSprop : Optimizer
{
    private readonly Tensor[] squareAvg;

    /// <summary>Creates the optimizer with PyTorch's defaults unless given.</summary>
    public RMSprop(IEnumerable<Tensor> parameters, double learningRate = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0)
        : base(parameters, learningRate)
    {
        Alpha = alpha;
        Eps = eps;
        WeightDecay = weightDecay;
        squareAvg = ZerosLikeParameters();
    }

    /// <summary>Decay of the running average of squared gradients.</summary>
    public double Alpha { get; }

    /// <summary>Added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    public override unsafe void Step()
    {
        StepCount++;
        using var p = Pin(Parameters);
        using var s = Pin(squareAvg);
        fixed (IntPtr* pp = p.Pointers, sp = s.Pointers)
        {
            NativeError.Check(NativeMethods.ogan_optim_rmsprop_step(pp, sp, Parameters.Count, LearningRate, Alpha, Eps, WeightDecay));
        }
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Tensor[] Buffers)> StateBuffers() => [("square_avg", squareAvg)];
}
