using OGan.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Imaging;

/// <summary>8-bit pixels to model values and back, on tensors, as <see cref="PixelScale"/> maps them.</summary>
public static class Pixels
{
    /// <summary>uint8 pixels (any shape) to float32 in [-1, 1], on the pixels' device.</summary>
    /// <exception cref="ArgumentException">The tensor is not uint8.</exception>
    public static Tensor ToModel(Tensor pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.dtype != ScalarType.Byte)
        {
            throw new ArgumentException($"expected uint8 pixels, got {pixels.dtype}");
        }

        var values = pixels.to(ScalarType.Float32);
        values.TimesInPlace(1 / PixelScale.Half).PlusInPlace(-1.0); // in place: no further batch-sized allocations
        return values;
    }

    /// <summary>
    /// Images decoded to planar uint8 (channels, size, size) each, as <see cref="Preprocess.Square(byte[], int, int, int)"/>
    /// gives them, to one (N, channels, size, size) batch in [-1, 1] on <paramref name="device"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No image, or one of another length.</exception>
    public static Tensor ToModel(IReadOnlyList<byte[]> images, int channels, int size, Device device)
    {
        ArgumentNullException.ThrowIfNull(images);
        var length = checked(channels * size * size);
        if (images.Count == 0 || images.Any(i => i.Length != length))
        {
            throw new ArgumentException($"expected images of {channels}x{size}x{size} bytes each");
        }

        using var scope = NewDisposeScope();
        var pixels = empty([images.Count, channels, size, size], ScalarType.Byte);
        var bytes = pixels.bytes; // one copy, straight into the tensor
        for (var i = 0; i < images.Count; i++)
        {
            images[i].CopyTo(bytes[(i * length)..]);
        }

        return ToModel(pixels.to(device)).MoveToOuterDisposeScope();
    }

    /// <summary>Float values in [-1, 1] (any shape) to uint8 pixels on the CPU.</summary>
    public static Tensor FromModel(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var scope = NewDisposeScope();
        var pixels = values.detach().to(ScalarType.Float32, CPU).Plus(1.0).Times(PixelScale.Half).round().Clamped(0, 255).to(ScalarType.Byte);
        return pixels.MoveToOuterDisposeScope();
    }
}
