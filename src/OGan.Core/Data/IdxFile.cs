using System.Buffers.Binary;
using System.IO.Compression;

namespace OGan.Data;

/// <summary>An IDX file (MNIST's format): unsigned bytes with a shape. Gzipped files are read too.</summary>
internal sealed record IdxFile(int[] Shape, byte[] Data)
{
    private const long MaxElements = 1L << 31;

    /// <summary>Reads <paramref name="path"/> (.gz or plain).</summary>
    /// <exception cref="InvalidDataException">The file is not a ubyte IDX file; the message names it.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static IdxFile Read(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return Read(stream, path);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static IdxFile Read(Stream stream, string path)
    {
        Span<byte> header = stackalloc byte[4];
        stream.ReadExactly(header);
        if (header[0] != 0 || header[1] != 0 || header[2] != 0x08)
        {
            throw new InvalidDataException($"{path}: not an IDX file of unsigned bytes");
        }

        int dims = header[3];
        if (dims is < 1 or > 4)
        {
            throw new InvalidDataException($"{path}: IDX file with {dims} dimensions");
        }

        var shape = new int[dims];
        long count = 1;
        for (var i = 0; i < dims; i++)
        {
            stream.ReadExactly(header);
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(header);
            count *= shape[i];
            if (shape[i] < 0 || count > MaxElements)
            {
                throw new InvalidDataException($"{path}: implausible IDX shape");
            }
        }

        var data = new byte[count];
        try
        {
            stream.ReadExactly(data);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: truncated, expected {count} bytes of data", e);
        }

        return new IdxFile(shape, data);
    }
}
