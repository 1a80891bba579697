using OGan.Tensors;

namespace OGan.Nn;

/// <summary>
/// A network part that owns parameters, buffers and child modules, named as PyTorch's state_dict names
/// them ("features.0.weight", "bn.running_mean"). Disposing a module frees all it owns.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> parameters = [];
    private readonly List<(string Name, Tensor Tensor)> buffers = [];
    private readonly List<(string Name, Module Module)> children = [];
    private bool disposed;

    /// <summary>True in training mode (batch statistics in BatchNorm), false in eval mode.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Runs the module.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Every parameter with its dotted name, this module's first, then each child's in order.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters() => Walk(m => m.parameters);

    /// <summary>Every buffer (running statistics, counters) with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers() => Walk(m => m.buffers);

    /// <summary>Every trainable tensor.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor);

    /// <summary>This module and all its descendants, depth first.</summary>
    public IEnumerable<Module> Modules() => children.SelectMany(c => c.Module.Modules()).Prepend(this);

    /// <summary>Direct children with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => children;

    /// <summary>
    /// Parameters and buffers in PyTorch's state_dict order (per module: its parameters, its buffers, then
    /// its children). The tensors are the module's own, not copies.
    /// </summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> StateDict()
    {
        var result = new List<(string, Tensor)>();
        AppendState(string.Empty, result);
        return result;
    }

    /// <summary>Copies values from <paramref name="state"/> into this module's parameters and buffers.</summary>
    /// <exception cref="ArgumentException">A name is missing or unknown, or a shape differs; the message names it.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        var missing = own.Where(e => !state.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        var ownNames = own.Select(e => e.Name).ToHashSet();
        var unexpected = state.Keys.Where(k => !ownNames.Contains(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            throw new ArgumentException(
                $"state does not match the module: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]",
                nameof(state));
        }

        foreach (var (name, tensor) in own)
        {
            var source = state[name];
            if (!source.Shape.SequenceEqual(tensor.Shape))
            {
                throw new ArgumentException(
                    $"'{name}' has shape [{string.Join(", ", source.Shape)}] but the module expects [{string.Join(", ", tensor.Shape)}]",
                    nameof(state));
            }

            tensor.CopyFrom(source);
        }
    }

    /// <summary>Sets training (true) or eval (false) mode here and in every child.</summary>
    /// <returns>This module.</returns>
    public Module Train(bool training = true)
    {
        Training = training;
        foreach (var (_, child) in children)
        {
            child.Train(training);
        }

        return this;
    }

    /// <summary>Eval mode: running statistics in BatchNorm.</summary>
    /// <returns>This module.</returns>
    public Module Eval() => Train(false);

    /// <summary>Moves every parameter and buffer to <paramref name="device"/>, keeping the tensor objects (optimizers stay valid).</summary>
    /// <returns>This module.</returns>
    public Module To(Device device)
    {
        foreach (var (_, tensor) in StateDict())
        {
            using var moved = tensor.To(device);
            tensor.SetData(moved);
        }

        return this;
    }

    /// <summary>Drops every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in Parameters())
        {
            parameter.ZeroGrad();
        }
    }

    /// <summary>Frees every parameter, buffer and child.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees what the module owns.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposed || !disposing)
        {
            return;
        }

        disposed = true;
        foreach (var (_, tensor) in parameters.Concat(buffers))
        {
            tensor.Dispose();
        }

        foreach (var (_, child) in children)
        {
            child.Dispose();
        }
    }

    /// <summary>Adopts <paramref name="tensor"/> as a trainable parameter (taken out of any dispose scope).</summary>
    protected Tensor RegisterParameter(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.DetachFromScope();
        tensor.RequiresGrad = true;
        parameters.Add((name, tensor));
        return tensor;
    }

    /// <summary>Adopts <paramref name="tensor"/> as a buffer: state that is saved but not trained.</summary>
    protected Tensor RegisterBuffer(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.DetachFromScope();
        buffers.Add((name, tensor));
        return tensor;
    }

    /// <summary>Adopts <paramref name="module"/> as a child named <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module)
        where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        children.Add((name, module));
        return module;
    }

    private void AppendState(string prefix, List<(string, Tensor)> result)
    {
        result.AddRange(parameters.Select(p => (prefix + p.Name, p.Tensor)));
        result.AddRange(buffers.Select(b => (prefix + b.Name, b.Tensor)));
        foreach (var (name, child) in children)
        {
            child.AppendState($"{prefix}{name}.", result);
        }
    }

    private IEnumerable<(string Name, Tensor Tensor)> Walk(Func<Module, List<(string Name, Tensor Tensor)>> select, string prefix = "")
    {
        foreach (var (name, tensor) in select(this))
        {
            yield return (prefix + name, tensor);
        }

        foreach (var (childName, child) in children)
        {
            foreach (var entry in child.Walk(select, $"{prefix}{childName}."))
            {
                yield return entry;
            }
        }
    }
}
