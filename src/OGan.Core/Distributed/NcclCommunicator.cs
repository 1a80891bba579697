using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace OGan.Distributed;

/// <summary>
/// An NCCL communicator over the processes of an MPI group, for all-reducing CUDA tensors GPU to GPU: rank 0
/// makes NCCL's unique id and MPI broadcasts it (as Horovod does). NCCL is loaded at run time
/// ($OGAN_NCCL_LIBRARY, else libnccl.so.2: PyTorch's CUDA wheels bring it, and their libtorch loads it).
/// Reductions run on CUDA's legacy default stream, the one libtorch computes on, so they are ordered with the
/// backward pass before them and the optimizer step after them.
/// </summary>
internal sealed unsafe class NcclCommunicator : IDisposable
{
    /// <summary>The variable that names the NCCL library to load.</summary>
    public const string LibraryVariable = "OGAN_NCCL_LIBRARY";

    /// <summary>Set to 0 to all-reduce CUDA tensors through MPI even where NCCL is present.</summary>
    public const string SwitchVariable = "OGAN_NCCL";

    private const int UniqueIdBytes = 128; // NCCL_UNIQUE_ID_BYTES
    private readonly delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int> allReduce;
    private readonly delegate* unmanaged<nint, int> destroy;
    private readonly delegate* unmanaged<nint, int> abort;
    private readonly delegate* unmanaged<nint, int*, int> getAsyncError;
    private readonly delegate* unmanaged<int, nint> errorString;
    private readonly nint library;
    private readonly nint context;
    private readonly int device;
    private nint communicator;

