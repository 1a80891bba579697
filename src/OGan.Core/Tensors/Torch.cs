using System.Runtime.InteropServices;
using OGan.Native;

namespace OGan.Tensors;

/// <summary>Tensor factories, joins and the libtorch runtime (seed, threads, CUDA, version).</summary>
public static class Torch
{
    /// <summary>libtorch's version, e.g. "1.13.0".</summary>
    public static string Version => Marshal.PtrToStringUTF8(NativeMethods.ogan_runtime_torch_version()) ?? "unknown";

    /// <summary>Threads libtorch uses for its kernels (default: every core, or OGAN_NUM_THREADS).</summary>
    /// <exception cref="TorchException">Set to less than 1.</exception>
    public static int NumThreads
    {
        get => NativeError.Check(NativeMethods.ogan_runtime_get_num_threads());
        set => NativeError.Check(NativeMethods.ogan_runtime_set_num_threads(value));
    }

    /// <summary>Whether this libtorch was built with CUDA and sees a GPU.</summary>
    public static bool CudaIsAvailable => NativeMethods.ogan_runtime_cuda_is_available() != 0;

    /// <summary>Number of visible CUDA devices (0 with a CPU-only libtorch).</summary>
    public static int CudaDeviceCount => NativeMethods.ogan_runtime_cuda_device_count();

    /// <summary>Native tensors alive in this process (created and not yet freed).</summary>
    public static long LiveTensorCount => NativeMethods.ogan_runtime_live_tensors();

    /// <summary>Whether operations are recorded for autograd on this thread.</summary>
    public static bool IsGradEnabled => NativeMethods.ogan_autograd_is_grad_enabled() != 0;

    /// <summary>Seeds libtorch's default generators (CPU and CUDA).</summary>
    public static void ManualSeed(ulong seed) => NativeError.Check(NativeMethods.ogan_runtime_manual_seed(seed));

    /// <summary>Waits for the work queued on a CUDA device (for timing).</summary>
    public static void CudaSynchronize(int device = 0) => NativeError.Check(NativeMethods.ogan_runtime_cuda_synchronize(device));

    /// <summary>Lets cuDNN pick the fastest convolution algorithms for fixed shapes.</summary>
    public static void SetCudnnBenchmark(bool enabled) => NativeError.Check(NativeMethods.ogan_runtime_set_cudnn_benchmark(enabled ? 1 : 0));

    /// <summary>Turns autograd off on this thread until the result is disposed (inference, EMA updates).</summary>
    public static GradModeScope NoGrad() => new(false);

    /// <summary>Turns autograd on on this thread until the result is disposed.</summary>
    public static GradModeScope EnableGrad() => new(true);

    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    /// <exception cref="TorchException">The shape's element count differs from the data's length.</exception>
    public static Tensor FromArray<T>(ReadOnlySpan<T> data, long[] shape, Device? device = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Tensor.FromSpan(data, shape, device ?? Device.Cpu);
    }

    /// <summary>A one-dimensional tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray<T>(T[] data, Device? device = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return Tensor.FromSpan<T>(data, [data.Length], device ?? Device.Cpu);
    }

    /// <summary>A scalar (zero-dimensional) tensor.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) =>
        Full([], value, dtype, device);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(long[] shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var d = device ?? Device.Cpu;
        return Tensor.Wrap(NativeMethods.ogan_tensor_full(shape, shape.Length, value, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>Zeros.</summary>
    public static Tensor Zeros(long[] shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 0, dtype, device);

    /// <summary>Ones.</summary>
    public static Tensor Ones(long[] shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 1, dtype, device);

    /// <summary>Zeros with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Full(like.Shape, 0, like.DType, like.Device);
    }

    /// <summary>start, start+step, ... below end.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        return Tensor.Wrap(NativeMethods.ogan_tensor_arange(start, end, step, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>Standard normal samples, from <paramref name="generator"/> or libtorch's default generator.</summary>
    public static Tensor Randn(long[] shape, RandomGenerator? generator = null, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var d = device ?? Device.Cpu;
        return Tensor.Wrap(NativeMethods.ogan_random_randn(shape, shape.Length, (int)dtype, (int)d.Type, d.Index, RandomGenerator.HandleOf(generator)));
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(long[] shape, RandomGenerator? generator = null, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var d = device ?? Device.Cpu;
        return Tensor.Wrap(NativeMethods.ogan_random_rand(shape, shape.Length, (int)dtype, (int)d.Type, d.Index, RandomGenerator.HandleOf(generator)));
    }

    /// <summary>A random permutation of 0..n-1 (int64, CPU).</summary>
    public static Tensor Randperm(long n, RandomGenerator? generator = null) =>
        Tensor.Wrap(NativeMethods.ogan_random_randperm(n, RandomGenerator.HandleOf(generator)));

    /// <summary>Fills <paramref name="tensor"/> in place with N(mean, std) samples.</summary>
    public static void NormalInPlace(Tensor tensor, double mean, double std, RandomGenerator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        NativeError.Check(NativeMethods.ogan_random_normal_(tensor.Handle, mean, std, RandomGenerator.HandleOf(generator)));
    }

    /// <summary>Fills <paramref name="tensor"/> in place with U(low, high) samples.</summary>
    public static void UniformInPlace(Tensor tensor, double low, double high, RandomGenerator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        NativeError.Check(NativeMethods.ogan_random_uniform_(tensor.Handle, low, high, RandomGenerator.HandleOf(generator)));
    }

    /// <summary>Tensors joined along an existing dimension.</summary>
    public static unsafe Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        using var handles = new HandleArray(tensors);
        fixed (IntPtr* pointers = handles.Pointers)
        {
            return Tensor.Wrap(NativeMethods.ogan_shape_cat(pointers, handles.Pointers.Length, dim));
        }
    }

    /// <summary>Tensors of one shape joined along a new dimension.</summary>
    public static unsafe Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        using var handles = new HandleArray(tensors);
        fixed (IntPtr* pointers = handles.Pointers)
        {
            return Tensor.Wrap(NativeMethods.ogan_shape_stack(pointers, handles.Pointers.Length, dim));
        }
    }

    /// <summary>Elements of <paramref name="a"/> where <paramref name="condition"/> holds, else of <paramref name="b"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Tensor.Wrap(NativeMethods.ogan_math_where(condition.Handle, a.Handle, b.Handle));
    }
}

/// <summary>Restores the previous autograd mode when disposed.</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool previous;

    internal GradModeScope(bool enabled)
    {
        previous = NativeMethods.ogan_autograd_set_grad_enabled(enabled ? 1 : 0) != 0;
    }

    /// <summary>Puts the previous mode back.</summary>
    public void Dispose() => _ = NativeMethods.ogan_autograd_set_grad_enabled(previous ? 1 : 0);
}
