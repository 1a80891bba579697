namespace OGan.Cli;

/// <summary>
/// A status line on stderr that rewrites itself when stderr is a terminal; when it is not (a log file, CI),
/// each update is a plain line. Log lines go through <see cref="WriteLine"/> so the two never mix.
/// </summary>
internal static class ProgressLine
{
    private static readonly Lock Gate = new();
    private static int shownLength;

    public static bool IsLive { get; } = !Console.IsErrorRedirected;

    /// <summary>False under --verbosity quiet: status updates are dropped.</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>Shows <paramref name="text"/> as the current status.</summary>
    public static void Update(string text)
    {
        lock (Gate)
        {
            if (!Enabled)
            {
                return;
            }

            if (!IsLive)
            {
                Console.Error.WriteLine(text);
                return;
            }

            var width = Math.Max(20, SafeWindowWidth() - 1);
            var line = text.Length > width ? text[..width] : text;
            Console.Error.Write("\r" + line.PadRight(shownLength));
            shownLength = line.Length;
        }
    }

    /// <summary>Writes a whole line, first moving past any status line.</summary>
    public static void WriteLine(string text)
    {
        lock (Gate)
        {
            if (shownLength > 0)
            {
                Console.Error.Write("\r" + new string(' ', shownLength) + "\r");
                shownLength = 0;
            }

            Console.Error.WriteLine(text);
        }
    }

    /// <summary>Ends the status line, leaving its last text on screen.</summary>
    public static void Finish()
    {
        lock (Gate)
        {
            if (shownLength > 0)
            {
                Console.Error.WriteLine();
                shownLength = 0;
            }
        }
    }

    private static int SafeWindowWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 120;
        }
        catch (IOException)
        {
            return 120;
        }
    }
}
