namespace OGan.Cli;

/// <summary>An error the user can fix (bad option, missing file): one line, no stack trace.</summary>
internal sealed class UserError(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>
    /// Whether every process of a job meets this error alike (it depends on the command line alone, not on a
    /// process's files or devices); any other error ends the whole job (MPI_Abort), so that no process waits for it.
    /// </summary>
    public bool Agreed { get; init; }
}
