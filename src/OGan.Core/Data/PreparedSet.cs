using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OGan.Files;

namespace OGan.Data;

/// <summary>What a prepared file holds, stored as JSON in its header.</summary>
public sealed record PreparedHeader(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("size")] int Size,
    [property: JsonPropertyName("channels")] int Channels,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("skipped")] int Skipped)
{
    /// <summary>The names, sizes and times of the source's files when it was prepared (SHA-256), or null when unknown.</summary>
    [JsonPropertyName("fingerprint")]
    public string? Fingerprint { get; init; }

    /// <summary>How many of the images were smaller than <see cref="Size"/> (their centred square) and were enlarged, so look blurred.</summary>
    [JsonPropertyName("enlarged")]
    public int Enlarged { get; init; }
}

/// <summary>The outcome of preparing a data set: images kept, and the bad ones skipped (the first few named with their reason).</summary>
public sealed record PrepareReport(string Path, PreparedHeader Header, IReadOnlyList<string> FirstFailures)
{
    /// <summary>The first image that was smaller than the size and was enlarged, with its side in pixels, or null.</summary>
    public string? FirstEnlarged { get; init; }
}

/// <summary>
/// A data set decoded and resized once into one file of uint8 (N, C, S, S) pixels, memory-mapped at
/// training time, so a 1024 px data set is not decoded again every epoch. Layout: the magic "OGANPREP",
/// a little-endian int32 header length, the JSON <see cref="PreparedHeader"/>, zero padding to 4096 bytes,
/// then the pixels.
/// </summary>
public static class PreparedSet
{
    /// <summary>The file extension of prepared files.</summary>
    public const string Extension = ".ogan-data";

    private const int DataOffset = 4096;
    private static readonly byte[] Magic = "OGANPREP"u8.ToArray();

    /// <summary>Decodes every image of <paramref name="source"/> on all cores and writes the prepared file atomically.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="source">The images.</param>
    /// <param name="size">Side of the square images, in pixels.</param>
    /// <param name="channels">1 (grey) or 3 (RGB).</param>
    /// <param name="progress">Told the number of images handled so far, now and then.</param>
    /// <param name="cancellation">Stops the work; nothing is left behind.</param>
    /// <exception cref="InvalidDataException">No image of the source could be used.</exception>
    public static PrepareReport Create(string path, IImageSource source, int size, int channels, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var failures = new List<string>();
        var fingerprint = SourceFingerprint.Of(source); // before reading: a file changed meanwhile is noticed next time
        int count = 0, skipped = 0, enlarged = 0;
        string? firstEnlarged = null;
        PreparedHeader? header = null;

        // The temporary file is per process: the processes of a data-parallel job on one machine may prepare the same file at once (the last rename wins; the files are the same).
        AtomicFile.Write(path, stream =>
        {
            stream.Position = DataOffset;
            foreach (var image in ParallelDecoder.Decode(source.Images(), channels, size, cancellation: cancellation))
            {
                if (image.Pixels is null)
                {
                    skipped++;
                    if (failures.Count < 5)
                    {
                        failures.Add($"{image.Name} ({image.Error})");
                    }
                }
                else
                {
                    stream.Write(image.Pixels);
                    count++;
                    if (image.Side < size)
                    {
                        enlarged++;
                        firstEnlarged ??= $"{image.Name}, {image.Side} px across";
                    }
                }

                if ((count + skipped) % 256 == 0)
                {
                    progress?.Report(count + skipped);
                }
            }

            if (count == 0)
            {
                throw new InvalidDataException(skipped == 0
                    ? $"{source.Description}: no images found (looked for .jpg, .jpeg, .png, .webp, .bmp and .gif)"
                    : $"{source.Description}: none of its {skipped} images could be read; the first: {failures[0]}");
            }

            header = new PreparedHeader(source.Description, size, channels, count, skipped) { Fingerprint = fingerprint, Enlarged = enlarged };
            var json = JsonSerializer.SerializeToUtf8Bytes(header);
            stream.Position = 0;
            stream.Write(Magic);
            stream.Write(BitConverter.GetBytes(json.Length));
            stream.Write(json);
        });
        return new PrepareReport(path, header!, failures) { FirstEnlarged = firstEnlarged };
    }

    /// <summary>Reads the header of a prepared file.</summary>
    /// <exception cref="InvalidDataException">The file is not a prepared data set, or is damaged.</exception>
    public static PreparedHeader ReadHeader(string path)
    {
        using var stream = File.OpenRead(path);
        var start = new byte[12];
        if (stream.ReadAtLeast(start, 12, throwOnEndOfStream: false) < 12 || !start.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path}: not a prepared OGan data set (made by `ogan prepare`)");
        }

        var length = BitConverter.ToInt32(start, 8);
        if (length is <= 0 or > DataOffset - 12)
        {
            throw new InvalidDataException($"{path}: damaged header");
        }

        var json = new byte[length];
        PreparedHeader header;
        long expected;
        try
        {
            stream.ReadExactly(json);
            header = JsonSerializer.Deserialize<PreparedHeader>(json) ?? throw new InvalidDataException("null");
            if (header.Count < 0 || header.Channels is not (1 or 3) || header.Size is < 1 or > 65536 || header.Source is null)
            {
                throw new InvalidDataException("values out of range");
            }

            expected = checked(DataOffset + ((long)header.Count * header.Channels * header.Size * header.Size));
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException or OverflowException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: damaged header ({e.Message.Split('\n')[0]}); prepare it again", e);
        }

        if (stream.Length != expected)
        {
            throw new InvalidDataException($"{path}: holds {stream.Length} bytes but its header promises {expected}; prepare it again");
        }

        return header;
    }

    /// <summary>
    /// Memory-maps a prepared file as an <see cref="ImageSet"/> without reading it into memory. With
    /// <paramref name="size"/> or <paramref name="channels"/>, a file prepared otherwise is refused.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a prepared file, damaged, or prepared at another size or channel count.</exception>
    public static ImageSet Open(string path, int? size = null, int? channels = null)
    {
        var header = ReadHeader(path);
        if ((size is not null && size != header.Size) || (channels is not null && channels != header.Channels))
        {
            throw new InvalidDataException(
                $"{path} holds {header.Channels}x{header.Size}x{header.Size} images of {header.Source}, not {channels ?? header.Channels}x{size ?? header.Size}x{size ?? header.Size}; prepare it again at this size");
        }

        var name = $"{header.Source} ({System.IO.Path.GetFileName(path)})";
        return new ImageSet(new MappedPixels(path, DataOffset), header.Count, header.Channels, header.Size, null, name);
    }
}
