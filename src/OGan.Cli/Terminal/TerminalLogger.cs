using Microsoft.Extensions.Logging;

namespace OGan.Cli;

/// <summary>
/// Writes log lines to stderr as "ogan: message" ("ogan: warning: ...", "ogan: error: ..."), synchronously
/// and in order with the live <see cref="ProgressLine"/>, which it clears first.
/// </summary>
internal sealed class TerminalLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TerminalLogger();

    public void Dispose()
    {
    }

    private sealed class TerminalLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var prefix = logLevel switch
            {
                LogLevel.Trace or LogLevel.Debug => "ogan: debug: ",
                LogLevel.Warning => "ogan: warning: ",
                LogLevel.Error or LogLevel.Critical => "ogan: error: ",
                _ => "ogan: ",
            };
            var text = prefix + formatter(state, exception);
            if (exception is not null && logLevel <= LogLevel.Debug)
            {
                text += Environment.NewLine + exception;
            }

            ProgressLine.WriteLine(text);
        }
    }
}
