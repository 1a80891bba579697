namespace OGan.Native;

/// <summary>
/// The raw pointers of several tensors for one native call, each kept alive (AddRef) until disposed,
/// so that no handle can be released while the native side reads it.
/// </summary>
internal readonly struct HandleArray : IDisposable
{
    private readonly Tensors.Tensor[] tensors;

    internal HandleArray(IReadOnlyList<Tensors.Tensor> tensors)
    {
        this.tensors = [.. tensors];
        Pointers = new IntPtr[this.tensors.Length];
        var added = 0;
        try
        {
            for (; added < this.tensors.Length; added++)
            {
                var success = false;
                this.tensors[added].Handle.DangerousAddRef(ref success);
                Pointers[added] = this.tensors[added].Handle.DangerousGetHandle();
            }
        }
        catch
        {
            for (var i = 0; i < added; i++)
            {
                this.tensors[i].Handle.DangerousRelease();
            }

            throw;
        }
    }

    internal IntPtr[] Pointers { get; }

    public void Dispose()
    {
        foreach (var tensor in tensors)
        {
            tensor.Handle.DangerousRelease();
        }
    }
}
