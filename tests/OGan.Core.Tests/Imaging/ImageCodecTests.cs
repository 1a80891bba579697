using OGan.Imaging;

namespace OGan.Core.Tests.Imaging;

/// <summary>Decoding and encoding through ImageSharp, on real photos and on files made to break.</summary>
public sealed class ImageCodecTests
{
    [Fact]
    public void A_real_1024_px_JPEG_decodes_in_colour_and_grey()
    {
        using var scope = NewDisposeScope();
        var path = Fixtures.SharedPhotos("celeba-hq").First();
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new ImageHeader(ImageFormat.Jpeg, 1024, 1024), ImageCodec.Probe(bytes));
        var colour = ImageCodec.Decode(bytes, 3);
        Assert.Equal([3L, 1024, 1024], colour.shape);
        var grey = ImageCodec.Decode(bytes, 1);
        Assert.Equal([1L, 1024, 1024], grey.shape);

        // Grey is ITU-R 601 luma of the colour pixels, and a face photo is neither flat nor saturated.
        var luma = (colour.to(ScalarType.Float32) * tensor(new float[] { 0.299f, 0.587f, 0.114f }, [3, 1, 1])).sum(0, keepdim: true);
        Assert.True(MeanAbsoluteDifference(grey, luma) < 0.6, "grey decode differs from the luma of the colour decode");
        Assert.InRange(colour.to(ScalarType.Float32).std().ToDouble(), 20, 120);
    }

    [Theory]
    [InlineData(ImageFormat.Png, 0.0)]
    [InlineData(ImageFormat.WebP, 0.0)]
    [InlineData(ImageFormat.Bmp, 0.0)]
    [InlineData(ImageFormat.Jpeg, 3.0)]
    public void Encoding_a_photo_and_decoding_it_gives_it_back(ImageFormat format, double tolerance)
    {
        using var scope = NewDisposeScope();
        var path = Fixtures.SharedPhotos("afhq").First();
        var photo = Preprocess.Load(path, 3, 128);
        var lossless = format == ImageFormat.WebP ? 100 : 95;
        var encoded = ImageCodec.Encode(photo, format, lossless);
        Assert.Equal(format, ImageCodec.Probe(encoded).Format);
        var again = ImageCodec.Decode(encoded, 3);
        Assert.Equal(photo.shape, again.shape);
        Assert.True(MeanAbsoluteDifference(photo, again) <= tolerance, $"{format} round trip differs by more than {tolerance}");
        var grey = Preprocess.Load(path, 1, 128);
        Assert.Equal([1L, 128, 128], ImageCodec.Decode(ImageCodec.Encode(grey, format, lossless), 1).shape);
    }

    [Fact]
    public void A_GIF_decodes_its_first_frame()
    {
        using var scope = NewDisposeScope();
        var pixels = tensor(Enumerable.Range(0, 64).Select(i => (byte)(i % 2 == 0 ? 0 : 255)).ToArray(), [1, 8, 8]);
        var gif = ImageCodec.Encode(pixels, ImageFormat.Gif);
        Assert.Equal(new ImageHeader(ImageFormat.Gif, 8, 8), ImageCodec.Probe(gif));
        Assert.Equal(pixels.data<byte>().ToArray(), ImageCodec.Decode(gif, 1).data<byte>().ToArray());
    }

    [Fact]
    public void Every_PNG_colour_type_decodes_to_the_same_pixels()
    {
        using var scope = NewDisposeScope();
        const int w = 3, h = 2;
        byte[] grey = [0, 60, 120, 180, 240, 255];
        byte[] rgb = [.. grey.SelectMany(v => new[] { v, (byte)(255 - v), (byte)(v / 2) })];
        Assert.Equal(grey, Decode(PngFixture.Encode(grey, w, h, 0), 1));
        Assert.Equal(rgb, Decode(PngFixture.Encode(rgb, w, h, 2), 3));
        Assert.Equal(rgb, Decode(PngFixture.Encode([0, 1, 2, 3, 4, 5], w, h, 3, palette: rgb), 3));

        // 16-bit: the high byte carries the value (v * 257 is exact in 16 bits).
        var wide = grey.SelectMany(v => new[] { v, v }).ToArray();
        Assert.Equal(grey, Decode(PngFixture.Encode(wide, w, h, 0, bitDepth: 16), 1));

        // Alpha composites on black: opaque pixels keep their value, transparent ones turn black.
        var greyAlpha = grey.SelectMany((v, i) => new[] { v, (byte)(i % 2 == 0 ? 255 : 0) }).ToArray();
        var expected = grey.Select((v, i) => i % 2 == 0 ? v : (byte)0).ToArray();
        Assert.Equal(expected, Decode(PngFixture.Encode(greyAlpha, w, h, 4), 1));
        var rgba = rgb.Chunk(3).SelectMany((p, i) => p.Append((byte)(i % 2 == 0 ? 255 : 0))).ToArray();
        var expectedRgb = rgb.Chunk(3).SelectMany((p, i) => i % 2 == 0 ? p : new byte[3]).ToArray();
        Assert.Equal(expectedRgb, Decode(PngFixture.Encode(rgba, w, h, 6), 3));
    }

    [Fact]
    public void Broken_files_are_refused_with_a_reason_and_no_crash()
    {
        var jpeg = File.ReadAllBytes(Fixtures.SharedPhotos("afhq").First());
        AssertRefused([], "empty");
        AssertRefused("hello, this is text"u8.ToArray(), "not a PNG, JPEG, WebP, BMP or GIF");
        AssertRefused("II*\0 a TIFF header, a format OGan does not read"u8.ToArray(), "not a PNG, JPEG, WebP, BMP or GIF");
        AssertRefused(jpeg[..40], "JPEG");
        var garbage = (byte[])jpeg.Clone();
        Array.Fill(garbage, (byte)0x5A, 200, garbage.Length - 200);
        AssertRefused(garbage, "JPEG");

        // Headers that claim enormous images are refused before any allocation.
        AssertRefused(PngFixture.WithClaimedSize(PngFixture.Encode(new byte[3], 3, 1, 0), 100_000, 100_000), "limit");
        var bigJpeg = (byte[])jpeg.Clone();
        var sof = FindStartOfFrame(bigJpeg);
        bigJpeg[sof + 5] = 0xEA; bigJpeg[sof + 6] = 0x60; // height 60,000
        bigJpeg[sof + 7] = 0xEA; bigJpeg[sof + 8] = 0x60; // width 60,000
        AssertRefused(bigJpeg, "limit");

        // A JPEG cut in half would decode as far as its data goes, the rest grey: it is refused as truncated.
        using var whole = ImageCodec.Decode(jpeg, 3);
        AssertRefused(jpeg[..(jpeg.Length / 2)], "truncated JPEG");
    }

    [Fact]
    public void Reading_a_bad_file_names_it()
    {
        var folder = Fixtures.TemporaryFolder();
        var path = Path.Combine(folder, "notes.png");
        File.WriteAllText(path, "not an image");
        var error = Assert.Throws<InvalidDataException>(() => ImageCodec.Read(path, 3));
        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => ImageCodec.Read(Path.Combine(folder, "missing.jpg"), 3));
    }

    private static byte[] Decode(byte[] encoded, int channels)
    {
        using var image = ImageCodec.Decode(encoded, channels);
        using var scope = NewDisposeScope();
        return image.permute(1, 2, 0).contiguous().data<byte>().ToArray();
    }

    private static void AssertRefused(byte[] bytes, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(bytes, 3));
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static int FindStartOfFrame(byte[] jpeg)
    {
        for (var i = 2; i + 9 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                return i;
            }
        }

        throw new InvalidDataException("no SOF marker");
    }

    internal static double MeanAbsoluteDifference(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().mean().ToDouble();
    }
}
