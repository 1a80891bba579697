using OGan.Tensors;

namespace OGan.Data;

/// <summary>
/// Images held in memory as uint8 (N, C, H, W), square, with optional class labels; batches come out as
/// float in [-1, 1] (x / 127.5 - 1, as the author's x / 255 * 2 - 1).
/// </summary>
public sealed class ImageSet : IDisposable
{
    private readonly IDisposable? storage;

    /// <summary>
    /// Takes ownership of <paramref name="pixels"/>, a uint8 (N, C, S, S) tensor, and of <paramref name="storage"/>,
    /// the memory under it when the tensor does not own its memory (a mapped file), disposed after it.
    /// </summary>
    public ImageSet(Tensor pixels, long[]? labels = null, string name = "images", IDisposable? storage = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        var shape = pixels.Shape;
        if (shape.Length != 4 || shape[2] != shape[3] || pixels.DType != DType.UInt8)
        {
            throw new ArgumentException($"an image set holds uint8 (N, C, S, S) pixels, got {pixels}");
        }

        Pixels = pixels.DetachFromScope();
        this.storage = storage;
        Labels = labels;
        Name = name;
        Count = (int)shape[0];
        Channels = (int)shape[1];
        Size = (int)shape[2];
    }

    /// <summary>What the images are (for logs).</summary>
    public string Name { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>1 or 3.</summary>
    public int Channels { get; }

    /// <summary>Side in pixels.</summary>
    public int Size { get; }

    /// <summary>uint8 (N, C, S, S).</summary>
    public Tensor Pixels { get; }

    /// <summary>Class labels, when the data set has them.</summary>
    public IReadOnlyList<long>? Labels { get; }

    /// <summary>The images at <paramref name="indices"/> (an int64 tensor) as float in [-1, 1] on <paramref name="device"/>.</summary>
    public Tensor Batch(Tensor indices, Device device)
    {
        ArgumentNullException.ThrowIfNull(indices);
        using var scope = DisposeScope.Enter();
        var pixels = Pixels.IndexSelect(0, indices);
        if (device.Type == DeviceType.Cuda)
        {
            // uint8 crosses the bus (4x less than float), from pinned memory, without waiting for the GPU.
            pixels = pixels.PinMemory().To(device, nonBlocking: true);
        }

        var batch = pixels.To(DType.Float32);
        batch.MulInPlace(1 / 127.5); // in place: no further batch-sized allocations
        batch.AddInPlace(-1.0);
        return batch.MoveToOuterScope();
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
            yield return Range(start, Math.Min(start + batchSize, end), device).DetachFromScope();
        }
    }

    /// <summary>Images start..end-1, as <see cref="Batch"/>.</summary>
    private Tensor Range(int start, int end, Device device)
    {
        using var indices = Torch.Arange(start, end);
        return Batch(indices, device);
    }

    /// <summary>Frees the pixels.</summary>
    public void Dispose()
    {
        Pixels.Dispose();
        storage?.Dispose();
    }
}
