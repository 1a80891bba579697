namespace OGan.Cli;

/// <summary>An error the user can fix (bad option, missing file): one line, no stack trace.</summary>
internal sealed class UserError(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Runs a command body and turns known failures into one line on stderr and an exit code.</summary>
internal static class Guard
{
    public const int Usage = 2;
    public const int Runtime = 1;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UserError e)
        {
            return Fail(e.Message, e.ExitCode);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail(e.Message, Runtime);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            return Fail(e.Message, Usage);
        }
        catch (Exception e) when (e is Tensors.TorchException or Training.TrainingDivergedException or DllNotFoundException)
        {
            return Fail(e.Message, Runtime);
        }
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"ogan: error: {message}");
        return code;
    }
}
