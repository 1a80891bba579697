using System.Runtime.InteropServices;
using System.Text;

namespace OGan.Distributed;

/// <summary>
/// The few functions of MPI's C API that data-parallel training needs, bound at run time to Open MPI's libmpi
/// (nothing about MPI is needed to build OGan or to run it in one process). Open MPI's predefined handles
/// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are the addresses of exported symbols, so they are looked up
/// like the functions. MPICH and Microsoft MPI use integer constants instead: see docs/distributed.md.
/// </summary>
internal sealed unsafe partial class MpiLibrary
{
    /// <summary>The variable that names another libmpi to load.</summary>
    public const string LibraryVariable = "OGAN_MPI_LIBRARY";

    private const int ThreadSerialized = 2; // MPI_THREAD_SERIALIZED in Open MPI's mpi.h
    private const int Success = 0;
    private static readonly nint InPlace = 1; // MPI_IN_PLACE in Open MPI's mpi.h

    private readonly delegate* unmanaged<int*, int> initialized;
    private readonly delegate* unmanaged<int*, int> finalized;
    private readonly delegate* unmanaged<int*, byte***, int, int*, int> initThread;
    private readonly delegate* unmanaged<int> finalize;
    private readonly delegate* unmanaged<nint, int*, int> commRank;
    private readonly delegate* unmanaged<nint, int*, int> commSize;
    private readonly delegate* unmanaged<nint, nint, int, nint, nint, nint, int> allReduce;
    private readonly delegate* unmanaged<nint, int, nint, int, nint, int> broadcast;
    private readonly delegate* unmanaged<nint, int> barrier;
    private readonly delegate* unmanaged<nint, int, int> abort;
    private readonly delegate* unmanaged<byte*, int*, int> libraryVersion;
    private readonly delegate* unmanaged<nint, nint, int> setErrorHandler;
    private readonly nint errorsReturn;

    private MpiLibrary(string path, nint handle)
    {
        Path = path;
        initialized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Initialized");
        finalized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Finalized");
        initThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Export(handle, "MPI_Init_thread");
        finalize = (delegate* unmanaged<int>)Export(handle, "MPI_Finalize");
        commRank = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_rank");
        commSize = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_size");
        allReduce = (delegate* unmanaged<nint, nint, int, nint, nint, nint, int>)Export(handle, "MPI_Allreduce");
        broadcast = (delegate* unmanaged<nint, int, nint, int, nint, int>)Export(handle, "MPI_Bcast");
        barrier = (delegate* unmanaged<nint, int>)Export(handle, "MPI_Barrier");
        abort = (delegate* unmanaged<nint, int, int>)Export(handle, "MPI_Abort");
        libraryVersion = (delegate* unmanaged<byte*, int*, int>)Export(handle, "MPI_Get_library_version");
        setErrorHandler = (delegate* unmanaged<nint, nint, int>)Export(handle, "MPI_Comm_set_errhandler");
        errorsReturn = Export(handle, "ompi_mpi_errors_return");
        World = Export(handle, "ompi_mpi_comm_world");
        Float = Export(handle, "ompi_mpi_float");
        Double = Export(handle, "ompi_mpi_double");
        Int64 = Export(handle, "ompi_mpi_int64_t");
        Byte = Export(handle, "ompi_mpi_byte");
        Sum = Export(handle, "ompi_mpi_op_sum");
        Max = Export(handle, "ompi_mpi_op_max");
    }

    /// <summary>The file loaded.</summary>
    public string Path { get; }

    /// <summary>MPI_COMM_WORLD.</summary>
    public nint World { get; }

    /// <summary>MPI_FLOAT.</summary>
    public nint Float { get; }

    /// <summary>MPI_DOUBLE.</summary>
    public nint Double { get; }

    /// <summary>MPI_INT64_T.</summary>
    public nint Int64 { get; }

    /// <summary>MPI_BYTE.</summary>
    public nint Byte { get; }

    /// <summary>MPI_SUM.</summary>
    public nint Sum { get; }

    /// <summary>MPI_MAX.</summary>
    public nint Max { get; }

    /// <summary>Loads Open MPI's libmpi ($OGAN_MPI_LIBRARY, else libmpi.so.40, else libmpi.so).</summary>
    /// <exception cref="DllNotFoundException">No libmpi could be loaded, or it is not Open MPI.</exception>
    public static MpiLibrary Load()
    {
        var requested = Environment.GetEnvironmentVariable(LibraryVariable);
        string[] candidates = string.IsNullOrEmpty(requested) ? ["libmpi.so.40", "libmpi.so"] : [requested];
        foreach (var candidate in candidates)
        {
            var handle = OpenGlobal(candidate);
            if (handle == 0)
            {
                continue;
            }

            if (!NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _))
            {
                throw new DllNotFoundException($"{candidate} is not Open MPI (OGan binds Open MPI's handles; see docs/distributed.md for MPICH)");
            }

            return new MpiLibrary(candidate, handle);
        }

