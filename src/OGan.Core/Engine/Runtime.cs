using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Engine;

/// <summary>What OGan runs on: TorchSharp and libtorch versions, backend, threads.</summary>
public static class Runtime
{
    /// <summary>The variable that sets libtorch's CPU threads (default: all cores).</summary>
    public const string ThreadsVariable = "OGAN_NUM_THREADS";

    /// <summary>TorchSharp's assembly version.</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>libtorch's version (loads the native library).</summary>
    public static string LibTorchVersion => __version__;

    /// <summary>"cuda" when libtorch sees a GPU, else "cpu" (loads the native library).</summary>
    public static string Backend => cuda.is_available() ? "cuda" : "cpu";

    /// <summary>
    /// Sets libtorch's CPU threads: <paramref name="threads"/> when positive, else $OGAN_NUM_THREADS, else all
    /// cores shared among the processes an MPI launcher started on this machine. Returns the count in use.
    /// </summary>
    public static int SetThreads(int threads = 0)
    {
        if (threads <= 0 && int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out var fromEnvironment) && fromEnvironment > 0)
        {
            threads = fromEnvironment;
        }

        if (threads <= 0)
        {
            threads = DefaultThreads(AffinityCores, MachineCores, UsableCores, Distributed.MpiLaunch.LocalSize);
        }

        if (get_num_threads() != threads)
        {
            set_num_threads(threads);
        }

        return get_num_threads();
    }

    /// <summary>
    /// Opts this process into the C allocator settings OGan's command trains with: glibc's mmap threshold fixed at
    /// 32 MB and its trim threshold at its largest (mallopt), for the rest of the process. With glibc's adaptive
    /// thresholds a training step's large tensors were mapped and unmapped every iteration: a 64 px run made 275 or
    /// 550 images/s with 30,000-70,000 page faults a second, and 660-720 with this (2 cores, bench/README.md). It
    /// changes how every allocation of the host process behaves, so OGan.Core never calls it by itself: a process
    /// that trains (or a service that serves) and wants the speed calls it once. Does nothing but on glibc.
    /// </summary>
    public static void KeepFreedNativeMemory() => NativeMemory.KeepFreedBlocks();

    /// <summary>The cores .NET gives this process: its CPU affinity, further limited by a container's CPU quota.</summary>
    public static int UsableCores => Environment.ProcessorCount;

    /// <summary>The cores in this process's CPU affinity mask (what mpirun's binding sets; a CPU quota leaves it alone).</summary>
    public static int AffinityCores
    {
        get
        {
            try
            {
                return OperatingSystem.IsLinux() || OperatingSystem.IsWindows()
                    ? Math.Max(1, System.Numerics.BitOperations.PopCount((ulong)System.Diagnostics.Process.GetCurrentProcess().ProcessorAffinity))
                    : UsableCores;
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or PlatformNotSupportedException)
            {
                return UsableCores;
            }
        }
    }

    /// <summary>The machine's online cores (/sys/devices/system/cpu/online), or <see cref="UsableCores"/> where that cannot be read.</summary>
    public static int MachineCores
    {
        get
        {
            try
            {
                return File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(',')
                    .Select(range => range.Split('-').Select(int.Parse).ToArray())
                    .Sum(bounds => bounds[^1] - bounds[0] + 1);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
            {
                return UsableCores;
            }
        }
    }

    /// <summary>
    /// The default thread count: the <paramref name="usableCores"/> .NET gives this process, shared among the
    /// <paramref name="localRanks"/> processes an MPI launcher started on this machine, unless its affinity mask
    /// already holds fewer cores than the machine has (mpirun's binding, whose default for two processes is a core
    /// each): those are its own. A container's CPU quota lowers the usable cores but not the mask, so it is shared.
    /// </summary>
    public static int DefaultThreads(int affinityCores, int machineCores, int usableCores, int localRanks) =>
        affinityCores < machineCores ? Math.Max(1, Math.Min(affinityCores, usableCores)) : Math.Max(1, usableCores / Math.Max(1, localRanks));
}
