using System.Buffers.Binary;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Data;

/// <summary>
/// A float32 .npy of (N, columns) written a batch of rows at a time, so that memory stays flat whatever N:
/// rows go to a temporary file beside the target, and <see cref="Complete"/> writes the header with the final
/// N and renames it over the target.
/// </summary>
internal sealed class NpyWriter : IDisposable
{
    private const int HeaderBytes = 128; // magic, version, length and a header padded for any N
    private readonly string path;
    private readonly string temporary;
    private readonly long columns;
    private readonly FileStream stream;
    private long rows;

    public NpyWriter(string path, long columns)
    {
        this.path = Path.GetFullPath(path);
        this.columns = columns;
        Directory.CreateDirectory(Path.GetDirectoryName(this.path)!);
        temporary = $"{this.path}.tmp-{Environment.ProcessId}";
        stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write(new byte[HeaderBytes]);
    }

    /// <summary>Appends (n, columns) rows.</summary>
    /// <exception cref="ArgumentException">The rows have another width.</exception>
    public void Append(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.dim() != 2 || batch.shape[1] != columns)
        {
            throw new ArgumentException($"rows of {columns} values expected, got [{string.Join(", ", batch.shape)}]");
        }

        using var cpu = batch.detach().to(ScalarType.Float32, CPU).contiguous();
        cpu.WriteBytesToStream(stream, 1 << 20);
        rows += batch.shape[0];
    }

    /// <summary>Writes the header for the rows appended and puts the file in place.</summary>
    public void Complete()
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}".PadRight(HeaderBytes - 10 - 1) + "\n";
        var start = new byte[HeaderBytes];
        Npy.Magic.CopyTo(start, 0);
        start[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(start.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header).CopyTo(start, 10);
        stream.Position = 0;
        stream.Write(start);
        stream.Flush(flushToDisk: true);
        stream.Dispose();
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Closes the file; without <see cref="Complete"/>, removes it and leaves the target as it was.</summary>
    public void Dispose()
    {
        stream.Dispose();
        if (File.Exists(temporary))
        {
            File.Delete(temporary);
        }
    }
}
