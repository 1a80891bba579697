using OGan.Native;
using OGan.Tensors;

namespace OGan.Optim;

/// <summary>
/// Updates parameters from their gradients. The update itself is one native call into libtorch per step;
/// the per-parameter state tensors live here, readable and writable for checkpoints.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private bool disposed;

    /// <summary>Takes the parameters to update.</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = [.. parameters];
        LearningRate = learningRate;
    }

    /// <summary>The parameters, in the order of the state.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The step size.</summary>
    public double LearningRate { get; set; }

    /// <summary>Steps taken.</summary>
    public long StepCount { get; protected set; }

    /// <summary>Drops every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in Parameters)
        {
            parameter.ZeroGrad();
        }
    }

    /// <summary>Applies one update from the current gradients (parameters without one are left alone).</summary>
    public abstract void Step();

    /// <summary>
    /// The state as named tensors: "step" (int64 scalar, a new tensor) and "state.{i}.{name}" (the optimizer's
    /// own tensors), i indexing <see cref="Parameters"/> as in PyTorch's optimizer state_dict.
    /// </summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> StateDict()
    {
        var result = new List<(string, Tensor)> { ("step", Torch.Scalar(StepCount, DType.Int64).DetachFromScope()) };
        foreach (var (name, buffers) in StateBuffers())
        {
            for (var i = 0; i < buffers.Length; i++)
            {
                result.Add(($"state.{i}.{name}", buffers[i]));
            }
        }

        return result;
    }

    /// <summary>Restores a state written by <see cref="StateDict"/>.</summary>
    /// <exception cref="ArgumentException">An entry is missing or of the wrong shape; the message names it.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.TryGetValue("step", out var step))
        {
            throw new ArgumentException("optimizer state has no 'step'", nameof(state));
        }

        foreach (var (name, buffers) in StateBuffers())
        {
            for (var i = 0; i < buffers.Length; i++)
            {
                var key = $"state.{i}.{name}";
                if (!state.TryGetValue(key, out var source))
                {
                    throw new ArgumentException($"optimizer state has no '{key}'", nameof(state));
                }

                if (!source.Shape.SequenceEqual(buffers[i].Shape))
                {
                    throw new ArgumentException($"optimizer state '{key}' has the wrong shape", nameof(state));
                }

                buffers[i].CopyFrom(source);
            }
        }

        StepCount = (long)step.Item();
    }

    /// <summary>Frees the state tensors (not the parameters).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the state tensors.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposed || !disposing)
        {
            return;
        }

        disposed = true;
        foreach (var (_, buffers) in StateBuffers())
        {
            foreach (var buffer in buffers)
            {
                buffer.Dispose();
            }
        }
    }

    /// <summary>The state tensors by kind, one per parameter, e.g. ("exp_avg", [...]).</summary>
    protected abstract IEnumerable<(string Name, Tensor[] Buffers)> StateBuffers();

    /// <summary>A zero tensor per parameter, of its shape, dtype and device, owned by the optimizer.</summary>
    protected Tensor[] ZerosLikeParameters() =>
        [.. Parameters.Select(p => Torch.ZerosLike(p).DetachFromScope())];

    /// <summary>Raw pointers of the tensors, kept alive until the returned array is disposed.</summary>
    internal static HandleArray Pin(IReadOnlyList<Tensor> tensors) => new(tensors);
}
