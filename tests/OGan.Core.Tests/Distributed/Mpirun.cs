using System.Diagnostics;
using OGan.Core.Tests.Cli;

namespace OGan.Core.Tests.Distributed;

/// <summary>Runs a .NET program as N processes under Open MPI's mpirun, as a user would (scripts/install-deps.sh installs Open MPI).</summary>
internal static class Mpirun
{
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(folder => System.IO.Path.Combine(folder, "mpirun"))
        .FirstOrDefault(File.Exists);

    public static string OganDll { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "ogan.dll");

    public static string WorkerDll { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "OGan.Distributed.Worker.dll");

    /// <summary>Skips the test, saying why, where Open MPI is missing.</summary>
    public static void SkipUnlessInstalled() =>
        Skip.If(Path is null, "mpirun is not on PATH: Open MPI is missing (scripts/install-deps.sh installs it; ./test.sh runs the tests where it is)");

    /// <summary>mpirun -np <paramref name="processes"/> dotnet <paramref name="dll"/> <paramref name="arguments"/>, one libtorch thread per process.</summary>
    public static CommandResult Run(int processes, string workingDirectory, string dll, params string[] arguments) =>
        RunCommand(processes, workingDirectory, ["dotnet", dll, .. arguments]);

    /// <summary>mpirun -np <paramref name="processes"/> <paramref name="command"/>: any program, e.g. bash -c with a per-rank command line.</summary>
    public static CommandResult RunCommand(int processes, string workingDirectory, string[] command)
    {
        using var process = StartCommand(processes, workingDirectory, command);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mpirun -np {processes} {string.Join(' ', command)} ran over 4 minutes");
        }

        return new CommandResult(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Starts mpirun as <see cref="Run"/> does, with its output redirected, and returns at once.</summary>
    public static Process Start(int processes, string workingDirectory, string dll, params string[] arguments) =>
        StartCommand(processes, workingDirectory, ["dotnet", dll, .. arguments]);

    private static Process StartCommand(int processes, string workingDirectory, string[] command)
    {
        var start = new ProcessStartInfo(Path!)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--oversubscribe", "--bind-to", "none", "-x", "OGAN_NUM_THREADS", "-np", processes.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OGAN_NUM_THREADS"] = "1";
        start.Environment["OGAN_CACHE"] = System.IO.Path.Combine(workingDirectory, "cache"); // prepared data sets: the job's own
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"; // CI runs as root
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        start.Environment["OMPI_MCA_btl"] = "self,sm"; // one machine: shared memory
        return Process.Start(start) ?? throw new InvalidOperationException("could not start mpirun");
    }
}
