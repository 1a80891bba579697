using OGan.Files;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Imaging;

/// <summary>Encoded image formats OGan reads.</summary>
public enum ImageFormat
{
    /// <summary>Not an image OGan reads.</summary>
    Unknown = 0,

    /// <summary>JPEG.</summary>
    Jpeg = 1,

    /// <summary>PNG (grey, RGB, alpha, palette, 16-bit).</summary>
    Png = 2,

    /// <summary>WebP (lossy or lossless).</summary>
    WebP = 3,

    /// <summary>BMP.</summary>
    Bmp = 4,

    /// <summary>GIF (its first frame).</summary>
    Gif = 5,
}

/// <summary>An image's format and size, read from its header alone.</summary>
public readonly record struct ImageHeader(ImageFormat Format, int Width, int Height);

/// <summary>
/// Decodes and encodes images through SixLabors.ImageSharp 2.1 with a configuration that knows PNG, JPEG,
/// WebP, BMP and GIF only (no TIFF, TGA or PBM: fewer decoders, fewer ways in for a crafted file). An image
/// whose header claims more than <see cref="DefaultMaxPixels"/> pixels is refused before anything is
/// allocated. Pixels are uint8 (C, H, W) tensors; alpha is composited on black.
/// </summary>
public static class ImageCodec
{
    /// <summary>Images whose header claims more pixels than this are refused before decoding.</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>The file extensions read as images, lower case.</summary>
    public static IReadOnlySet<string> Extensions { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif" };

    /// <summary>The ImageSharp configuration OGan decodes and encodes with: the five formats, a GIF's first frame only.</summary>
    internal static Configuration Configuration { get; } = CreateConfiguration();

    /// <summary>Format and size from the header.</summary>
    /// <exception cref="InvalidDataException">Not a readable PNG, JPEG, WebP, BMP or GIF.</exception>
    public static ImageHeader Probe(ReadOnlySpan<byte> encoded)
    {
        using var stream = new MemoryStream(encoded.ToArray(), writable: false);
        return Identify(stream);
    }

    /// <summary>Decodes to uint8 (<paramref name="channels"/>, H, W): grey (1, ITU-R 601 luma) or RGB (3).</summary>
    /// <exception cref="InvalidDataException">Corrupt, unsupported, or larger than <paramref name="maxPixels"/>.</exception>
    public static Tensor Decode(ReadOnlySpan<byte> encoded, int channels, long maxPixels = DefaultMaxPixels)
    {
        using var image = Load(encoded.ToArray(), encoded.Length, maxPixels);
        return tensor(SquareImage.Planar(image, channels), [channels, image.Height, image.Width]);
    }

    /// <summary>Reads and decodes an image file, as <see cref="Decode"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a usable image; the message names it and says why.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static Tensor Read(string path, int channels, long maxPixels = DefaultMaxPixels) =>
        Named(path, () => Decode(ReadFile(path), channels, maxPixels));

    /// <summary>Encodes uint8 (C, H, W) pixels, C 1 or 3 (4 for PNG), as <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentException">Not uint8 (C, H, W) pixels of 1, 3 or 4 channels.</exception>
    public static byte[] Encode(Tensor pixels, ImageFormat format, int quality = 95)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.dim() != 3 || pixels.dtype != ScalarType.Byte || pixels.shape[0] is not (1 or 3 or 4))
        {
            throw new ArgumentException($"expected uint8 (C, H, W) pixels with 1, 3 or 4 channels, got {pixels.dtype} [{string.Join(", ", pixels.shape)}]");
        }

