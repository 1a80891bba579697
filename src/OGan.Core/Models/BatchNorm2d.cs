using OGan.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OGan.Models;

/// <summary>
/// 2-D batch normalisation as TorchSharp's and PyTorch's BatchNorm2d (same state names and defaults: momentum
/// 0.1, eps 1e-5, affine, running statistics; momentum null averages all batches equally), computed by the same
/// functional batch_norm, so results are the same bit for bit. OGan has its own because TorchSharp's counts its
/// batches with add_(1), a temporary Scalar that a collection on another thread can finalize during the call
/// (bench/gc-stress.sh).
/// </summary>
public sealed class BatchNorm2d : Module<Tensor, Tensor>
{
    internal const double Epsilon = 1e-5;
    private static readonly Scalar One = 1.ToScalar();
    private static readonly Scalar Zero = 0.ToScalar();

    // Named as the state dict's keys: Module.to replaces parameters and buffers by field name.
    private Parameter weight;
    private Parameter bias;
    private Tensor running_mean;
    private Tensor running_var;
    private Tensor num_batches_tracked;

    /// <summary>Normalises <paramref name="features"/> channels: weight 1, bias 0, mean 0, variance 1.</summary>
    public BatchNorm2d(long features)
        : base(nameof(BatchNorm2d))
    {
        Features = features;
        weight = Parameter(ones(features));
        bias = Parameter(zeros(features));
        weight.DetachFromDisposeScope(); // the layer owns its tensors, whatever scope builds it
        bias.DetachFromDisposeScope();
        running_mean = zeros(features).DetachFromDisposeScope();
        running_var = ones(features).DetachFromDisposeScope();
        num_batches_tracked = zeros([], ScalarType.Int64).DetachFromDisposeScope();
        register_parameter(nameof(weight), weight);
        register_parameter(nameof(bias), bias);
        register_buffer(nameof(running_mean), running_mean);
        register_buffer(nameof(running_var), running_var);
        register_buffer(nameof(num_batches_tracked), num_batches_tracked);
    }

    /// <summary>The channels.</summary>
    public long Features { get; }

    /// <summary>The weight of each batch in the running statistics (0.1); null: every batch weighs the same.</summary>
    public double? Momentum { get; set; } = 0.1;

    /// <summary>(N, Features, H, W) to the same shape: batch statistics in training mode, running ones in eval mode.</summary>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != Features)
        {
            throw new ArgumentException($"batch norm expects (N, {Features}, H, W), got [{string.Join(", ", input.shape)}]");
        }

        var factor = Momentum ?? 0.0;
        if (training)
        {
            using (no_grad())
            {
                num_batches_tracked.add_(One, One);
            }

            factor = Momentum ?? 1.0 / num_batches_tracked.item<long>();
        }

        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, factor, Epsilon);
    }

    /// <summary>
    /// Turns the running variance into the running second moment, var + mean², in place, so that averaging the
    /// statistics of several processes and then <see cref="FromSecondMoment"/> gives the variance of their pooled
    /// data: E[var + mean²] - E[mean]² counts how far the processes' means lie apart, which averaged variances miss.
    /// </summary>
    internal void ToSecondMoment()
    {
        using var square = running_mean.Squared();
        running_var.PlusInPlace(square);
    }

    /// <summary>
    /// The inverse of <see cref="ToSecondMoment"/>: variance = second moment - mean², clamped at 0: in fp32 the
    /// difference of two close numbers can come out slightly negative, and a negative variance is NaN in eval.
    /// </summary>
    internal void FromSecondMoment()
    {
        using var square = running_mean.Squared();
        using var negative = square.neg();
        running_var.PlusInPlace(negative);
        running_var.clamp_min_(Zero);
    }

    /// <summary>Running mean 0, variance 1, no batch counted.</summary>
    public void ResetRunningStatistics()
    {
        using var noGrad = no_grad();
        running_mean.zero_();
        running_var.fill_(One);
        num_batches_tracked.zero_();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            weight.Dispose();
            bias.Dispose();
            running_mean.Dispose();
            running_var.Dispose();
            num_batches_tracked.Dispose();
        }

        base.Dispose(disposing);
    }
}
