using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OGan.Files;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Checkpoints;

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
/// mapping names to dtype, shape and data offsets (plus "__metadata__" strings), then the raw little-endian data.
/// OGan adds a SHA-256 of the whole file to the metadata (<see cref="DigestKey"/>), computed with its own 64 hex
/// digits read as '0'; files are read and written in a stream, so they may exceed 2 GiB.
/// </summary>
public static class SafeTensors
{
    /// <summary>The metadata key of the file's SHA-256 (lower-case hex).</summary>
    public const string DigestKey = "sha256";

    private const long MaxHeaderBytes = 16L << 20; // parsed as one JSON tree: OGan's headers take a few kB, a model of 100,000 tensors under 16 MB
    private const int MaxDimensions = 8;
    private const int BufferBytes = 1 << 20;
    private static readonly string DigestPlaceholder = new('0', 64);

    private static readonly Dictionary<ScalarType, string> Names = new()
    {
        [ScalarType.Float32] = "F32", [ScalarType.Float64] = "F64", [ScalarType.Float16] = "F16", [ScalarType.BFloat16] = "BF16",
        [ScalarType.Int64] = "I64", [ScalarType.Int32] = "I32", [ScalarType.Byte] = "U8", [ScalarType.Bool] = "BOOL",
    };

    /// <summary>Writes the tensors, the metadata and the file's digest to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">The metadata uses <see cref="DigestKey"/>, or a tensor's dtype has no safetensors name.</exception>
    public static void Save(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.ContainsKey(DigestKey))
        {
            throw new ArgumentException($"the metadata key '{DigestKey}' is the file's digest, written by Save");
        }

