using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Data;

/// <summary>
/// Square images of one size held as uint8 (N, C, S, S), in memory or in a memory-mapped prepared file,
/// with optional class labels; batches come out as float tensors in [-1, 1] (see <see cref="Imaging.Pixels"/>).
/// </summary>
public sealed class ImageSet : IDisposable
{
    private readonly PixelStore store;

    /// <summary>Takes <paramref name="pixels"/>: <paramref name="count"/> images of <paramref name="channels"/> x <paramref name="size"/> x <paramref name="size"/> bytes, planar.</summary>
    /// <exception cref="ArgumentException">The buffer's length does not match.</exception>
    public ImageSet(byte[] pixels, int count, int channels, int size, IReadOnlyList<long>? labels = null, string name = "images")
        : this(new MemoryPixels(pixels), count, channels, size, labels, name)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)count * channels * size * size)
        {
            throw new ArgumentException($"{pixels.Length} bytes are not {count} images of {channels}x{size}x{size}");
        }
    }

    internal ImageSet(PixelStore store, int count, int channels, int size, IReadOnlyList<long>? labels, string name)
    {
        if (labels is not null && labels.Count != count)
        {
            throw new ArgumentException($"{labels.Count} labels for {count} images");
        }

        this.store = store;
        Count = count;
        Channels = channels;
        Size = size;
        Labels = labels;
        Name = name;
    }

    /// <summary>What the images are (for logs).</summary>
    public string Name { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>1 or 3.</summary>
    public int Channels { get; }

    /// <summary>Side in pixels.</summary>
    public int Size { get; }

    /// <summary>Class labels, when the data set has them.</summary>
    public IReadOnlyList<long>? Labels { get; }

    /// <summary>
    /// The image files held back from this set by the holdout it was opened with (<see cref="DataSets.Open"/>), as
    /// full paths, sorted; null without one. A trainer lists them in its run folder's held-out.txt.
    /// </summary>
    public IReadOnlyList<string>? HeldOutNames { get; internal set; }

    private int ImageBytes => Channels * Size * Size;

    /// <summary>The images at <paramref name="indices"/> as uint8 (N, C, S, S) on the CPU.</summary>
    /// <exception cref="ObjectDisposedException">The set (and its mapping) is closed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the set.</exception>
    public Tensor PixelsAt(ReadOnlySpan<long> indices)
    {
        var batch = empty([indices.Length, Channels, Size, Size], ScalarType.Byte);
        var bytes = batch.bytes;
        for (var i = 0; i < indices.Length; i++)
        {
            var index = indices[i];
            if (index < 0 || index >= Count)
            {
                batch.Dispose();
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"image index outside 0..{Count - 1}");
            }

            store.Copy(index * ImageBytes, bytes.Slice(i * ImageBytes, ImageBytes));
        }

        return batch;
    }

    /// <summary>The images at <paramref name="indices"/> as float (N, C, S, S) in [-1, 1] on <paramref name="device"/>.</summary>
    public Tensor Batch(ReadOnlySpan<long> indices, Device device)
    {
        using var scope = NewDisposeScope();
        var pixels = PixelsAt(indices);
        if (device.type == DeviceType.CUDA)
        {
            // uint8 crosses the bus (4x less than float), from pinned memory, without waiting for the GPU.
            pixels = pixels.pin_memory().to(device, non_blocking: true);
        }

        return Imaging.Pixels.ToModel(pixels).MoveToOuterDisposeScope();
    }

    /// <summary>Images start..end-1 as <see cref="Batch"/>.</summary>
    public Tensor Range(int start, int end, Device device)
    {
        var indices = new long[end - start];
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = start + i;
        }

        return Batch(indices, device);
    }

    /// <summary>The first <paramref name="count"/> images, as <see cref="Batch"/>.</summary>
    public Tensor First(int count, Device device) => Range(0, Math.Min(count, Count), device);

    /// <summary>The first <paramref name="count"/> images in order, in batches of <paramref name="batchSize"/>, made one at a time; the caller owns each.</summary>
    public IEnumerable<Tensor> Batches(int count, int batchSize, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var end = Math.Min(count, Count);
        for (var start = 0; start < end; start += batchSize)
        {
            yield return Range(start, Math.Min(start + batchSize, end), device).DetachFromDisposeScope();
        }
    }

    /// <summary>
    /// <paramref name="count"/> images drawn without replacement by <paramref name="seed"/> (the same ones for
    /// the same seed), in batches of <paramref name="batchSize"/>: a sample of the whole set, whatever its file
    /// order (folders sorted by class would give one class first). The caller owns each batch.
    /// </summary>
    public IEnumerable<Tensor> Sample(int count, int batchSize, ulong seed, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long[] order;
        using (var random = new torch.Generator(seed))
        using (var permutation = randperm(Count, generator: random))
        {
            order = permutation.data<long>().ToArray();
        }

        var end = Math.Min(count, Count);
        for (var start = 0; start < end; start += batchSize)
        {
            yield return Batch(order.AsSpan(start, Math.Min(batchSize, end - start)), device).DetachFromDisposeScope();
        }
    }

    /// <summary>Frees the pixels (closes the mapping of a prepared file).</summary>
    public void Dispose() => store.Dispose();
}
