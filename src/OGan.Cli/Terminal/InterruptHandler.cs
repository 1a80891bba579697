using System.Runtime.InteropServices;

namespace OGan.Cli;

/// <summary>
/// Turns the first Ctrl+C, SIGTERM or SIGUSR1 into a cancellation, so long work can stop cleanly (training saves
/// first). SIGUSR1 is for jobs under mpirun: Open MPI forwards it to every process, whereas a SIGTERM to mpirun
/// kills them half a second later (PRRTE's fixed SIGCONT, 250 ms, SIGTERM, 250 ms, SIGKILL), often before a
/// checkpoint is written.
/// </summary>
internal sealed class InterruptHandler : IDisposable
{
    private const int UserSignal1 = 10; // SIGUSR1 on Linux: PosixSignal has no name for it, and takes the raw number

    private readonly string notice;
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration interrupt;
    private readonly PosixSignalRegistration terminate;
    private readonly PosixSignalRegistration user;

    public InterruptHandler(string notice)
    {
        this.notice = notice;
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        user = PosixSignalRegistration.Create((PosixSignal)UserSignal1, Handle);
    }

    public CancellationToken Token => source.Token;

    public void Dispose()
    {
        interrupt.Dispose();
        terminate.Dispose();
        user.Dispose();
        source.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        if (source.IsCancellationRequested)
        {
            return; // a second signal ends the process the usual way
        }

        context.Cancel = true;
        ProgressLine.WriteLine($"ogan: {notice} (press Ctrl+C again to abort)");
        source.Cancel();
    }
}
