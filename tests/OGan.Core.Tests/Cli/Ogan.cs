using System.Diagnostics;

namespace OGan.Core.Tests.Cli;

/// <summary>What one run of the ogan command did.</summary>
public sealed record CommandResult(int ExitCode, string Output, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs the built ogan.dll in a child process, as a user would from a shell.</summary>
internal static class Ogan
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "ogan.dll");

    public static CommandResult Run(string workingDirectory, params string[] arguments) => Run(workingDirectory, null, arguments);

    public static CommandResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        RunDll(workingDirectory, Dll, arguments, environment);

    /// <summary>Runs another .NET program of the tests (a worker) as <see cref="Run(string, string[])"/> runs ogan.</summary>
    public static CommandResult RunDll(string workingDirectory, string dll, string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(workingDirectory, environment, dll, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(dll)} {string.Join(' ', arguments)} ran over 5 minutes");
        }

        return new CommandResult(process.ExitCode, output.Result, error.Result);
    }

    public static Process Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        Start(workingDirectory, environment, Dll, arguments);

    private static Process Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, string dll, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OGAN_NUM_THREADS"] = "1"; // tests run in parallel on two cores
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
    }
}
