using OGan.Tensors;

namespace OGan.Nn;

/// <summary>
/// Batch normalisation over (N, H, W) per channel, as torch.nn.BatchNorm2d: parameters weight and bias,
/// buffers running_mean, running_var and num_batches_tracked.
/// </summary>
public sealed class BatchNorm2d : Module
{
    /// <summary>Creates the layer: weight 1, bias 0, running mean 0, running variance 1.</summary>
    /// <param name="numFeatures">Channels.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="momentum">Weight of a new batch in the running statistics; null averages all batches equally, as PyTorch's momentum=None.</param>
    /// <param name="device">Where the parameters live.</param>
    public BatchNorm2d(long numFeatures, double eps = 1e-5, double? momentum = 0.1, Device? device = null)
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

    /// <summary>Weight of a new batch in the running statistics; null: a cumulative average over <see cref="NumBatchesTracked"/> batches.</summary>
    public double? Momentum { get; set; }

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

    /// <summary>Forgets the running statistics: mean 0, variance 1, no batches.</summary>
    public void ResetRunningStats()
    {
        RunningMean.Fill(0);
        RunningVar.Fill(1);
        NumBatchesTracked.Fill(0);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var momentum = Momentum ?? 0;
        if (Training)
        {
            NumBatchesTracked.AddInPlace(1);
            momentum = Momentum ?? 1.0 / NumBatchesTracked.Item();
        }

        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, Training, momentum, Eps);
    }
}
