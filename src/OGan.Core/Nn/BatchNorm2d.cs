using OGan.Tensors;

namespace OGan.Nn;

/// <summary>
/// Batch normalisation over (N, H, W) per channel, as torch.nn.BatchNorm2d: parameters weight and bias,
/// buffers running_mean, running_var and num_batches_tracked.
/// </summary>
public sealed class BatchNorm2d : Module
{
    /// <summary>Creates the layer: weight 1, bias 0, running mean 0, running variance 1.</summary>
    public BatchNorm2d(long numFeatures, double eps = 1e-5, double momentum = 0.1, Device? device = null)
    {
        Eps = eps;
        Momentum = momentum;
        Weight = RegisterParameter("weight", Torch.Ones([numFeatures], device: device));
        Bias = RegisterParameter("bias", Torch.Zeros([numFeatures], device: device));
        RunningMean = RegisterBuffer("running_mean", Torch.Zeros([numFeatures], device: device));
        RunningVar = RegisterBuffer("running_var", Torch.Ones([numFeatures], device: device));
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Torch.Zeros([], DType.Int64, device));
    }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Weight of a new batch in the running statistics.</summary>
    public double Momentum { get; }

    /// <summary>Scale, per channel.</summary>
    public Tensor Weight { get; }

    /// <summary>Shift, per channel.</summary>
    public Tensor Bias { get; }

    /// <summary>Running mean, per channel.</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running (unbiased) variance, per channel.</summary>
    public Tensor RunningVar { get; }

    /// <summary>Batches seen in training mode.</summary>
    public Tensor NumBatchesTracked { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (Training)
        {
            NumBatchesTracked.AddInPlace(1);
        }

        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, Training, Momentum, Eps);
    }
}