        var meta = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))) { [DigestKey] = DigestPlaceholder };
        var header = new JsonObject { ["__metadata__"] = meta };
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            var size = checked(tensor.numel() * tensor.ElementSize);
            header[name] = new JsonObject
            {
                ["dtype"] = Names.TryGetValue(tensor.dtype, out var dtype) ? dtype : throw new ArgumentException($"tensor '{name}' has dtype {tensor.dtype}, which OGan does not write"),
                ["shape"] = new JsonArray([.. tensor.shape.Select(s => (JsonNode?)s)]),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var headerBytes = new byte[(json.Length + 7) / 8 * 8];
        json.CopyTo(headerBytes, 0);
        headerBytes.AsSpan(json.Length).Fill((byte)' ');
        var digestAt = 8 + DigestPosition(headerBytes, DigestPlaceholder);
        AtomicFile.Write(path, stream =>
        {
            using var hashing = new HashingStream(stream);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, headerBytes.Length);
            hashing.Write(length);
            hashing.Write(headerBytes);
            foreach (var (_, tensor) in tensors)
            {
                using var cpu = tensor.detach().cpu().contiguous();
                if (cpu.numel() > 0)
                {
                    cpu.WriteBytesToStream(hashing, BufferBytes);
                }
            }

            stream.Position = digestAt;
            stream.Write(Encoding.ASCII.GetBytes(hashing.HexDigest()));
        });
    }

    /// <summary>
    /// Reads every tensor (on the CPU, owned by the caller) and the metadata, checking the digest when the file has
    /// one (files written before OGan added it have none: check <c>Metadata.ContainsKey(DigestKey)</c>).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is damaged or not a safetensors file; the one-line message names it and what is wrong.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path) => Guarded(path, Read);

    /// <summary>The metadata alone, from the header (the digest is not checked: that needs the whole file).</summary>
    /// <exception cref="InvalidDataException">The file is not a safetensors file.</exception>
    internal static Dictionary<string, string> LoadMetadata(string path) => Guarded(path, stream => ReadMetadata(ReadHeader(stream).Header));

    private static T Guarded<T>(string path, Func<FileStream, T> read)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes);
        try
        {
            return read(stream);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException
                                      or ArgumentException or OverflowException or InvalidDataException or EndOfStreamException
                                      or ExternalException or OutOfMemoryException)
        {
            var reason = e.Message.Split('\n', 2)[0].Trim();
            throw new InvalidDataException($"{path} is damaged or not a safetensors file: {reason}", e);
        }
    }

    /// <summary>The 8 length bytes, the header's bytes and the header parsed; the stream is left at the data.</summary>
    private static (byte[] Length, byte[] Bytes, JsonObject Header) ReadHeader(FileStream stream)
    {
        var length = new byte[8];
        if (stream.Length < 8)
        {
            throw new InvalidDataException("shorter than its 8-byte header length");
        }

        stream.ReadExactly(length);
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(length);
        if (headerLength < 2 || headerLength > MaxHeaderBytes || headerLength > stream.Length - 8)
        {
            throw new InvalidDataException($"header length {headerLength} does not fit the file's {stream.Length} bytes");
        }

        var bytes = new byte[headerLength];
        stream.ReadExactly(bytes);
        return (length, bytes, JsonNode.Parse(bytes)?.AsObject() ?? throw new InvalidDataException("the header is not a JSON object"));
    }

    private static (Dictionary<string, Tensor>, Dictionary<string, string>) Read(FileStream stream)
    {
        var (length, headerBytes, header) = ReadHeader(stream);
        var metadata = ReadMetadata(header);
        var entries = ReadEntries(header, stream.Length - stream.Position);

        using var hashing = new HashingStream(stream);
        hashing.Append(length);
        if (metadata.TryGetValue(DigestKey, out var digest))
        {
            if (digest.Length != 64 || !digest.All(char.IsAsciiHexDigitLower))
            {
                throw new InvalidDataException($"its digest '{digest}' is not 64 lower-case hex digits");
            }

            var position = DigestPosition(headerBytes, digest);
            Encoding.ASCII.GetBytes(DigestPlaceholder).CopyTo(headerBytes, position);
        }

        hashing.Append(headerBytes);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var entry in entries)
            {
                var tensor = empty(entry.Shape, entry.Dtype);
                tensors[entry.Name] = tensor.DetachFromDisposeScope();
                if (entry.End > entry.Begin)
                {
                    tensor.ReadBytesFromStream(hashing, BufferBytes);
                }
            }

            if (digest is not null && hashing.HexDigest() != digest)
            {
                throw new InvalidDataException("its contents do not match the SHA-256 in its header (changed or damaged bytes); use another copy or an earlier checkpoint");
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw;
        }

        return (tensors, metadata);
    }

    private static Dictionary<string, string> ReadMetadata(JsonObject header)
    {
        var metadata = new Dictionary<string, string>();
        if (header["__metadata__"] is { } node)
        {
            foreach (var (key, value) in node.AsObject())
            {
                metadata[key] = value?.GetValue<string>() ?? throw new InvalidDataException($"metadata '{key}' is null");
            }
        }

        return metadata;
    }

    private sealed record Entry(string Name, ScalarType Dtype, long[] Shape, long Begin, long End);

    /// <summary>The tensors in data order, checked to tile the data section exactly, as the format requires.</summary>
    private static List<Entry> ReadEntries(JsonObject header, long dataLength)
    {
        var entries = new List<Entry>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            var entry = node?.AsObject() ?? throw new InvalidDataException($"tensor '{name}' is null");
            var dtypeName = entry["dtype"]?.GetValue<string>() ?? throw new InvalidDataException($"tensor '{name}' has no dtype");
            var dtype = Names.Where(n => n.Value == dtypeName).Select(n => (ScalarType?)n.Key).FirstOrDefault()
                ?? throw new InvalidDataException($"tensor '{name}' has unsupported dtype {dtypeName}");
            var shape = (entry["shape"] ?? throw new InvalidDataException($"tensor '{name}' has no shape")).AsArray().Select(s => s!.GetValue<long>()).ToArray();
            var offsets = (entry["data_offsets"] ?? throw new InvalidDataException($"tensor '{name}' has no data offsets")).AsArray().Select(s => s!.GetValue<long>()).ToArray();
            if (shape.Length > MaxDimensions || shape.Any(s => s < 0))
            {
                throw new InvalidDataException($"tensor '{name}' has shape [{string.Join(", ", shape)}]: sizes must not be negative, at most {MaxDimensions} of them");
            }

            var bytes = checked(shape.Aggregate(1L, (a, s) => checked(a * s)) * ElementSize(dtype));
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] - offsets[0] != bytes)
            {
                throw new InvalidDataException($"tensor '{name}' has data offsets [{string.Join(", ", offsets)}] that do not fit its {bytes} bytes");
            }

            entries.Add(new Entry(name, dtype, shape, offsets[0], offsets[1]));
        }

        entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        long end = 0;
        foreach (var entry in entries)
        {
            if (entry.Begin != end)
            {
                throw new InvalidDataException($"tensor '{entry.Name}' starts at byte {entry.Begin} of the data, not where the one before ends ({end})");
            }

            end = entry.End;
        }

        if (end != dataLength)
        {
            throw new InvalidDataException($"the tensors cover {end} bytes of data but the file holds {dataLength} (truncated or padded?)");
        }

        return entries;
    }

    /// <summary>Where the digest's 64 digits start in the header: after the first quote of <c>"digest"</c>.</summary>
    private static int DigestPosition(byte[] header, string digest)
    {
        var quoted = Encoding.ASCII.GetBytes($"\"{digest}\"");
        var index = header.AsSpan().IndexOf(quoted);
        return index >= 0 ? index + 1 : throw new InvalidDataException("its digest is not written as a plain JSON string");
    }

    private static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 => 2,
        _ => 1,
    };
}
