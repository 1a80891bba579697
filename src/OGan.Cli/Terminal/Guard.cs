using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace OGan.Cli;

/// <summary>Runs a command body with a logger and turns known failures into one error line and an exit code.</summary>
internal static class Guard
{
    public const int Usage = 2;
    public const int Runtime = 1;

    /// <summary>
    /// Runs <paramref name="body"/>; with <paramref name="needsTorch"/> it first checks that TorchSharp can load here.
    /// In a job of several processes (mpirun, srun) only rank 0 shows progress and information; the others show
    /// warnings and errors, prefixed with their rank. An error that only one process may meet ends the whole job
    /// (MPI_Abort), so that no process waits for it forever; one every process meets alike (a bad option, a
    /// divergence that all agreed on) is shown once, by rank 0.
    /// </summary>
    public static int Run(ParseResult parse, Func<ILogger, int> body, bool needsTorch = true)
    {
        var rank = Distributed.MpiLaunch.Rank;
        var verbosity = parse.GetValue(VerbosityOption.Option);
        if (rank > 0 && verbosity == Verbosity.Normal)
        {
            verbosity = Verbosity.Quiet;
        }

        ProgressLine.Enabled = verbosity != Verbosity.Quiet;
        using var factory = VerbosityOption.CreateLoggerFactory(verbosity);
        var log = factory.CreateLogger("ogan");
        if (needsTorch && Engine.NativeRequirements.Problem() is { } problem)
        {
            log.LogError("{Message}", problem);
            return Runtime;
        }

        if (needsTorch)
        {
            Engine.Runtime.KeepFreedNativeMemory(); // the command's own process: the allocator settings training is fast with
        }

        try
        {
            var code = body(log);
            Distributed.MpiProcessGroup.Active?.Dispose(); // MPI_Finalize, when the command joined an MPI job
            return code;
        }
        catch (Exception e)
        {
            var code = ExitCodeOf(e);
            ProgressLine.Finish();
            var job = Distributed.MpiProcessGroup.Active;
            // Every process meets these alike: the command line's mistakes, a divergence and a disagreement found by a collective.
            var agreed = (e is UserError { Agreed: true }) || e is Training.TrainingDivergedException or Distributed.ProcessesDisagreeException;
            if (job is not { Size: > 1 } || rank == 0 || !agreed)
            {
                var message = code is null ? $"unexpected {e.GetType().Name}: {FirstLine(e.Message)} (--verbosity debug shows where)" : FirstLine(e.Message);
                log.LogError("{Message}", job is { Size: > 1 } && rank > 0 ? $"rank {rank}: {message}" : message);
            }

            if (verbosity == Verbosity.Debug)
            {
                log.LogDebug(e, "where it happened:");
            }

            if (job is { Size: > 1 } && !agreed)
            {
                job.Abort(code ?? Runtime); // the other processes may be waiting for this one
            }

            job?.Dispose();
            return code ?? Runtime;
        }
    }

    // libtorch's messages run over many lines (the C++ frames): the first says what happened.
    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    // Usage (2) only for what the command line got wrong: the parser's errors and UserErrors that say so.
    private static int? ExitCodeOf(Exception e) => e switch
    {
        UserError user => user.ExitCode,
        FileNotFoundException or DirectoryNotFoundException or InvalidDataException or UnauthorizedAccessException or IOException => Runtime,
        Distributed.ProcessesDisagreeException => Usage,
        ArgumentException or FormatException or System.Runtime.InteropServices.ExternalException or Training.TrainingDivergedException or DllNotFoundException or OperationCanceledException => Runtime,
        _ => null,
    };
}
