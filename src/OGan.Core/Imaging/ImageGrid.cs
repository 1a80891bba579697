using OGan.Tensors;

namespace OGan.Imaging;

/// <summary>Turns image batches in [-1, 1] into 8-bit pixels and tiles them into grids.</summary>
public static class ImageGrid
{
    /// <summary>(N, C, H, W) floats in [-1, 1] to uint8 (N, H, W, C) pixels on the CPU.</summary>
    public static Tensor ToPixels(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = DisposeScope.Enter();
        var pixels = ((images.Detach().To(DType.Float32, Device.Cpu) + 1.0) * 127.5).Round().Clamp(0, 255)
            .To(DType.UInt8).Permute(0, 2, 3, 1).Contiguous();
        return pixels.MoveToOuterScope();
    }

    /// <summary>Writes (N, C, H, W) images in [-1, 1] as one PNG of <paramref name="columns"/> per row, with a 2-pixel border.</summary>
    public static void Save(string path, Tensor images, int columns)
    {
        using var scope = DisposeScope.Enter();
        var shape = images.Shape;
        int count = (int)shape[0], channels = (int)shape[1], height = (int)shape[2], width = (int)shape[3];
        columns = Math.Max(1, Math.Min(columns, count));
        var rows = (count + columns - 1) / columns;
        const int border = 2;
        int gridWidth = columns * (width + border) + border, gridHeight = rows * (height + border) + border;
        var grid = new byte[gridWidth * gridHeight * channels];
        Array.Fill(grid, (byte)255);
        var pixels = ToPixels(images).ToArray<byte>();
        var imageBytes = height * width * channels;
        for (var n = 0; n < count; n++)
        {
            int top = border + n / columns * (height + border), left = border + n % columns * (width + border);
            for (var y = 0; y < height; y++)
            {
                pixels.AsSpan(n * imageBytes + y * width * channels, width * channels)
                    .CopyTo(grid.AsSpan(((top + y) * gridWidth + left) * channels));
            }
        }

        var tensor = Torch.FromArray<byte>(grid, [gridHeight, gridWidth, channels]).Permute(2, 0, 1);
        ImageCodec.Write(path, tensor);
    }

    /// <summary>a[0], b[0], a[1], b[1], ...: two (N, C, H, W) batches interleaved, for side-by-side grids.</summary>
    public static Tensor Interleave(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = a.Shape;
        return Torch.Stack([a, b], 1).Reshape(2 * shape[0], shape[1], shape[2], shape[3]);
    }

    /// <summary>Writes each of (N, C, H, W) images in [-1, 1] to its own file (PNG, or JPEG/WebP by extension).</summary>
    public static void SaveEach(IReadOnlyList<string> paths, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(images);
        if (paths.Count != images.Size(0))
        {
            throw new ArgumentException($"{paths.Count} paths for {images.Size(0)} images");
        }

        using var scope = DisposeScope.Enter();
        var pixels = ToPixels(images);
        for (var i = 0; i < paths.Count; i++)
        {
            ImageCodec.Write(paths[i], pixels.Slice(0, i, i + 1).Squeeze(0).Permute(2, 0, 1));
        }
    }
}
