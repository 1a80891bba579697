using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using System.Globalization;
using System.Text.Json;
using OGan.Imaging;
using OGan.Inference;
using static TorchSharp.torch;

namespace OGan.Cli.Serve;

/// <summary>The JSON and PNG API of `ogan serve`. Every image is a PNG grid of (N, C, S, S) images with a 2-pixel border.</summary>
internal static class ServeApi
{
    public const int MaxImages = 64;
    public const int MaxFrames = 32;

    public static void Map(WebApplication app, ModelHost host, CheckpointCatalog catalog, Uploads uploads)
    {
        app.MapGet("/api/checkpoints", () => Results.Json(new
        {
            current = host.Current?.Name,
            checkpoints = catalog.List().Select(e => new { name = e.Name, step = StepOf(e.Path) }),
        }));

        app.MapPost("/api/checkpoints/{**name}", async (string name, CancellationToken cancellation) =>
        {
            var entry = catalog.Find(name) ?? throw ApiError.NotFound($"no checkpoint named {name} (GET /api/checkpoints lists them)");
            await host.Select(entry, cancellation).ConfigureAwait(false);
            return Results.Json(new { current = entry.Name });
        });

        app.MapGet("/api/model", (CancellationToken cancellation) => host.Use(m => Results.Json(new
        {
            checkpoint = host.Current?.Name, step = m.Step, image_size = m.Config.ImageSize, channels = m.Config.Channels, z_dim = m.Config.LatentDim,
        }), cancellation));

        app.MapGet("/api/sample", (HttpRequest request, CancellationToken cancellation) =>
        {
            var (seed, n) = (Seed(request, "seed"), Count(request, "n", 16, MaxImages));
            var columns = Count(request, "columns", (int)Math.Ceiling(Math.Sqrt(n)), MaxImages);
            return host.Use(m => Png(ImageGrid.Encode(m.Sample(m.Latents(n, seed)), columns)), cancellation);
        });

        app.MapGet("/api/latents", (HttpRequest request, CancellationToken cancellation) =>
        {
            var (seed, n) = (Seed(request, "seed"), Count(request, "n", 16, MaxImages));
            return host.Use(m => Results.Json(new { latents = Rows(m.Latents(n, seed)) }), cancellation);
        });

        app.MapPost("/api/generate", async (HttpRequest request, CancellationToken cancellation) =>
        {
            var body = await ReadJson(request, cancellation).ConfigureAwait(false);
            var columns = body.TryGetProperty("columns", out var c) && c.TryGetInt32(out var value) ? Math.Clamp(value, 1, MaxImages) : MaxImages;
            return await host.Use(m => Png(ImageGrid.Encode(m.Sample(Latents(body, m)), columns)), cancellation).ConfigureAwait(false);
        });

        app.MapPost("/api/encode", async (HttpRequest request, CancellationToken cancellation) =>
        {
            var images = await uploads.Read(request, "file", host.Config, cancellation).ConfigureAwait(false);
            return await host.Use(m => Results.Json(new
            {
                names = images.Names,
                codes = Rows(m.Encode(images.ToModel(m))),
            }), cancellation).ConfigureAwait(false);
        });

        app.MapPost("/api/reconstruct", async (HttpRequest request, CancellationToken cancellation) =>
        {
            var scale = Number(request, "scale", 1.0, 0, 4);
            var images = await uploads.Read(request, "file", host.Config, cancellation).ConfigureAwait(false);
            return await host.Use(m =>
            {
                var x = images.ToModel(m);
                return Png(ImageGrid.Encode(ImageGrid.Interleave(x, m.Reconstruct(x, scale)), Math.Min(16, 2 * images.Count)));
            }, cancellation).ConfigureAwait(false);
        });

        app.MapGet("/api/interpolate", (HttpRequest request, CancellationToken cancellation) =>
        {
            var (a, b) = (Seed(request, "a"), Seed(request, "b"));
            var (steps, slerp) = (Count(request, "steps", 8, MaxFrames), Flag(request, "slerp"));
            return host.Use(m => Png(ImageGrid.Encode(m.Sample(OGanModel.InterpolateLatents(m.Latents(1, a), m.Latents(1, b), steps, slerp)), steps)), cancellation);
        });

        app.MapPost("/api/interpolate", async (HttpRequest request, CancellationToken cancellation) =>
        {
            var (steps, slerp) = (Count(request, "steps", 8, MaxFrames), Flag(request, "slerp"));
            var a = await uploads.Read(request, "a", host.Config, cancellation).ConfigureAwait(false);
            var b = await uploads.Read(request, "b", host.Config, cancellation).ConfigureAwait(false);
            return await host.Use(
                m => Png(ImageGrid.Encode(m.Interpolate(a.ToModel(m, count: 1), b.ToModel(m, count: 1), steps, slerp), steps)),
                cancellation).ConfigureAwait(false);
        });

        app.MapGet("/api/directions", async (CancellationToken cancellation) =>
        {
            var directions = await host.Directions(cancellation).ConfigureAwait(false);
            return Results.Json(new { source = directions.Source, directions = directions.Vectors, deviations = directions.Deviations });
        });

        app.MapGet("/api/run", () => Results.Json(RunWatch.Describe(CurrentRun(host))));

        app.MapGet("/api/run/files/{name}", (string name) =>
            RunWatch.GridFile(CurrentRun(host), name) is { } path ? Results.File(path, "image/png") : throw ApiError.NotFound($"the run has no grid named {name}"));

        app.MapGet("/api/events", async (HttpContext context, CancellationToken cancellation) =>
        {
            // Server-sent events: "run" whenever the current run folder or the checkpoint list changes. Each stream
            // rescans the folders every 2 s, so their number is bounded.
            using var slot = EventStreams.Enter() ?? throw new ApiError(StatusCodes.Status503ServiceUnavailable,
                $"{EventStreams.Limit} pages already watch this server's run: close one, or reload later");
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            string? last = null;
            while (!cancellation.IsCancellationRequested)
            {
                var signature = $"{host.Current?.Name}|{catalog.List().Count}|{RunWatch.Signature(CurrentRun(host))}";
                if (signature != last)
                {
                    await context.Response.WriteAsync($"event: run\ndata: {JsonSerializer.Serialize(new { checkpoint = host.Current?.Name }, JsonText.Options)}\n\n", cancellation).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(cancellation).ConfigureAwait(false);
                    last = signature;
                }

                await Task.Delay(TimeSpan.FromSeconds(2), cancellation).ConfigureAwait(false);
            }
        });
    }

