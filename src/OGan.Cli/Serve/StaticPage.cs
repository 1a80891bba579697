using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OGan.Cli.Serve;

/// <summary>The page itself: three files embedded in the assembly (no CDN, no build step).</summary>
internal static class StaticPage
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "wwwroot/index.html", "text/html; charset=utf-8"),
        ("/app.js", "wwwroot/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "wwwroot/style.css", "text/css; charset=utf-8"),
    ];

    public static void Map(WebApplication app)
    {
        foreach (var (path, resource, contentType) in Files)
        {
            var bytes = Read(resource);
            app.MapGet(path, () => Results.Bytes(bytes, contentType));
        }
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(StaticPage).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the page's {resource} is missing from the assembly");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
