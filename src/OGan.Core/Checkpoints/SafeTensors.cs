using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using OGan.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Checkpoints;

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
/// mapping names to dtype, shape and data offsets (plus "__metadata__" strings), then the raw little-endian data.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100L << 20;

    private static readonly Dictionary<ScalarType, string> Names = new()
    {
        [ScalarType.Float32] = "F32", [ScalarType.Float64] = "F64", [ScalarType.Float16] = "F16", [ScalarType.BFloat16] = "BF16",
        [ScalarType.Int64] = "I64", [ScalarType.Int32] = "I32", [ScalarType.Byte] = "U8", [ScalarType.Bool] = "BOOL",
    };

    /// <summary>Writes the tensors and metadata to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        var header = new JsonObject { ["__metadata__"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))) };
        long offset = 0;
        var sizes = new long[tensors.Count];
        for (var i = 0; i < tensors.Count; i++)
        {
            var (name, tensor) = tensors[i];
            sizes[i] = tensor.numel() * tensor.ElementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = Names[tensor.dtype],
                ["shape"] = new JsonArray([.. tensor.shape.Select(s => (JsonNode?)s)]),
                ["data_offsets"] = new JsonArray(offset, offset + sizes[i]),
            };
            offset += sizes[i];
        }

        var headerBytes = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (headerBytes.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, padded);
            stream.Write(length);
            stream.Write(headerBytes);
            for (var i = headerBytes.Length; i < padded; i++)
            {
                stream.WriteByte((byte)' ');
            }

            foreach (var (_, tensor) in tensors)
            {
                using var cpu = tensor.detach().cpu().contiguous();
                stream.Write(cpu.bytes);
            }
        });
    }

    /// <summary>Reads every tensor (on the CPU, owned by the caller) and the metadata.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file; the message names it and what is wrong.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            return Parse(bytes);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException or OverflowException or InvalidDataException)
        {
            throw new InvalidDataException($"{path} is not a valid safetensors file: {e.Message}", e);
        }
    }

    private static (Dictionary<string, Tensor>, Dictionary<string, string>) Parse(byte[] bytes)
    {
        if (bytes.Length < 8)
        {
            throw new InvalidDataException("shorter than its 8-byte header length");
        }

        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLength < 2 || headerLength > MaxHeaderBytes || headerLength > bytes.Length - 8)
        {
            throw new InvalidDataException($"header length {headerLength} does not fit the file's {bytes.Length} bytes");
        }

        var header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))?.AsObject()
            ?? throw new InvalidDataException("the header is not a JSON object");
        var data = bytes.AsMemory(8 + (int)headerLength);
        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (var (key, value) in node!.AsObject())
                    {
                        metadata[key] = value!.GetValue<string>();
                    }

                    continue;
                }

                var entry = node!.AsObject();
                var dtypeName = entry["dtype"]!.GetValue<string>();
                var match = Names.Where(n => n.Value == dtypeName).Select(n => (ScalarType?)n.Key).FirstOrDefault();
                var dtype = match ?? throw new InvalidDataException($"tensor '{name}' has unsupported dtype {dtypeName}");

                var shape = entry["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
                var expected = shape.Aggregate(1L, (a, s) => s < 0 ? throw new InvalidDataException($"tensor '{name}' has a negative size") : checked(a * s)) * ElementSize(dtype);
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] > data.Length || offsets[1] - offsets[0] != expected)
                {
                    throw new InvalidDataException($"tensor '{name}' has data offsets outside the file or of the wrong size (truncated?)");
                }

                var tensor = empty(shape, dtype);
                tensor.bytes = data.Span[(int)offsets[0]..(int)offsets[1]];
                tensors[name] = tensor.DetachFromDisposeScope();
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

    private static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 => 2,
        _ => 1,
    };
}
