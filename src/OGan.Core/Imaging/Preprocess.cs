using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Imaging;

/// <summary>Turns decoded photos into training images: centre crop to a square, antialiased resize, channel count.</summary>
public static class Preprocess
{
    /// <summary>Reads an image file as uint8 (channels, size, size): centre-cropped to a square and resized.</summary>
    /// <exception cref="InvalidDataException">The file is not a usable image; the message names it.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static Tensor Load(string path, int channels, int size)
    {
        var pixels = ImageCodec.Named(path, () => Square(ImageCodec.ReadFile(path), channels, size));
        return tensor(pixels, [channels, size, size]);
    }

    /// <summary>
    /// Decodes <paramref name="length"/> bytes of <paramref name="encoded"/>, crops the largest centred square,
    /// resizes it to <paramref name="size"/> (a triangle filter as wide as the scale when shrinking, as PIL's
    /// antialiased bilinear) and returns planar uint8 (channels, size, size).
    /// </summary>
    /// <exception cref="InvalidDataException">Not a usable image.</exception>
    public static byte[] Square(byte[] encoded, int channels, int size, int length = -1)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return Square(encoded, channels, size, length < 0 ? encoded.Length : length, out _);
    }

    /// <summary>As <see cref="Square(byte[], int, int, int)"/>, also giving the side of the photo's square before resizing (under <paramref name="size"/>: enlarged).</summary>
    internal static byte[] Square(byte[] encoded, int channels, int size, int length, out int side)
    {
        using var image = ImageCodec.Load(encoded, length);
        side = SquareImage.CropAndResize(image, size);
        return SquareImage.Planar(image, channels);
    }

    /// <summary>As <see cref="Square(byte[], int, int, int)"/>, refusing images of more than <paramref name="maxPixels"/> pixels before decoding them.</summary>
    internal static byte[] Square(byte[] encoded, int channels, int size, long maxPixels)
    {
        using var image = ImageCodec.Load(encoded, encoded.Length, maxPixels);
        return Square(image, channels, size);
    }

    internal static byte[] Square(Image<Rgba32> image, int channels, int size)
    {
        SquareImage.CropAndResize(image, size);
        return SquareImage.Planar(image, channels);
    }
}
