using OGan.Native;
using OGan.Tensors;

namespace OGan.Imaging;

/// <summary>Encoded image formats.</summary>
public enum ImageFormat
{
    /// <summary>Not an image OGan reads.</summary>
    Unknown = 0,

    /// <summary>JPEG, through libjpeg-turbo.</summary>
    Jpeg = 1,

    /// <summary>PNG, through libpng.</summary>
    Png = 2,

    /// <summary>WebP, through libwebp (quality 100 encodes losslessly).</summary>
    WebP = 3,
}

/// <summary>An image's format and size, read from its header alone.</summary>
public readonly record struct ImageHeader(ImageFormat Format, int Width, int Height);

/// <summary>
/// Decodes JPEG, PNG (grey, grey+alpha, RGB, RGBA, palette, 16-bit) and WebP; encodes all three. The
/// codecs are Debian's libjpeg-turbo, libpng and libwebp, reached through OGan's native library. Pixels are
/// uint8 (C, H, W) tensors; alpha is composited on black.
/// </summary>
public static class ImageCodec
{
    /// <summary>Images whose header claims more pixels than this are refused before anything is allocated.</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>The file extensions read as images, lower case.</summary>
    public static IReadOnlySet<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".webp" };

    /// <summary>Format and size from the header.</summary>
    /// <exception cref="InvalidDataException">Not a readable JPEG, PNG or WebP.</exception>
    public static unsafe ImageHeader Probe(ReadOnlySpan<byte> encoded)
    {
        fixed (byte* data = encoded)
        {
            try
            {
                NativeError.Check(NativeMethods.ogan_image_probe(data, encoded.Length, out var format, out var width, out var height));
                return new ImageHeader((ImageFormat)format, width, height);
            }
            catch (TorchException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
        }
    }

    /// <summary>
    /// Decodes to uint8 (<paramref name="channels"/>, H, W), grey (1) or RGB (3). With <paramref name="minSide"/>,
    /// a JPEG is decoded at the smallest DCT scale (down to 1/8) whose shorter side is still at least that.
    /// </summary>
    /// <exception cref="InvalidDataException">Corrupt, truncated, unsupported or too large.</exception>
    public static unsafe Tensor Decode(ReadOnlySpan<byte> encoded, int channels, int minSide = 0, long maxPixels = DefaultMaxPixels)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3");
        }

        fixed (byte* data = encoded)
        {
            try
            {
                return Tensor.Wrap(NativeMethods.ogan_image_decode(data, encoded.Length, channels, minSide, maxPixels));
            }
            catch (TorchException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
        }
    }

    /// <summary>Reads and decodes an image file, as <see cref="Decode"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a usable image; the message names it and says why.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static Tensor Read(string path, int channels, int minSide = 0, long maxPixels = DefaultMaxPixels)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{path}: no such image file", path, e);
        }

        try
        {
            return Decode(bytes, channels, minSide, maxPixels);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Encodes uint8 (C, H, W) pixels, C 1 to 4 for PNG, 1 or 3 for JPEG and WebP.</summary>
    public static byte[] Encode(Tensor pixels, ImageFormat format, int quality = 95)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        using var scope = DisposeScope.Enter();
        var interleaved = pixels.Permute(1, 2, 0);
        var encoded = Tensor.Wrap(NativeMethods.ogan_image_encode(interleaved.Handle, (int)format, quality));
        return encoded.ToArray<byte>();
    }

    /// <summary>Writes uint8 (C, H, W) pixels atomically, as JPEG for .jpg/.jpeg, WebP for .webp, else PNG.</summary>
    public static void Write(string path, Tensor pixels, int quality = 95) =>
        AtomicFile.WriteAllBytes(path, Encode(pixels, FormatOf(path), quality));

    /// <summary>The format a file name's extension asks for (PNG when it names none).</summary>
    public static ImageFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => ImageFormat.Jpeg,
        ".webp" => ImageFormat.WebP,
        _ => ImageFormat.Png,
    };
}
