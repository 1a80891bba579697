namespace OGan.Tensors;

/// <summary>
/// Frees, when disposed, every tensor created on this thread while it was the innermost scope:
/// the many temporaries of a training step go in one deterministic sweep. Keep a result with
/// <see cref="Tensor.MoveToOuterScope"/> or <see cref="Tensor.DetachFromScope"/>. Disposing twice is safe.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic]
    private static DisposeScope? current;

    private readonly HashSet<Tensor> tensors = new(ReferenceEqualityComparer.Instance);
    private bool disposed;

    private DisposeScope(DisposeScope? outer)
    {
        Outer = outer;
    }

    /// <summary>The innermost open scope on this thread, if any.</summary>
    public static DisposeScope? Current => current;

    /// <summary>The number of tensors this scope will free.</summary>
    public int Count => tensors.Count;

    internal DisposeScope? Outer { get; }

    /// <summary>Opens a scope nested in the current one; dispose it (a using statement) to free its tensors.</summary>
    public static DisposeScope Enter()
    {
        current = new DisposeScope(current);
        return current;
    }

    /// <summary>Frees every tensor still owned by this scope and makes the enclosing scope current again.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var tensor in tensors)
        {
            tensor.Scope = null;
            tensor.Handle.Dispose();
        }

        tensors.Clear();
        if (current == this)
        {
            current = Outer;
        }
    }

    internal void Add(Tensor tensor)
    {
        if (disposed)
        {
            return;
        }

        tensors.Add(tensor);
        tensor.Scope = this;
    }

    internal void Remove(Tensor tensor)
    {
        tensors.Remove(tensor);
        tensor.Scope = null;
    }
}
