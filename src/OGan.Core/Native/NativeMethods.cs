using System.Runtime.InteropServices;

namespace OGan.Native;

/// <summary>P/Invoke declarations over native/include/ogan_native.h, one file per native subject.</summary>
internal static partial class NativeMethods
{
    private const string Lib = NativeLibraryLoader.LibraryName;

    internal const string ThreadsVariable = "OGAN_NUM_THREADS";

    static NativeMethods()
    {
        NativeLibraryLoader.Register();

        // libtorch starts with one thread here; use every core unless told otherwise.
        var threads = Environment.ProcessorCount;
        if (int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out var requested) && requested > 0)
        {
            threads = requested;
        }

        _ = ogan_runtime_set_num_threads(threads);
    }

    [LibraryImport(Lib)]
    internal static partial IntPtr ogan_last_error();

    [LibraryImport(Lib)]
    internal static partial void ogan_clear_error();

    [LibraryImport(Lib)]
    internal static partial IntPtr ogan_runtime_torch_version();

    [LibraryImport(Lib)]
    internal static partial int ogan_runtime_set_num_threads(int n);

    [LibraryImport(Lib)]
    internal static partial int ogan_runtime_get_num_threads();

    [LibraryImport(Lib)]
    internal static partial int ogan_runtime_manual_seed(ulong seed);

    [LibraryImport(Lib)]
    internal static partial int ogan_runtime_cuda_is_available();

    [LibraryImport(Lib)]
    internal static partial int ogan_runtime_cuda_device_count();

    [LibraryImport(Lib)]
    internal static partial int ogan_runtime_cuda_synchronize(int deviceIndex);

    [LibraryImport(Lib)]
    internal static partial int ogan_runtime_set_cudnn_benchmark(int enabled);

    [LibraryImport(Lib)]
    internal static partial long ogan_runtime_live_tensors();
}
