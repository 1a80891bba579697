using System.Runtime.InteropServices;

namespace OGan.Cli;

/// <summary>Turns the first Ctrl+C or SIGTERM into a cancellation, so long work can stop cleanly (training saves first).</summary>
internal sealed class InterruptHandler : IDisposable
{
    private readonly string notice;
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration interrupt;
    private readonly PosixSignalRegistration terminate;

    public InterruptHandler(string notice)
    {
        this.notice = notice;
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => source.Token;

    public void Dispose()
    {
        interrupt.Dispose();
        terminate.Dispose();
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
