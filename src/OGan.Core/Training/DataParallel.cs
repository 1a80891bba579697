using OGan.Checkpoints;
using OGan.Distributed;
using OGan.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OGan.Training;

/// <summary>
/// Data-parallel training over a <see cref="ProcessGroup"/>, as DDP and Horovod do it: every process starts
/// from rank 0's state, computes gradients on its own shard of the batch, and the gradients of the network
/// about to step are averaged across processes in one fused buffer before its optimizer steps, so the weights
/// stay the same everywhere. BatchNorm uses each process's batch statistics; the running statistics are
/// pooled when something reads them (<see cref="AverageBuffers"/>).
/// </summary>
internal sealed class DataParallel(ProcessGroup group)
{
    private readonly System.Diagnostics.Stopwatch reductionClock = new();

    /// <summary>The processes.</summary>
    public ProcessGroup Group { get; } = group;

    /// <summary>Time spent in the gradients' all-reduce (waiting for the slowest process included), for the benchmarks.</summary>
    public TimeSpan ReductionTime => reductionClock.Elapsed;

    /// <summary>Whether there is more than one process (with one, every operation here does nothing).</summary>
    public bool IsDistributed => Group.Size > 1;

    /// <summary>Averages the gradients of <paramref name="parameters"/> across processes: one all-reduce of one flat buffer.</summary>
    public void AverageGradients(IReadOnlyList<Parameter> parameters)
    {
        if (IsDistributed)
        {
            Average([.. parameters.Select(p => p.grad).OfType<Tensor>()], reductionClock);
        }
    }

    /// <summary>
    /// Pools the floating-point buffers of <paramref name="modules"/> across processes: BatchNorm's running means
    /// are averaged, and its running variances become the variance of the pooled data (the average second moment
    /// minus the squared average mean), as one process would have measured over every process's batches. DDP
    /// instead broadcasts rank 0's buffers, which keeps one shard's statistics and drops the rest.
    /// </summary>
    public void AverageBuffers(params nn.Module?[] modules)
    {
        if (!IsDistributed)
        {
            return;
        }

        var present = modules.OfType<nn.Module>().ToList();
        var norms = present.SelectMany(m => m.modules().Prepend(m)).OfType<Models.BatchNorm2d>().Distinct().ToList();
        using (no_grad())
        {
            norms.ForEach(n => n.ToSecondMoment());
            Average([.. present.SelectMany(m => m.buffers()).Where(b => b.is_floating_point())], clock: null);
            norms.ForEach(n => n.FromSecondMoment());
        }
    }

    /// <summary>
    /// Gives every process rank 0's state: G, E and the moving average (weights and buffers), both optimizers,
    /// the random generator and the position in the data, as at the start of a run and on resume.
    /// </summary>
    public void BroadcastState(TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!IsDistributed)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var module in new nn.Module?[] { state.Generator, state.Encoder, state.Ema }.OfType<nn.Module>())
        {
            foreach (var (_, tensor) in module.state_dict())
            {
                BroadcastInPlace(tensor);
            }
        }

        foreach (var optimizer in new[] { state.GeneratorOptimizer, state.EncoderOptimizer })
        {
            var saved = OptimizerStates.Save(optimizer).ToDictionary();
            foreach (var tensor in saved.Values)
            {
                BroadcastInPlace(tensor); // the live buffers themselves, and a copy of the step count
            }

            OptimizerStates.Load(optimizer, saved);
        }

        var random = state.Random.get_state().contiguous();
        Group.Broadcast(random);
        state.Random.set_state(random);
        var position = tensor(new[] { state.Step, state.Cursor });
        var permutation = tensor(state.Permutation);
        Group.Broadcast(position);
        Group.Broadcast(permutation);
        state.Restore(position[0].item<long>(), position[1].item<long>(), permutation.data<long>().ToArray());
    }

    // Every tensor replaced by its mean over the processes, through one all-reduce of one flat fp32 buffer.
    private void Average(Tensor[] tensors, System.Diagnostics.Stopwatch? clock)
    {
        if (tensors.Length == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var flat = cat(tensors.Select(t => t.flatten().to(ScalarType.Float32)).ToArray());
        clock?.Start();
        Group.AllReduce(flat);
        clock?.Stop();
        flat.DivideInPlace(Group.Size);
        long offset = 0;
        foreach (var tensor in tensors)
        {
            tensor.copy_(flat.narrow(0, offset, tensor.numel()).view(tensor.shape));
            offset += tensor.numel();
        }
    }

    private void BroadcastInPlace(Tensor tensor)
    {
        if (tensor.is_contiguous() && tensor.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64)
        {
            Group.Broadcast(tensor);
            return;
        }

        var copy = tensor.contiguous().to(tensor.dtype == ScalarType.Float64 ? ScalarType.Float64 : tensor.is_floating_point() ? ScalarType.Float32 : ScalarType.Int64);
        Group.Broadcast(copy);
        tensor.copy_(copy);
    }
}
