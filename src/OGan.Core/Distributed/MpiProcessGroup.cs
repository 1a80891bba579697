using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Distributed;

/// <summary>
/// MPI's world as a <see cref="ProcessGroup"/>. CPU tensors go to MPI from their own memory. CUDA tensors are
/// all-reduced by NCCL when every process has it and its own GPU (<see cref="NcclChoice"/>), otherwise staged
/// through pinned host memory. MPI is initialized once per process; disposing the group finalizes it. MPI calls return
/// their errors (MPI_ERRORS_RETURN) as <see cref="CommunicationException"/>s, and a <see cref="CollectiveWatchdog"/>
/// ends the process when one waits longer than OGAN_COLLECTIVE_TIMEOUT for the others.
/// </summary>
internal sealed class MpiProcessGroup : ProcessGroup
{
    private static MpiProcessGroup? current;

    private readonly MpiLibrary mpi;
    private readonly bool ownsMpi;
    private readonly CollectiveWatchdog watchdog;
    private NcclCommunicator? nccl;
    private bool ncclTried;
    private readonly Dictionary<(ScalarType Type, long Count), Tensor> staging = [];
    private bool disposed;

    private MpiProcessGroup(MpiLibrary mpi, bool ownsMpi)
    {
        this.mpi = mpi;
        this.ownsMpi = ownsMpi;
        Rank = mpi.Rank();
        Size = mpi.Size();
        Backend = mpi.Version();
        watchdog = new CollectiveWatchdog(Rank, CollectiveWatchdog.ConfiguredTimeout(), CollectiveWatchdog.ConfiguredMainWorkTimeout());
    }

    public override int Rank { get; }

    public override int Size { get; }

    public override string Backend { get; }

    /// <summary>The group MPI was initialized for in this process, until it is disposed.</summary>
    public static MpiProcessGroup? Active => current is { disposed: false } ? current : null;

    /// <summary>Loads libmpi and initializes MPI (once per process), checking that it sees the job the launcher started.</summary>
    public static MpiProcessGroup Initialize()
    {
        if (current is { disposed: false })
        {
            return current;
        }

        var mpi = MpiLibrary.Load();
        if (mpi.IsFinalized())
        {
            throw new CommunicationException("MPI was finalized in this process and cannot start again");
        }

        var ownsMpi = !mpi.IsInitialized();
        if (ownsMpi)
        {
            mpi.Initialize();
        }

        current = new MpiProcessGroup(mpi, ownsMpi);
        if (MpiLaunch.WorldSize is { } launched && launched != current.Size)
        {
            throw new CommunicationException(
                $"the launcher started {launched} processes but MPI sees {current.Size}: each started alone (srun needs --mpi=pmix for Open MPI)");
        }

        return current;
    }

    public override void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireContiguous(tensor);
        if (tensor.device_type == DeviceType.CUDA && Nccl(tensor.device) is { } communicator)
        {
            using var ncclWatch = watchdog.Enter("ncclAllReduce");
            communicator.AllReduce(tensor, operation);
            return;
        }

        using var scope = NewDisposeScope();
        var host = OnHost(tensor);
        var op = operation == ReduceOperation.Sum ? mpi.Sum : mpi.Max;
        using var watch = watchdog.Enter("MPI_Allreduce");
        foreach (var (address, count) in TensorMemory.Chunks(host))
        {
            mpi.AllReduceInPlace(address, count, Datatype(host), op);
        }

        CopyBack(host, tensor);
    }

    public override void Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireContiguous(tensor);
        using var scope = NewDisposeScope();
        var host = OnHost(tensor);
        using var watch = watchdog.Enter("MPI_Bcast");
        foreach (var (address, count) in TensorMemory.Chunks(host))
        {
            mpi.Broadcast(address, count, Datatype(host), root);
        }

        CopyBack(host, tensor);
    }

    public override void Barrier()
    {
        using var watch = watchdog.Enter("MPI_Barrier");
        mpi.Barrier();
    }

    public override void Abort(int exitCode) => mpi.Abort(exitCode);

    private protected override void WaitForMain(string work)
    {
        // Rank 0 has done its work when it gets here: its wait for the others, already waiting, is a plain collective.
        using var watch = IsMain ? watchdog.Enter("MPI_Barrier") : watchdog.EnterMainWork($"MPI_Barrier (process 0 is to {work})");
        mpi.Barrier();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        watchdog.Dispose();
        nccl?.Dispose();
        foreach (var buffer in staging.Values)
        {
            buffer.Dispose();
        }

        if (ownsMpi && !mpi.IsFinalized())
        {
            mpi.FinalizeMpi();
        }

        base.Dispose(disposing);
    }

    private NcclCommunicator? Nccl(Device device)
    {
        if (!ncclTried)
        {
            ncclTried = true;
            (nccl, var whyNot) = NcclCommunicator.TryCreate(this, device, watchdog);
            if (whyNot is not null && IsMain)
            {
                Console.Error.WriteLine($"ogan: {whyNot}");
            }
        }

        return nccl;
    }

    private nint Datatype(Tensor tensor) => tensor.dtype switch
    {
        ScalarType.Float32 => mpi.Float,
        ScalarType.Float64 => mpi.Double,
        ScalarType.Int64 => mpi.Int64,
        ScalarType.Byte => mpi.Byte,
        _ => throw new NotSupportedException($"OGan's MPI operations take float32, float64, int64 and uint8 tensors, not {tensor.dtype}"),
    };

    // A CUDA tensor is staged through pinned host memory (MPI built without CUDA support cannot read the GPU's).
    // One pinned buffer per type and size, kept: the same all-reduces recur every step (one copy in, one out).
    private Tensor OnHost(Tensor tensor)
    {
        if (tensor.device_type == DeviceType.CPU)
        {
            return tensor;
        }

        var key = (Type: tensor.dtype, Count: tensor.numel());
        if (!staging.TryGetValue(key, out var buffer))
        {
            using var pageable = empty([key.Count], key.Type);
            buffer = pageable.pin_memory().DetachFromDisposeScope();
            staging[key] = buffer;
        }

        var host = buffer.view(tensor.shape);
        host.copy_(tensor);
        return host;
    }

    private static void CopyBack(Tensor host, Tensor tensor)
    {
        if (!ReferenceEquals(host, tensor))
        {
            using var noGrad = no_grad();
            tensor.copy_(host);
        }
    }

    private static void RequireContiguous(Tensor tensor)
    {
        if (!tensor.is_contiguous())
        {
            throw new ArgumentException("collective operations need a contiguous tensor", nameof(tensor));
        }
    }
}
