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
            threads = Math.Max(1, Environment.ProcessorCount / Math.Max(1, Distributed.MpiLaunch.LocalSize));
        }

        if (get_num_threads() != threads)
        {
            set_num_threads(threads);
        }

        return get_num_threads();
    }
}
