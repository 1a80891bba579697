using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OGan.Imaging;
using OGan.Models;
using static TorchSharp.torch;

namespace OGan.Cli.Serve;

/// <summary>Images uploaded as multipart/form-data, decoded and brought to the model's size and channels.</summary>
internal static class Uploads
{
    public const int MaxFiles = 16;

    /// <summary>The files of form field <paramref name="field"/>, each centre-cropped and resized, as planar uint8 pixels.</summary>
    /// <exception cref="ApiError">Not multipart, no file, too many, or one that does not decode (400).</exception>
    public static async Task<List<(string Name, byte[] Pixels)>> Read(HttpRequest request, string field, OGanConfig config, CancellationToken cancellation)
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

        var images = new List<(string, byte[])>();
        foreach (var file in files)
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, cancellation).ConfigureAwait(false);
            try
            {
                images.Add((file.FileName, Preprocess.Square(buffer.ToArray(), config.Channels, config.ImageSize)));
            }
            catch (InvalidDataException e)
            {
                throw ApiError.BadRequest($"{file.FileName}: {e.Message}");
            }
        }

        return images;
    }

    /// <summary>Planar uint8 images as the model's (N, C, S, S) input in [-1, 1].</summary>
    public static Tensor ToModel(IReadOnlyList<(string Name, byte[] Pixels)> images, OGanConfig config, Device device)
    {
        var pixels = tensor(images.SelectMany(i => i.Pixels).ToArray(), [images.Count, config.Channels, config.ImageSize, config.ImageSize]);
        return Pixels.ToModel(pixels).to(device);
    }
}
