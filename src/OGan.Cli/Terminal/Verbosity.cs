using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace OGan.Cli;

/// <summary>How much ogan says: quiet (warnings and errors), normal, or debug (with stack traces).</summary>
internal enum Verbosity
{
    Quiet,
    Normal,
    Debug,
}

/// <summary>The --verbosity option every command takes, and the logger it configures.</summary>
internal static class VerbosityOption
{
    public static readonly Option<Verbosity> Option = new("--verbosity", "-v")
    {
        Description = "quiet, normal or debug (debug adds stack traces to errors)",
        DefaultValueFactory = _ => Verbosity.Normal,
        Recursive = true,
    };

    public static ILoggerFactory CreateLoggerFactory(Verbosity verbosity) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(verbosity switch
        {
            Verbosity.Quiet => LogLevel.Warning,
            Verbosity.Debug => LogLevel.Debug,
            _ => LogLevel.Information,
        })
        .AddProvider(new TerminalLoggerProvider()));
}