        using var interleaved = pixels.permute(1, 2, 0).contiguous().cpu();
        int height = (int)pixels.shape[1], width = (int)pixels.shape[2];
        using var image = Planar.ToImage(interleaved.bytes, (int)pixels.shape[0], width, height);
        using var stream = new MemoryStream();
        image.Save(stream, Encoder(format, quality));
        return stream.ToArray();
    }

    /// <summary>Writes uint8 (C, H, W) pixels atomically, in the format the extension names (PNG when it names none).</summary>
    public static void Write(string path, Tensor pixels, int quality = 95) =>
        AtomicFile.WriteAllBytes(path, Encode(pixels, FormatOf(path), quality));

    /// <summary>The format a file name's extension asks for (PNG when it names none).</summary>
    public static ImageFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => ImageFormat.Jpeg,
        ".webp" => ImageFormat.WebP,
        ".bmp" => ImageFormat.Bmp,
        ".gif" => ImageFormat.Gif,
        _ => ImageFormat.Png,
    };

    /// <summary>Decodes <paramref name="length"/> bytes of <paramref name="buffer"/> as RGBA, checking the size in the header first.</summary>
    /// <exception cref="InvalidDataException">Not a usable image, or too large.</exception>
    internal static Image<Rgba32> Load(byte[] buffer, int length, long maxPixels = DefaultMaxPixels)
    {
        using var stream = new MemoryStream(buffer, 0, length, writable: false);
        var header = Identify(stream);
        if ((long)header.Width * header.Height > maxPixels)
        {
            throw new InvalidDataException($"{Name(header.Format)} of {header.Width}x{header.Height} pixels is over the limit of {maxPixels:N0} pixels");
        }

        if (header.Format == ImageFormat.Jpeg && !HasEndOfImage(buffer.AsSpan(0, length)))
        {
            // ImageSharp fills a cut JPEG's missing rows with grey without a word: half a photo would train.
            throw new InvalidDataException("truncated JPEG: no end-of-image marker after its scan");
        }

        stream.Position = 0;
        Image<Rgba32>? image = null;
        try
        {
            image = Image.Load<Rgba32>(Configuration, stream);
            image.Mutate(x => x.AutoOrient()); // EXIF orientation: the photo as a viewer shows it
            return image;
        }

        // A crafted file can make a decoder fail in any way (ImageSharp 2.1's JPEG decoder throws
        // NullReferenceException on some): every failure but running out of memory means a bad image.
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            image?.Dispose();
            throw new InvalidDataException($"damaged {Name(header.Format)}: {e.Message}", e);
        }
    }

    /// <summary>Runs <paramref name="action"/>, naming <paramref name="path"/> in its errors.</summary>
    internal static T Named<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>A file's bytes, with a one-line error when it is missing.</summary>
    internal static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{path}: no such image file", path, e);
        }
    }

    private static ImageHeader Identify(Stream stream)
    {
        if (stream.Length == 0)
        {
            throw new InvalidDataException("empty file, not an image");
        }

        var format = Image.DetectFormat(Configuration, stream);
        if (format is null)
        {
            throw new InvalidDataException("not a PNG, JPEG, WebP, BMP or GIF image");
        }

        IImageInfo? info;
        try
        {
            stream.Position = 0;
            info = Image.Identify(Configuration, stream);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            throw new InvalidDataException($"unreadable {format.Name} header: {e.Message}", e);
        }

        if (info is null || info.Width <= 0 || info.Height <= 0)
        {
            throw new InvalidDataException($"{format.Name} header claims {info?.Width ?? 0}x{info?.Height ?? 0} pixels");
        }

        var kind = format switch
        {
            JpegFormat => ImageFormat.Jpeg,
            PngFormat => ImageFormat.Png,
            WebpFormat => ImageFormat.WebP,
            BmpFormat => ImageFormat.Bmp,
            GifFormat => ImageFormat.Gif,
            _ => ImageFormat.Unknown,
        };
        return new ImageHeader(kind, info.Width, info.Height);
    }

    /// <summary>Whether a JPEG has its end-of-image marker after its first scan (FF D9 cannot occur inside entropy-coded data).</summary>
    private static bool HasEndOfImage(ReadOnlySpan<byte> jpeg)
    {
        var scan = jpeg.IndexOf([(byte)0xFF, (byte)0xDA]);
        return scan >= 0 && jpeg[scan..].IndexOf([(byte)0xFF, (byte)0xD9]) >= 0;
    }

    private static string Name(ImageFormat format) => format == ImageFormat.WebP ? "WebP" : format.ToString().ToUpperInvariant();

    private static IImageEncoder Encoder(ImageFormat format, int quality) => format switch
    {
        ImageFormat.Jpeg => new JpegEncoder { Quality = quality },
        ImageFormat.WebP => new WebpEncoder { Quality = quality, FileFormat = quality >= 100 ? WebpFileFormatType.Lossless : WebpFileFormatType.Lossy },
        ImageFormat.Bmp => new BmpEncoder(),
        ImageFormat.Gif => new GifEncoder(),
        _ => new PngEncoder(),
    };

    private static Configuration CreateConfiguration()
    {
        var configuration = new Configuration(
            new PngConfigurationModule(), new JpegConfigurationModule(), new WebpConfigurationModule(),
            new BmpConfigurationModule(), new GifConfigurationModule());
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
