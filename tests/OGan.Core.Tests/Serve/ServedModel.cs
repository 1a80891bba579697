using System.Diagnostics;
using System.Text.RegularExpressions;
using OGan.Core.Tests.Cli;

namespace OGan.Core.Tests.Serve;

/// <summary>`ogan serve` on a real Kestrel at a free loopback port, over a tiny model trained for the purpose.</summary>
public sealed partial class ServedModel : IDisposable
{
    private readonly Process process;
    private readonly List<string> log = [];

    public ServedModel()
    {
        Folder = Fixtures.TemporaryFolder();
        var train = Ogan.Run(Folder, "train", "--steps", "4", "--width", "16", "--zdim", "8", "--batch", "16", "--log-every", "2", "--snapshot-every", "2", "--out", "runs");
        Assert.True(train.ExitCode == 0, train.Error);
        RunFolder = Directory.GetDirectories(Path.Combine(Folder, "runs")).Single();
        process = Ogan.Start(Folder, null, "serve", "-c", "runs", "--port", "0", "--max-upload-mb", "2");
        Url = Address(process, line =>
        {
            lock (log)
            {
                log.Add(line);
            }
        }).GetAwaiter().GetResult();
        Client = new HttpClient { BaseAddress = new Uri(Url) };
    }

    public string Folder { get; }

    public string RunFolder { get; }

    /// <summary>The address the server printed, e.g. http://127.0.0.1:41234/.</summary>
    public string Url { get; }

    public HttpClient Client { get; }

    public string Log
    {
        get
        {
            lock (log)
            {
                return string.Join('\n', log);
            }
        }
    }

    /// <summary>The address a started `ogan serve` prints when it listens; every line it logs goes to <paramref name="line"/>.</summary>
    public static Task<string> Address(Process server, Action<string>? line = null)
    {
        var url = new TaskCompletionSource<string>();
        var lines = new List<string>();
        server.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                url.TrySetException(new InvalidOperationException("ogan serve exited: " + string.Join('\n', lines)));
                return;
            }

            lines.Add(e.Data);
            line?.Invoke(e.Data);
            if (AddressPattern().Match(e.Data) is { Success: true } match)
            {
                url.TrySetResult(match.Groups[1].Value);
            }
        };
        server.BeginErrorReadLine();
        server.BeginOutputReadLine();
        return url.Task.WaitAsync(TimeSpan.FromMinutes(2));
    }

    public void Dispose()
    {
        Client.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    [GeneratedRegex(@" at (https?://[0-9.]+:\d+/\S*) ")]
    private static partial Regex AddressPattern();
}
