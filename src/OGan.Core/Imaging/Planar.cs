using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OGan.Imaging;

/// <summary>Between ImageSharp's interleaved images and planar (C, H, W) bytes.</summary>
internal static class Planar
{
    /// <summary>Planar bytes of <paramref name="channels"/> (1: ITU-R 601 luma, 3: RGB), alpha composited on black.</summary>
    public static byte[] From(Image<Rgba32> image, int channels)
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

    /// <summary>An image of interleaved (H, W, C) bytes, C 1, 3 or 4.</summary>
    public static Image ToImage(ReadOnlySpan<byte> interleaved, int channels, int width, int height) => channels switch
    {
        1 => Image.LoadPixelData<L8>(ImageCodec.Configuration, interleaved, width, height),
        3 => Image.LoadPixelData<Rgb24>(ImageCodec.Configuration, interleaved, width, height),
        4 => Image.LoadPixelData<Rgba32>(ImageCodec.Configuration, interleaved, width, height),
        _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1, 3 or 4"),
    };
}
