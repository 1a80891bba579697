using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OGan.Imaging;

/// <summary>
/// A decoded photo to a model's input, in ImageSharp alone: the largest centred square, resized, then planar
/// bytes. Compiled into OGan.Core and OGan.Onnx (which has no TorchSharp), so both prepare photos alike.
/// </summary>
internal static class SquareImage
{
    /// <summary>
    /// Turns <paramref name="image"/> upright by its EXIF orientation, crops it to its largest centred square and
    /// resizes it to <paramref name="size"/> (a triangle filter as wide as the scale when shrinking, as PIL's
    /// antialiased bilinear). Returns the square's side before resizing: under <paramref name="size"/>, the photo was enlarged.
    /// </summary>
    public static int CropAndResize(Image image, int size)
    {
        image.Mutate(x => x.AutoOrient()); // EXIF orientation: the photo as a viewer shows it (a no-op once applied)
        var side = Math.Min(image.Width, image.Height);
        var crop = new Rectangle((image.Width - side) / 2, (image.Height - side) / 2, side, side);
        image.Mutate(x =>
        {
            if (side != image.Width || side != image.Height)
            {
                x.Crop(crop);
            }

            if (side != size)
            {
                x.Resize(new ResizeOptions { Size = new Size(size, size), Sampler = KnownResamplers.Triangle, Mode = ResizeMode.Stretch });
            }
        });
        return side;
    }

    /// <summary>Planar bytes of <paramref name="channels"/> (1: ITU-R 601 luma, 3: RGB), alpha composited on black.</summary>
    public static byte[] Planar(Image<Rgba32> image, int channels)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3");
        }

        int width = image.Width, height = image.Height, plane = width * height;
        var result = new byte[channels * plane];
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < width; x++)
                {
                    var p = row[x];
                    float a = p.A / 255f, r = p.R * a, g = p.G * a, b = p.B * a;
                    var i = y * width + x;
                    if (channels == 1)
                    {
                        result[i] = (byte)Math.Clamp(MathF.Round(0.299f * r + 0.587f * g + 0.114f * b), 0, 255);
                    }
                    else
                    {
                        result[i] = (byte)MathF.Round(r);
                        result[plane + i] = (byte)MathF.Round(g);
                        result[2 * plane + i] = (byte)MathF.Round(b);
                    }
                }
            }
        });
        return result;
    }
}
