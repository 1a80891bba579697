using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OGan.Distributed;

/// <summary>
/// Ends this process when one collective operation waits longer than <see cref="Timeout"/> for the others, as
/// torch.distributed's watchdog does: a process that died without its launcher noticing, or a network that went
/// dead (TCP would wait for many minutes), would otherwise hang every process of the job forever. The process
/// says why in one line on stderr and exits with code 1 at once (no cleanup that could wait on the network);
/// the launcher then ends the job's other processes, or their own watchdogs do.
/// </summary>
internal sealed partial class CollectiveWatchdog : IDisposable
{
    /// <summary>The environment variable of the limit, in seconds (default 600, as NCCL's default in torch.distributed).</summary>
    public const string TimeoutVariable = "OGAN_COLLECTIVE_TIMEOUT";

    private const double DefaultSeconds = 600;

    private readonly Timer timer;
    private readonly int rank;
    private long startedAt; // Stopwatch timestamp of the operation under way; 0 when none is
    private string operation = "";

    public CollectiveWatchdog(int rank, TimeSpan timeout)
    {
        this.rank = rank;
        Timeout = timeout;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 10, 100, 5000));
        timer = new Timer(_ => Check(), null, period, period);
    }

    /// <summary>How long one operation may wait.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The limit from <see cref="TimeoutVariable"/> (seconds), else 10 minutes.</summary>
    /// <exception cref="CommunicationException">The variable is set but not a positive number of seconds.</exception>
    public static TimeSpan ConfiguredTimeout()
    {
        var text = Environment.GetEnvironmentVariable(TimeoutVariable);
        if (string.IsNullOrEmpty(text))
        {
            return TimeSpan.FromSeconds(DefaultSeconds);
        }

        return double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds < 1e7
            ? TimeSpan.FromSeconds(seconds)
            : throw new CommunicationException($"{TimeoutVariable}={text}: expected a positive number of seconds");
    }

    /// <summary>Watches <paramref name="name"/> until the returned value is disposed.</summary>
    public Watch Enter(string name)
    {
        operation = name;
        Volatile.Write(ref startedAt, Stopwatch.GetTimestamp());
        return new Watch(this);
    }

    public void Dispose() => timer.Dispose();

    private void Check()
    {
        var started = Volatile.Read(ref startedAt);
        if (started == 0 || Stopwatch.GetElapsedTime(started) <= Timeout)
        {
            return;
        }

        Console.Error.WriteLine(
            $"ogan: error: process {rank} waited {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s in {operation} for the others (limit {Timeout.TotalSeconds:F0} s, {TimeoutVariable}): " +
            "a process or the network between them is gone; ending this process (resume from the last checkpoint)");
        Console.Error.Flush();
        if (OperatingSystem.IsLinux())
        {
            Exit(1);
        }

        Environment.Exit(1);
    }

    // _exit: no finalizers, atexit handlers or MPI_Finalize, which could wait on the dead network themselves.
    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void Exit(int status);

    /// <summary>One watched operation.</summary>
    public readonly struct Watch(CollectiveWatchdog watchdog) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref watchdog.startedAt, 0);
    }
}
