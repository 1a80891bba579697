using OGan.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Imaging;

/// <summary>Writes image batches in [-1, 1] as PNG grids or one file each.</summary>
public static class ImageGrid
{
    private const int Border = 2;

    /// <summary>Writes (N, C, H, W) images in [-1, 1] as one PNG of <paramref name="columns"/> per row, with a 2-pixel white border.</summary>
    public static void Save(string path, Tensor images, int columns)
    {
        using var scope = NewDisposeScope();
        ImageCodec.Write(path, Tile(images, columns));
    }

    /// <summary>The grid of <see cref="Save"/> as PNG bytes, e.g. for an HTTP response.</summary>
    public static byte[] Encode(Tensor images, int columns)
    {
        using var scope = NewDisposeScope();
        return ImageCodec.Encode(Tile(images, columns), ImageFormat.Png);
    }

    /// <summary>The grid as uint8 (C, H, W) pixels.</summary>
    private static Tensor Tile(Tensor images, int columns)
    {
        ArgumentNullException.ThrowIfNull(images);
        long count = images.shape[0], channels = images.shape[1], height = images.shape[2], width = images.shape[3];
        columns = (int)Math.Max(1, Math.Min(columns, count));
        var rows = (count + columns - 1) / columns;
        var grid = HeldScalars.Full([channels, rows * (height + Border) + Border, columns * (width + Border) + Border], 255, ScalarType.Byte);
        var pixels = Pixels.FromModel(images);
        for (var n = 0; n < count; n++)
        {
            long top = Border + n / columns * (height + Border), left = Border + n % columns * (width + Border);
            grid[.., TensorIndex.Slice(top, top + height), TensorIndex.Slice(left, left + width)] = pixels[n];
        }

        return grid;
    }

    /// <summary>a[0], b[0], a[1], b[1], ...: two (N, C, H, W) batches interleaved, for side-by-side grids.</summary>
    public static Tensor Interleave(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = a.shape;
        return stack([a, b], 1).reshape(2 * shape[0], shape[1], shape[2], shape[3]);
    }

    /// <summary>Writes each of (N, C, H, W) images in [-1, 1] to its own file (PNG, or another format by extension).</summary>
    /// <exception cref="ArgumentException">The counts differ.</exception>
    public static void SaveEach(IReadOnlyList<string> paths, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(images);
        if (paths.Count != images.shape[0])
        {
            throw new ArgumentException($"{paths.Count} paths for {images.shape[0]} images");
        }

        using var scope = NewDisposeScope();
        var pixels = Pixels.FromModel(images);
        for (var i = 0; i < paths.Count; i++)
        {
            ImageCodec.Write(paths[i], pixels[i]);
        }
    }
}
