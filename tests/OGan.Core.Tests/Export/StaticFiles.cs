using System.Net;
using System.Net.Sockets;

namespace OGan.Core.Tests.Export;

/// <summary>A folder served over loopback HTTP, as any static file server would serve the exported web page.</summary>
internal sealed class StaticFiles : IDisposable
{
    private static readonly Dictionary<string, string> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript", [".mjs"] = "text/javascript",
        [".wasm"] = "application/wasm", [".json"] = "application/json", [".onnx"] = "application/octet-stream",
    };

    private readonly HttpListener listener = new();
    private readonly string root;
    private readonly Task serving;

    public StaticFiles(string root)
    {
        this.root = Path.GetFullPath(root);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/";
        listener.Prefixes.Add(Url);
        listener.Start();
        serving = Task.Run(Serve);
    }

    public string Url { get; }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try
        {
            serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the listener stopped under a pending GetContextAsync
        }
    }

    private async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Answer(context));
        }
    }

    private async Task Answer(HttpListenerContext context)
    {
        using var response = context.Response;
        var relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/'));
        var path = Path.GetFullPath(Path.Combine(root, relative.Length == 0 ? "index.html" : relative));
        if (!path.StartsWith(root, StringComparison.Ordinal) || !File.Exists(path))
        {
            response.StatusCode = 404;
            return;
        }

        response.ContentType = Types.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
        var bytes = await File.ReadAllBytesAsync(path);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }
}
