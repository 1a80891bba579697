using System.IO.MemoryMappedFiles;

namespace OGan.Data;

/// <summary>Where an <see cref="ImageSet"/>'s bytes live. Reading after disposal throws instead of touching freed memory.</summary>
internal abstract class PixelStore : IDisposable
{
    public abstract void Copy(long offset, Span<byte> destination);

    public abstract void Dispose();
}

/// <summary>Pixels in a managed array.</summary>
internal sealed class MemoryPixels(byte[] pixels) : PixelStore
{
    private byte[]? pixels = pixels;

    public override void Copy(long offset, Span<byte> destination)
    {
        var source = pixels ?? throw new ObjectDisposedException(nameof(ImageSet));
        source.AsSpan((int)offset, destination.Length).CopyTo(destination);
    }

    public override void Dispose() => pixels = null;
}

/// <summary>Pixels in a memory-mapped file, from <c>dataOffset</c> on.</summary>
internal sealed unsafe class MappedPixels : PixelStore
{
    private readonly MemoryMappedFile file;
    private readonly MemoryMappedViewAccessor view;
    private readonly long length;
    private byte* start;

    public MappedPixels(string path, long dataOffset)
    {
        file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            start = pointer + view.PointerOffset + dataOffset;
            length = (long)view.SafeMemoryMappedViewHandle.ByteLength - view.PointerOffset - dataOffset;
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    public override void Copy(long offset, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(start == null, typeof(ImageSet));
        if (offset < 0 || offset + destination.Length > length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "outside the mapped pixels");
        }

        new ReadOnlySpan<byte>(start + offset, destination.Length).CopyTo(destination);
    }

    public override void Dispose()
    {
        if (start == null)
        {
            return;
        }

        start = null;
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        file.Dispose();
    }
}