    private NcclCommunicator(nint library, nint communicator, nint context, int device)
    {
        this.library = library;
        this.context = context;
        this.device = device;
        allReduce = (delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int>)NativeLibrary.GetExport(library, "ncclAllReduce");
        destroy = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "ncclCommDestroy");
        abort = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "ncclCommAbort");
        getAsyncError = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(library, "ncclCommGetAsyncError");
        errorString = (delegate* unmanaged<int, nint>)NativeLibrary.GetExport(library, "ncclGetErrorString");
        this.communicator = communicator;
    }

    /// <summary>
    /// A communicator of every process of <paramref name="group"/> on its own <paramref name="device"/>, or null
    /// with the reason (<see cref="NcclChoice"/>) where NCCL is switched off, cannot be loaded or would find two
    /// processes on one GPU: then MPI carries CUDA tensors through host memory. Every process of the group must call it.
    /// </summary>
    public static (NcclCommunicator? Communicator, string? WhyNot) TryCreate(ProcessGroup group, Device device, CollectiveWatchdog watchdog)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(watchdog);
        var switchedOff = Environment.GetEnvironmentVariable(SwitchVariable) == "0";
        var name = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } requested ? requested : "libnccl.so.2";
        var loaded = !switchedOff && NativeLibrary.TryLoad(name, out var library) ? library : 0;

        // Every process must take the same path, or the next collective operation would never match.
        var ordinal = (int)Math.Max(device.index, 0);
        var missingSomewhere = group.Any(loaded == 0);
        var whyNot = NcclChoice.WhyNot(switchedOff, missingSomewhere, missingSomewhere ? [] : GatherGpus(group, CudaContext.GpuKey(ordinal)));
        if (whyNot is not null)
        {
            if (loaded != 0)
            {
                NativeLibrary.Free(loaded);
            }

            return (null, whyNot);
        }

        var context = CudaContext.Retain(ordinal);
        try
        {
            CudaContext.MakeCurrent(context);
            using var id = zeros(UniqueIdBytes, dtype: ScalarType.Byte);
            if (group.IsMain)
            {
                var getUniqueId = (delegate* unmanaged<byte*, int>)NativeLibrary.GetExport(loaded, "ncclGetUniqueId");
                Check(loaded, getUniqueId((byte*)TensorMemory.Address(id)), "ncclGetUniqueId");
            }

            group.Broadcast(id);
            var initRank = (delegate* unmanaged<nint*, int, UniqueId, int, int>)NativeLibrary.GetExport(loaded, "ncclCommInitRank");
            UniqueId value;
            new ReadOnlySpan<byte>((void*)TensorMemory.Address(id), UniqueIdBytes).CopyTo(new Span<byte>(value.Bytes, UniqueIdBytes));
            nint communicator;
            using (watchdog.Enter("ncclCommInitRank"))
            {
                Check(loaded, initRank(&communicator, group.Size, value, group.Rank), "ncclCommInitRank");
            }

            return (new NcclCommunicator(loaded, communicator, context, ordinal), null);
        }
        catch
        {
            CudaContext.Release(ordinal);
            NativeLibrary.Free(loaded);
            throw;
        }
    }

    /// <summary>
    /// All-reduces a contiguous CUDA tensor in place and waits for it, asking NCCL for asynchronous errors
    /// meanwhile: NCCL returns before the reduction runs, so a peer or a network that fails would otherwise hang
    /// the next CUDA call that waits on the stream. An asynchronous error aborts the communicator and throws;
    /// a reduction that never ends is left to the caller's <see cref="CollectiveWatchdog"/>.
    /// </summary>
    public void AllReduce(Tensor tensor, ReduceOperation operation)
    {
        ObjectDisposedException.ThrowIf(communicator == 0, this);
        var datatype = tensor.dtype switch
        {
            ScalarType.Float32 => 7, // ncclFloat32
            ScalarType.Float64 => 8, // ncclFloat64
            ScalarType.Int64 => 4, // ncclInt64
            _ => throw new NotSupportedException($"NCCL all-reduce of {tensor.dtype} tensors"),
        };
        var op = operation == ReduceOperation.Sum ? 0 : 2; // ncclSum, ncclMax
        CudaContext.MakeCurrent(context);
        var address = TensorMemory.Address(tensor);
        var result = allReduce(address, address, (nuint)tensor.numel(), datatype, op, communicator, 0);
        if (result != 0)
        {
            throw new CommunicationException($"ncclAllReduce failed: {Marshal.PtrToStringUTF8(errorString(result))}");
        }

        WaitForStream();
    }

    private void WaitForStream()
    {
        var spin = default(SpinWait);
        while (true)
        {
            var state = CudaContext.QueryDefaultStream();
            if (state == CudaContext.Success)
            {
                return;
            }

            if (state != CudaContext.NotReady)
            {
                throw new CommunicationException($"CUDA error {state} while NCCL all-reduced");
            }

            int asyncError;
            var queried = getAsyncError(communicator, &asyncError);
            if (queried != 0 || asyncError is not (0 or 7)) // ncclSuccess, ncclInProgress
            {
                var error = queried != 0 ? queried : asyncError;
                abort(communicator);
                communicator = 0;
                throw new CommunicationException($"NCCL failed while all-reducing ({Marshal.PtrToStringUTF8(errorString(error))}): a process or the network between them is gone");
            }

            spin.SpinOnce();
        }
    }

    /// <summary>Destroys the communicator, then gives back the CUDA context it retained and the library it loaded.</summary>
    public void Dispose()
    {
        if (communicator != 0)
        {
            destroy(communicator);
            communicator = 0;
            CudaContext.Release(device);
            NativeLibrary.Free(library);
        }
    }

    // Every process's GPU key at its rank: an all-gather through one all-reduce of a tensor that is zero but for each process's own slot.
    private static long[] GatherGpus(ProcessGroup group, long key)
    {
        var slots = new long[group.Size];
        slots[group.Rank] = key;
        using var gathered = tensor(slots);
        group.AllReduce(gathered);
        return gathered.data<long>().ToArray();
    }

    private static void Check(nint library, int result, string function)
    {
        if (result != 0)
        {
            var text = (delegate* unmanaged<int, nint>)NativeLibrary.GetExport(library, "ncclGetErrorString");
            throw new CommunicationException($"{function} failed: {Marshal.PtrToStringUTF8(text(result))}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct UniqueId
    {
        public fixed byte Bytes[UniqueIdBytes];
    }

    /// <summary>A device's primary context (the one libtorch uses), made current on this thread so that NCCL works on that GPU.</summary>
    private static class CudaContext
    {
        private static readonly nint Driver = NativeLibrary.Load(OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1");

        // Looked up once: both run on every all-reduce, the query many times while it waits.
        private static readonly delegate* unmanaged<nint, int> StreamQuery = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(Driver, "cuStreamQuery");
        private static readonly delegate* unmanaged<nint, int> SetCurrent = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(Driver, "cuCtxSetCurrent");

        public static nint Retain(int device)
        {
            var get = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(Driver, "cuDeviceGet");
            var retain = (delegate* unmanaged<nint*, int, int>)NativeLibrary.GetExport(Driver, "cuDevicePrimaryCtxRetain");
            int handle;
            nint context;
            return get(&handle, device) == 0 && retain(&context, handle) == 0
                ? context
                : throw new CommunicationException($"cannot open CUDA device {device} for NCCL");
        }

        /// <summary>Gives back what <see cref="Retain"/> took (the context lives on while libtorch holds it too).</summary>
        public static void Release(int device)
        {
            var get = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(Driver, "cuDeviceGet");
            var release = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(Driver, "cuDevicePrimaryCtxRelease");
            int handle;
            if (get(&handle, device) == 0)
            {
                release(handle);
            }
        }

        public const int Success = 0;
        public const int NotReady = 600; // CUDA_ERROR_NOT_READY

        /// <summary>A key of the physical GPU behind <paramref name="device"/> (its UUID, folded), the same in every process that sees it.</summary>
        public static long GpuKey(int device)
        {
            var get = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(Driver, "cuDeviceGet");
            var getUuid = (delegate* unmanaged<byte*, int, int>)NativeLibrary.GetExport(Driver, "cuDeviceGetUuid");
            int handle;
            var uuid = stackalloc byte[16];
            if (get(&handle, device) != 0 || getUuid(uuid, handle) != 0)
            {
                throw new CommunicationException($"cannot read the UUID of CUDA device {device}");
            }

            var bytes = new ReadOnlySpan<byte>(uuid, 16);
            return BitConverter.ToInt64(bytes[..8]) ^ BitConverter.ToInt64(bytes[8..]);
        }

        /// <summary>cuStreamQuery on the legacy default stream: <see cref="Success"/> when its work is done, <see cref="NotReady"/> while it runs.</summary>
        public static int QueryDefaultStream() => StreamQuery(0);

        public static void MakeCurrent(nint context)
        {
            if (SetCurrent(context) != 0)
            {
                throw new CommunicationException("cannot make the CUDA context current for NCCL");
            }
        }
    }
}
