using OGan.Native;

namespace OGan.Tensors;

/// <summary>
/// A libtorch tensor. Its native memory is owned by a SafeHandle: freed by <see cref="Dispose"/>, by the
/// <see cref="DisposeScope"/> it was created in, or at the latest by the garbage collector; never twice.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    internal Tensor(TensorHandle handle)
    {
        Handle = handle;
        DisposeScope.Current?.Add(this);
    }

    internal TensorHandle Handle { get; }

    /// <summary>The scope that will dispose this tensor, if any.</summary>
    internal DisposeScope? Scope { get; set; }

    /// <summary>True once the native tensor has been freed.</summary>
    public bool IsDisposed => Handle.IsClosed;

    /// <summary>The sizes of the dimensions.</summary>
    public long[] Shape
    {
        get
        {
            var shape = new long[Dim];
            NativeError.Check(NativeMethods.ogan_tensor_shape(Handle, shape, shape.Length));
            return shape;
        }
    }

    /// <summary>Number of dimensions.</summary>
    public int Dim => NativeError.Check(NativeMethods.ogan_tensor_ndim(Handle));

    /// <summary>Number of elements.</summary>
    public long NumEl => NativeError.Check(NativeMethods.ogan_tensor_numel(Handle));

    /// <summary>The element type.</summary>
    public DType DType => (DType)NativeError.Check(NativeMethods.ogan_tensor_dtype(Handle));

    /// <summary>The device that holds the data.</summary>
    public Device Device
    {
        get
        {
            NativeError.Check(NativeMethods.ogan_tensor_device(Handle, out var type, out var index));
            return new Device((DeviceType)type, index);
        }
    }

    /// <summary>The size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long Size(int dim)
    {
        var shape = Shape;
        return shape[dim < 0 ? shape.Length + dim : dim];
    }

    /// <summary>Frees the native tensor now; safe to call more than once.</summary>
    public void Dispose()
    {
        Scope?.Remove(this);
        Handle.Dispose();
    }

    /// <summary>Hands this tensor to the scope enclosing the one that owns it (or to nobody).</summary>
    /// <returns>This tensor.</returns>
    public Tensor MoveToOuterScope()
    {
        var outer = Scope?.Outer;
        Scope?.Remove(this);
        outer?.Add(this);
        return this;
    }

    /// <summary>Takes this tensor out of every scope: the caller disposes it (or the GC does).</summary>
    /// <returns>This tensor.</returns>
    public Tensor DetachFromScope()
    {
        Scope?.Remove(this);
        return this;
    }

    /// <summary>Copies the elements, in row-major order, into a new array.</summary>
    /// <exception cref="TorchException">T does not match the tensor's dtype.</exception>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        var result = new T[NumEl];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies the elements, in row-major order, into <paramref name="destination"/>, which must fit exactly.</summary>
    /// <exception cref="TorchException">T does not match the dtype, or the length does not match.</exception>
    public unsafe void CopyTo<T>(Span<T> destination)
        where T : unmanaged
    {
        var dtype = DType;
        if (DTypes.Of<T>() != dtype)
        {
            throw new TorchException($"cannot copy a {dtype} tensor into a {typeof(T).Name} buffer; convert it with To(DType) first");
        }

        fixed (T* pointer = destination)
        {
            NativeError.Check(NativeMethods.ogan_tensor_copy_to(Handle, pointer, (long)destination.Length * sizeof(T)));
        }
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        NativeError.Check(NativeMethods.ogan_tensor_item(Handle, out var value));
        return value;
    }

    /// <summary>A copy on <paramref name="device"/> (this tensor itself when already there, as a new handle).</summary>
    public Tensor To(Device device, bool nonBlocking = false) => To(DType, device, nonBlocking);

    /// <summary>A copy converted to <paramref name="dtype"/>.</summary>
    public Tensor To(DType dtype) => To(dtype, Device);

    /// <summary>A copy converted to <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public Tensor To(DType dtype, Device device, bool nonBlocking = false) =>
        Wrap(NativeMethods.ogan_tensor_to(Handle, (int)dtype, (int)device.Type, device.Index, nonBlocking ? 1 : 0));

    /// <summary>A copy in page-locked host memory, for asynchronous uploads to a GPU.</summary>
    public Tensor PinMemory() => Wrap(NativeMethods.ogan_tensor_pin_memory(Handle));

    /// <summary>A copy that owns its own memory and stays in the autograd graph.</summary>
    public Tensor Clone() => Wrap(NativeMethods.ogan_tensor_clone(Handle));

    /// <summary>The same data, cut from the autograd graph.</summary>
    public Tensor Detach() => Wrap(NativeMethods.ogan_tensor_detach(Handle));

    /// <summary>The same values in row-major contiguous memory.</summary>
    public Tensor Contiguous() => Wrap(NativeMethods.ogan_tensor_contiguous(Handle));

    /// <summary>Copies <paramref name="source"/>'s values into this tensor (broadcast, converted), outside autograd.</summary>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        NativeError.Check(NativeMethods.ogan_tensor_copy_(Handle, source.Handle));
    }

    /// <summary>Sets every element to <paramref name="value"/>, outside autograd.</summary>
    public void Fill(double value) => NativeError.Check(NativeMethods.ogan_tensor_fill_(Handle, value));

    /// <summary>Makes this tensor hold <paramref name="source"/>'s data while keeping its identity (PyTorch's <c>param.data = source</c>).</summary>
    public void SetData(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        NativeError.Check(NativeMethods.ogan_tensor_set_data(Handle, source.Handle));
    }

    /// <summary>Shape, dtype and device, e.g. "Tensor[64, 3, 32, 32] Float32 cpu".</summary>
    public override string ToString() =>
        IsDisposed ? "Tensor (disposed)" : $"Tensor[{string.Join(", ", Shape)}] {DType} {Device}";

    /// <summary>The raw bytes of the elements, whatever the dtype (for file formats).</summary>
    internal unsafe void CopyBytesTo(Span<byte> destination)
    {
        fixed (byte* pointer = destination)
        {
            NativeError.Check(NativeMethods.ogan_tensor_copy_to(Handle, pointer, destination.Length));
        }
    }

    /// <summary>A CPU tensor of <paramref name="dtype"/> from raw element bytes.</summary>
    internal static unsafe Tensor FromBytes(ReadOnlySpan<byte> data, long[] shape, DType dtype)
    {
        fixed (byte* pointer = data)
        {
            return Wrap(NativeMethods.ogan_tensor_from_data(pointer, data.Length, shape, shape.Length, (int)dtype, (int)DeviceType.Cpu, 0));
        }
    }

    internal static Tensor Wrap(TensorHandle handle) => new(NativeError.Check(handle));

    internal static TensorHandle HandleOf(Tensor? tensor) => tensor?.Handle ?? TensorHandle.Null;

    internal static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, long[] shape, Device device)
        where T : unmanaged
    {
        fixed (T* pointer = data)
        {
            return Wrap(NativeMethods.ogan_tensor_from_data(
                pointer, (long)data.Length * sizeof(T), shape, shape.Length, (int)DTypes.Of<T>(), (int)device.Type, device.Index));
        }
    }
}
