using OGan.Nn;
using OGan.Tensors;

namespace OGan.Imaging;

/// <summary>Turns decoded photos into training images: centre crop to a square, antialiased resize, channel count.</summary>
public static class Preprocess
{
    /// <summary>The largest centred square of (C, H, W) pixels.</summary>
    public static Tensor CenterCrop(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        long height = image.Size(1), width = image.Size(2), side = Math.Min(height, width);
        long top = (height - side) / 2, left = (width - side) / 2;
        return image.Slice(1, top, top + side).Slice(2, left, left + side);
    }

    /// <summary>
    /// Resizes uint8 (C, H, W) pixels to <paramref name="height"/> x <paramref name="width"/>, bilinear with
    /// antialiasing when shrinking (a triangle filter as wide as the scale, as PIL's), rounded back to uint8.
    /// </summary>
    public static Tensor Resize(Tensor image, long height, long width)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Size(1) == height && image.Size(2) == width)
        {
            return image.Contiguous(); // a DCT-scaled JPEG often arrives at the size already
        }

        using var scope = DisposeScope.Enter();
        var resized = Functional.Interpolate(image.Unsqueeze(0).To(DType.Float32), height, width, InterpolationMode.Bilinear, antialias: true);
        return resized.Squeeze(0).Round().Clamp(0, 255).To(DType.UInt8).MoveToOuterScope();
    }

    /// <summary>Grey (1) to RGB (3) by repetition, RGB to grey by ITU-R 601 luma; anything else unchanged.</summary>
    public static Tensor ToChannels(Tensor image, int channels)
    {
        ArgumentNullException.ThrowIfNull(image);
        var current = image.Size(0);
        if (current == channels)
        {
            return image;
        }

        using var scope = DisposeScope.Enter();
        if (current == 1 && channels == 3)
        {
            return image.Expand(3, image.Size(1), image.Size(2)).Contiguous().MoveToOuterScope();
        }

        if (current == 3 && channels == 1)
        {
            var weights = Torch.FromArray<float>([0.299f, 0.587f, 0.114f], [3, 1, 1]);
            return (image.To(DType.Float32) * weights).Sum([0], keepDim: true).Round().Clamp(0, 255).To(DType.UInt8).MoveToOuterScope();
        }

        throw new ArgumentException($"cannot turn {current} channels into {channels}");
    }

    /// <summary>Centre crop, then resize to <paramref name="size"/> x <paramref name="size"/>.</summary>
    public static Tensor Square(Tensor image, int size)
    {
        using var scope = DisposeScope.Enter();
        return Resize(CenterCrop(image), size, size).MoveToOuterScope();
    }

    /// <summary>Reads an image file as uint8 (channels, size, size): decoded at a reduced JPEG scale where that loses nothing, cropped and resized.</summary>
    /// <exception cref="InvalidDataException">The file is not a usable image; the message names it.</exception>
    public static Tensor Load(string path, int channels, int size)
    {
        using var scope = DisposeScope.Enter();
        return Square(ImageCodec.Read(path, channels, minSide: size), size).MoveToOuterScope();
    }
}