        throw new DllNotFoundException(
            $"launched by an MPI launcher, but Open MPI's libmpi ({string.Join(" or ", candidates)}) could not be loaded: install Open MPI (Debian: openmpi-bin) or set {LibraryVariable}");
    }

    /// <summary>MPI_Initialized.</summary>
    public bool IsInitialized()
    {
        int flag;
        Check(initialized(&flag), "MPI_Initialized");
        return flag != 0;
    }

    /// <summary>MPI_Finalized.</summary>
    public bool IsFinalized()
    {
        int flag;
        Check(finalized(&flag), "MPI_Finalized");
        return flag != 0;
    }

    /// <summary>MPI_Init_thread asking for MPI_THREAD_SERIALIZED (calls may come from any thread, one at a time).</summary>
    public void Initialize()
    {
        PreferRingAllReduce();
        int provided;
        Check(initThread(null, null, ThreadSerialized, &provided), "MPI_Init_thread");
        if (provided < ThreadSerialized)
        {
            throw new CommunicationException($"this MPI library gives thread level {provided}; OGan needs MPI_THREAD_SERIALIZED (2)");
        }

        // MPI_ERRORS_RETURN: a failed call returns its error code, which Check turns into a CommunicationException
        // that OGan reports in one line, instead of MPI_ERRORS_ARE_FATAL's abort with MPI's own trace.
        Check(setErrorHandler(World, errorsReturn), "MPI_Comm_set_errhandler");
    }

    /// <summary>MPI_Finalize.</summary>
    public void FinalizeMpi() => Check(finalize(), "MPI_Finalize");

    /// <summary>MPI_Comm_rank of MPI_COMM_WORLD.</summary>
    public int Rank()
    {
        int rank;
        Check(commRank(World, &rank), "MPI_Comm_rank");
        return rank;
    }

    /// <summary>MPI_Comm_size of MPI_COMM_WORLD.</summary>
    public int Size()
    {
        int size;
        Check(commSize(World, &size), "MPI_Comm_size");
        return size;
    }

    /// <summary>MPI_Allreduce in place over <paramref name="count"/> elements at <paramref name="buffer"/>.</summary>
    public void AllReduceInPlace(nint buffer, int count, nint datatype, nint op) =>
        Check(allReduce(InPlace, buffer, count, datatype, op, World), "MPI_Allreduce");

    /// <summary>MPI_Bcast of <paramref name="count"/> elements at <paramref name="buffer"/> from <paramref name="root"/>.</summary>
    public void Broadcast(nint buffer, int count, nint datatype, int root) =>
        Check(broadcast(buffer, count, datatype, root, World), "MPI_Bcast");

    /// <summary>MPI_Barrier.</summary>
    public void Barrier() => Check(barrier(World), "MPI_Barrier");

    /// <summary>MPI_Abort of MPI_COMM_WORLD: ends every process of the job.</summary>
    public void Abort(int code) => abort(World, code);

    /// <summary>MPI_Get_library_version's first line, e.g. "Open MPI v5.0.7, package: Debian OpenMPI, ...".</summary>
    public string Version()
    {
        var text = new byte[8192]; // MPI_MAX_LIBRARY_VERSION_STRING is 256 in Open MPI, 8192 in MPICH
        int length;
        fixed (byte* pointer = text)
        {
            Check(libraryVersion(pointer, &length), "MPI_Get_library_version");
        }

        return Encoding.UTF8.GetString(text, 0, Math.Clamp(length, 0, text.Length)).Split('\n')[0].TrimEnd('\0', ' ');
    }

    // Open MPI's default rules pick, for large all-reduces among few processes, algorithms that allocate a
    // buffer of the message's size on every call: a 39 MB gradient buffer took 0.108 s between 2 processes,
    // 0.022-0.026 s with the ring (coll/tuned algorithm 4; bench/README.md). The ring is what gradient
    // all-reduce wants at every size that matters. Set before MPI_Init; a user's own setting wins.
    private static void PreferRingAllReduce()
    {
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("OMPI_MCA_coll_tuned_allreduce_algorithm") is null)
        {
            Dl.SetEnvironment("OMPI_MCA_coll_tuned_use_dynamic_rules", "1", 1);
            Dl.SetEnvironment("OMPI_MCA_coll_tuned_allreduce_algorithm", "4", 1);
        }
    }

    private static void Check(int code, string function)
    {
        if (code != Success)
        {
            throw new CommunicationException($"{function} failed with MPI error {code}");
        }
    }

    private static nint Export(nint handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out var address)
            ? address
            : throw new DllNotFoundException($"libmpi has no symbol {name}: OGan needs Open MPI 4 or newer");

    // RTLD_GLOBAL: Open MPI's plug-ins (mca_*.so), loaded by libmpi itself, resolve their symbols against it.
    private static nint OpenGlobal(string name)
    {
        const int Now = 2, Global = 0x100;
        return OperatingSystem.IsLinux() ? Dl.Open(name, Now | Global) : NativeLibrary.TryLoad(name, out var handle) ? handle : 0;
    }

    private static partial class Dl
    {
        [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
        public static partial nint Open(string file, int mode);

        // .NET's Environment.SetEnvironmentVariable does not reach native code's getenv on Unix.
        [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
        public static partial int SetEnvironment(string name, string value, int overwrite);
    }
}
