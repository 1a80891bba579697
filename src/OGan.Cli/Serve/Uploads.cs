using Microsoft.AspNetCore.Http;
using OGan.Imaging;
using OGan.Inference;
using OGan.Models;
using static TorchSharp.torch;

namespace OGan.Cli.Serve;

/// <summary>
/// Images uploaded as multipart/form-data: read within the request's byte limit, refused above the pixel limit
/// before decoding, decoded a few at a time across all requests, and brought to the size and channels of the
/// model that serves the request.
/// </summary>
internal sealed class Uploads(long maxPixels) : IDisposable
{
    public const int MaxFiles = 16;

    // Decoding a large image takes a core and its pixels' memory: at most this many at once, whatever the requests.
    private readonly SemaphoreSlim decoders = new(Math.Max(1, Environment.ProcessorCount / 2));

    /// <summary>The largest image accepted, in pixels (width × height).</summary>
    public long MaxPixels => maxPixels;

    /// <summary>The files of form field <paramref name="field"/>, decoded, centre-cropped and resized for <paramref name="config"/>.</summary>
    /// <exception cref="ApiError">Not multipart, no file, too many, too large, or one that does not decode (400).</exception>
    public async Task<UploadedImages> Read(HttpRequest request, string field, OGanConfig config, CancellationToken cancellation)
    {
        if (!request.HasFormContentType)
        {
            throw ApiError.BadRequest($"send the images as multipart/form-data in the field `{field}`");
        }

        var form = await request.ReadFormAsync(cancellation).ConfigureAwait(false);
        var files = form.Files.GetFiles(field);
        if (files.Count == 0)
        {
            throw ApiError.BadRequest($"no image in the form field `{field}`");
        }

        if (files.Count > MaxFiles)
        {
            throw ApiError.BadRequest($"at most {MaxFiles} images per request, got {files.Count}");
        }

        var encoded = new List<(string Name, byte[] Bytes)>();
        foreach (var file in files)
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, cancellation).ConfigureAwait(false);
            encoded.Add((file.FileName, buffer.ToArray()));
        }

        var images = new UploadedImages(encoded, this);
        await images.PrepareFor(config, cancellation).ConfigureAwait(false);
        return images;
    }

    /// <summary>Decodes one upload to planar uint8 pixels for <paramref name="config"/>, waiting for a free decoder.</summary>
    internal async Task<byte[]> Square(string name, byte[] bytes, OGanConfig config, CancellationToken cancellation)
    {
        await decoders.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            return Preprocess.Square(bytes, config.Channels, config.ImageSize, maxPixels);
        }
        catch (InvalidDataException e)
        {
            throw ApiError.BadRequest($"{name}: {e.Message}");
        }
        finally
        {
            decoders.Release();
        }
    }

    public void Dispose() => decoders.Dispose();

    /// <summary>Synchronous form of <see cref="Square(string, byte[], OGanConfig, CancellationToken)"/>, for a model switch between decoding and use.</summary>
    internal byte[] SquareNow(string name, byte[] bytes, OGanConfig config) => Square(name, bytes, config, CancellationToken.None).GetAwaiter().GetResult();
}

/// <summary>Uploaded images: the files as sent, and their pixels prepared for one model shape.</summary>
internal sealed class UploadedImages(List<(string Name, byte[] Bytes)> encoded, Uploads uploads)
{
    private (int Size, int Channels) preparedFor;
    private List<byte[]> pixels = [];

    public int Count => encoded.Count;

    public IEnumerable<string> Names => encoded.Select(e => e.Name);

    /// <summary>Decodes every file for <paramref name="config"/>, outside the model's lock.</summary>
    public async Task PrepareFor(OGanConfig config, CancellationToken cancellation)
    {
        pixels = [.. await Task.WhenAll(encoded.Select(e => uploads.Square(e.Name, e.Bytes, config, cancellation))).ConfigureAwait(false)];
        preparedFor = (config.ImageSize, config.Channels);
    }

    /// <summary>The first <paramref name="count"/> images as the (N, C, S, S) input in [-1, 1] of <paramref name="model"/>, the one serving this request.</summary>
    public Tensor ToModel(OGanModel model, int count = int.MaxValue)
    {
        var config = model.Config;
        if (preparedFor != (config.ImageSize, config.Channels))
        {
            // The checkpoint changed between decoding and now: prepare them again for the model in hand.
            pixels = [.. encoded.Select(e => uploads.SquareNow(e.Name, e.Bytes, config))];
            preparedFor = (config.ImageSize, config.Channels);
        }

        return Pixels.ToModel([.. pixels.Take(count)], config.Channels, config.ImageSize, model.Device);
    }
}
