using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OGan.Imaging;

/// <summary>Interleaved (H, W, C) bytes to ImageSharp images; SquareImage goes the other way, to planar bytes.</summary>
internal static class Planar
{
    /// <summary>An image of interleaved (H, W, C) bytes, C 1, 3 or 4.</summary>
    public static Image ToImage(ReadOnlySpan<byte> interleaved, int channels, int width, int height) => channels switch
    {
        1 => Image.LoadPixelData<L8>(ImageCodec.Configuration, interleaved, width, height),
        3 => Image.LoadPixelData<Rgb24>(ImageCodec.Configuration, interleaved, width, height),
        4 => Image.LoadPixelData<Rgba32>(ImageCodec.Configuration, interleaved, width, height),
        _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1, 3 or 4"),
    };
}
