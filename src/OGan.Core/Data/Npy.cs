using OGan.Files;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using OGan.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Data;

/// <summary>NumPy's .npy format (writes version 1.0, reads 1.0 to 3.0) for float tensors, so latents and codes move to and from Python.</summary>
public static partial class Npy
{
    internal static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes a tensor as little-endian float32, C order, atomically.</summary>
    public static void Write(string path, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var scope = NewDisposeScope();
        var values = tensor.detach().to(ScalarType.Float32, CPU).contiguous().data<float>().ToArray();
        var shape = tensor.shape;
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        var padded = header.PadRight((header.Length + 11 + 63) / 64 * 64 - 11) + "\n"; // whole header a multiple of 64 bytes
        using var stream = new MemoryStream();
        stream.Write(Magic);
        stream.Write([1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)padded.Length));
        stream.Write(Encoding.ASCII.GetBytes(padded));
        stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        AtomicFile.WriteAllBytes(path, stream.ToArray());
    }

    /// <summary>Reads a float32 or float64 array (C order) as a float32 tensor.</summary>
    /// <exception cref="InvalidDataException">Not a .npy file, or an array of another type or order.</exception>
    public static Tensor Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            return Parse(bytes);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or System.Runtime.InteropServices.ExternalException)
        {
            throw new InvalidDataException($"{path}: {e.Message.Split('\n', 2)[0].Trim()}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static Tensor Parse(byte[] bytes)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a .npy file");
        }

        var (headerLength, start) = bytes[6] switch
        {
            1 => ((long)BitConverter.ToUInt16(bytes, 8), 10),
            2 or 3 when bytes.Length >= 12 => (BitConverter.ToUInt32(bytes, 8), 12),
            var version => throw new InvalidDataException($"a .npy file of version {version}, which OGan does not read (1 to 3)"),
        };
        if (start + headerLength > bytes.Length)
        {
            throw new InvalidDataException("truncated .npy header");
        }

        var header = Encoding.ASCII.GetString(bytes, start, (int)headerLength);
        var descr = DescrPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !shapeMatch.Success || header.Contains("'fortran_order': True", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"expected a C-order float32 or float64 array, header {Printable(header)}");
        }

        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        var dtype = descr.Groups[1].Value switch
        {
            "<f4" => ScalarType.Float32,
            "<f8" => ScalarType.Float64,
            var other => throw new InvalidDataException($"holds {Printable(other)} values; latents must be float32 or float64"),
        };
        var data = bytes.AsSpan(start + (int)headerLength);
        var expected = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * (dtype == ScalarType.Float32 ? 4 : 8));
        if (shape.Length > 8 || data.Length != expected)
        {
            throw new InvalidDataException($"holds {data.Length} bytes of data, its shape [{string.Join(", ", shape)}] needs {expected}");
        }

        using var scope = NewDisposeScope();
        var result = empty(shape, dtype);
        result.bytes = data;
        return result.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    // A header as one line of at most 120 printable characters, whatever the file holds.
    private static string Printable(string header)
    {
        var text = new string([.. header.Trim().Select(c => c is >= ' ' and <= '~' ? c : '?')]);
        return text.Length <= 120 ? text : text[..120] + "...";
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
