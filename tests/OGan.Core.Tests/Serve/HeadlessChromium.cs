using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OGan.Core.Tests.Serve;

/// <summary>
/// Debian's chromium in headless mode, driven through the Chrome DevTools Protocol over its WebSocket: enough
/// to load a page, evaluate JavaScript, choose files for an input and take a screenshot.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    private readonly Process process;
    private readonly string profile;
    private readonly ClientWebSocket socket = new();
    private int nextId;

    private HeadlessChromium(Process process, string profile)
    {
        this.process = process;
        this.profile = profile;
    }

    /// <summary>The browser's path, or null when this machine has none (the scripts install chromium).</summary>
    public static string? Find() =>
        Environment.GetEnvironmentVariable("OGAN_CHROMIUM") is { Length: > 0 } configured ? configured : Candidates.FirstOrDefault(File.Exists);

    public static async Task<HeadlessChromium> Start(string executable)
    {
        var profile = Fixtures.TemporaryFolder();
        var start = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--remote-debugging-port=0", $"--user-data-dir={profile}", "--window-size=1400,1800", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var endpoint = new TaskCompletionSource<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && DevTools().Match(e.Data) is { Success: true } match)
            {
                endpoint.TrySetResult(match.Groups[1].Value);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var browser = new Uri(await endpoint.Task.WaitAsync(TimeSpan.FromSeconds(60)));

        using var http = new HttpClient();
        using var targets = JsonDocument.Parse(await http.GetStringAsync($"http://{browser.Authority}/json/list"));
        var page = targets.RootElement.EnumerateArray().First(t => t.GetProperty("type").GetString() == "page").GetProperty("webSocketDebuggerUrl").GetString()!;
        var chromium = new HeadlessChromium(process, profile);
        await chromium.socket.ConnectAsync(new Uri(page), CancellationToken.None);
        await chromium.Send("Page.enable");
        await chromium.Send("Runtime.enable");
        return chromium;
    }

    public Task Navigate(string url) => Send("Page.navigate", new JsonObject { ["url"] = url });

    /// <summary>The value of a JavaScript expression in the page.</summary>
    public async Task<JsonNode?> Evaluate(string expression)
    {
        var result = await Send("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"{expression}: {exception}");
        }

        return result["result"]?["value"];
    }

    /// <summary>Waits until the expression is true in the page; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public async Task WaitFor(string expression, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        // Until the page has loaded, its elements do not exist yet: an exception means "not yet".
        while ((await Evaluate($"(() => {{ try {{ return !!({expression}); }} catch {{ return false; }} }})()"))?.GetValue<bool>() != true)
        {
            Assert.True(clock.Elapsed < timeout, $"waited {timeout.TotalSeconds:F0} s for {what}; the page said: {await Evaluate("(window.oganStatusLog || []).join(' | ')")}");
            await Task.Delay(200);
        }
    }

    /// <summary>Chooses <paramref name="files"/> for the file input matching <paramref name="selector"/>, as a user would.</summary>
    public async Task SetFiles(string selector, params string[] files)
    {
        var document = await Send("DOM.getDocument");
        var node = await Send("DOM.querySelector", new JsonObject { ["nodeId"] = document["root"]!["nodeId"]!.GetValue<int>(), ["selector"] = selector });
        await Send("DOM.setFileInputFiles", new JsonObject { ["nodeId"] = node["nodeId"]!.GetValue<int>(), ["files"] = new JsonArray(files.Select(f => (JsonNode)f).ToArray()) });
    }

    public async Task<byte[]> Screenshot() =>
        Convert.FromBase64String((await Send("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true }))["data"]!.GetValue<string>());

    private async Task<JsonNode> Send(string method, JsonObject? parameters = null)
    {
        var id = ++nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var reply = JsonNode.Parse(await Receive(timeout.Token))!;
            if (reply["id"]?.GetValue<int>() != id)
            {
                continue; // an event, or the reply to an earlier command
            }

            return reply["error"] is { } error ? throw new InvalidOperationException($"{method}: {error}") : reply["result"]!;
        }
    }

    private async Task<string> Receive(CancellationToken cancellation)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult part;
        do
        {
            part = await socket.ReceiveAsync(buffer, cancellation);
            message.Write(buffer, 0, part.Count);
        }
        while (!part.EndOfMessage);
        return Encoding.UTF8.GetString(message.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        socket.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
            // chromium may still be writing its profile: the temporary folder is cleaned with the others
        }
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevTools();
}