    private static string CurrentRun(ModelHost host) => host.Current?.RunFolder ?? throw ApiError.NotFound("no checkpoint is loaded");

    private static IResult Png(byte[] bytes) => Results.Bytes(bytes, "image/png");

    private static float[][] Rows(Tensor matrix)
    {
        var values = matrix.cpu().to(ScalarType.Float32).data<float>().ToArray();
        var width = (int)matrix.shape[1];
        return Enumerable.Range(0, (int)matrix.shape[0]).Select(i => values[(i * width)..((i + 1) * width)]).ToArray();
    }

    /// <summary>The body's "latents": 1 to 64 rows of ZDim finite numbers each.</summary>
    private static Tensor Latents(JsonElement body, OGanModel model)
    {
        if (!body.TryGetProperty("latents", out var rows) || rows.ValueKind != JsonValueKind.Array || rows.GetArrayLength() is 0 or > MaxImages)
        {
            throw ApiError.BadRequest($"the body needs \"latents\": an array of 1 to {MaxImages} latents");
        }

        var z = model.Config.LatentDim;
        var values = new List<float>();
        foreach (var row in rows.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != z)
            {
                throw ApiError.BadRequest($"each latent must be an array of {z} numbers (the model's z_dim)");
            }

            foreach (var v in row.EnumerateArray())
            {
                if (v.ValueKind != JsonValueKind.Number || !float.IsFinite(v.GetSingle()))
                {
                    throw ApiError.BadRequest("latents must be finite numbers");
                }

                values.Add(v.GetSingle());
            }
        }

        return tensor(values.ToArray(), [values.Count / z, z]).to(model.Device);
    }

    private static async Task<JsonElement> ReadJson(HttpRequest request, CancellationToken cancellation)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellation).ConfigureAwait(false);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest($"the body is not JSON: {e.Message}");
        }
    }

    private static ulong Seed(HttpRequest request, string name) =>
        request.Query[name].FirstOrDefault() is not { } text ? 0
        : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seed) ? seed
        : throw ApiError.BadRequest($"{name} must be a whole number >= 0, got '{text}'");

    private static int Count(HttpRequest request, string name, int fallback, int max) =>
        request.Query[name].FirstOrDefault() is not { } text ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max ? n
        : throw ApiError.BadRequest($"{name} must be between 1 and {max}, got '{text}'");

    private static double Number(HttpRequest request, string name, double fallback, double min, double max) =>
        request.Query[name].FirstOrDefault() is not { } text ? fallback
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max ? v
        : throw ApiError.BadRequest($"{name} must be a number between {min} and {max}, got '{text}'");

    private static bool Flag(HttpRequest request, string name) =>
        request.Query[name].FirstOrDefault() is { } text && (text == "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase));

    private static long? StepOf(string path) => Files.NumberedFiles.NumberOf(Path.GetFileName(path), "checkpoint", ".safetensors");
}
