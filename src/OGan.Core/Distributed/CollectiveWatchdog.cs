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

    /// <summary>
    /// The environment variable of the limit on waiting for process 0's work alone (writing a checkpoint, grids or
    /// metrics), in seconds (default 3600, and never below <see cref="TimeoutVariable"/>'s): that wait is work, not
    /// a hang, and a low collective limit must not end a healthy job while process 0 writes.
    /// </summary>
    public const string MainWorkTimeoutVariable = "OGAN_MAIN_WORK_TIMEOUT";

    private const double DefaultSeconds = 600;
    private const double DefaultMainWorkSeconds = 3600;

    private readonly Timer timer;
    private readonly int rank;
    private long startedAt; // Stopwatch timestamp of the operation under way; 0 when none is
    private string operation = "";
    private TimeSpan limit; // of the operation under way
    private string limitVariable = TimeoutVariable;

    public CollectiveWatchdog(int rank, TimeSpan timeout, TimeSpan? mainWorkTimeout = null)
    {
        this.rank = rank;
        Timeout = timeout;
        MainWorkTimeout = mainWorkTimeout is { } work && work > timeout ? work : timeout;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 10, 100, 5000));
        timer = new Timer(_ => Check(), null, period, period);
    }

    /// <summary>How long one operation may wait.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>How long the others may wait for process 0's work alone (<see cref="EnterMainWork"/>).</summary>
    public TimeSpan MainWorkTimeout { get; }

    /// <summary>The limit from <see cref="TimeoutVariable"/> (seconds), else 10 minutes.</summary>
    /// <exception cref="CommunicationException">The variable is set but not a positive number of seconds.</exception>
    public static TimeSpan ConfiguredTimeout() => Configured(TimeoutVariable, DefaultSeconds);

    /// <summary>The limit from <see cref="MainWorkTimeoutVariable"/> (seconds), else an hour.</summary>
    /// <exception cref="CommunicationException">The variable is set but not a positive number of seconds.</exception>
    public static TimeSpan ConfiguredMainWorkTimeout() => Configured(MainWorkTimeoutVariable, DefaultMainWorkSeconds);

    /// <summary>Watches <paramref name="name"/>, a collective, until the returned value is disposed.</summary>
    public Watch Enter(string name) => Enter(name, Timeout, TimeoutVariable);

    /// <summary>Watches a wait for process 0's work alone (<paramref name="name"/> says what) under <see cref="MainWorkTimeout"/>.</summary>
    public Watch EnterMainWork(string name) => Enter(name, MainWorkTimeout, MainWorkTimeoutVariable);

    private static TimeSpan Configured(string variable, double fallback)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(text))
        {
            return TimeSpan.FromSeconds(fallback);
        }

        return double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds < 1e7
            ? TimeSpan.FromSeconds(seconds)
            : throw new CommunicationException($"{variable}={text}: expected a positive number of seconds");
    }

    private Watch Enter(string name, TimeSpan timeout, string variable)
    {
        operation = name;
        limit = timeout;
        limitVariable = variable;
        Volatile.Write(ref startedAt, Stopwatch.GetTimestamp());
        return new Watch(this);
    }

    public void Dispose() => timer.Dispose();

    private void Check()
    {
        var started = Volatile.Read(ref startedAt);
        if (started == 0 || Stopwatch.GetElapsedTime(started) <= limit)
        {
            return;
        }

        Console.Error.WriteLine(
            $"ogan: error: process {rank} waited {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s in {operation} for the others (limit {limit.TotalSeconds:F0} s, {limitVariable}): " +
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
