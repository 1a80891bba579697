using System.Numerics;

namespace OGan.Models;

/// <summary>
/// The shape of an O-GAN: DCGAN generator and encoder for square images of <see cref="ImageSize"/> pixels
/// (a power of two, at least 32). Defaults follow the author's code: width = ImageSize * 8, ZDim = ImageSize.
/// </summary>
public sealed record OGanConfig
{
    /// <summary>The largest image side OGan builds networks for.</summary>
    public const int MaxImageSize = 1024;

    /// <summary>The largest width and latent dimension OGan builds networks for.</summary>
    public const int MaxChannelCount = 16384;

    /// <summary>Image side in pixels: 32, 64, 128, 256, ...</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>1 (grey) or 3 (RGB).</summary>
    public int Channels { get; init; } = 1;

    /// <summary>The widest layer's channel count (the encoder's last conv, the generator's first): 128 by default; 0 means ImageSize * 8, the paper's.</summary>
    public int Width { get; init; } = 128;

    /// <summary>Latent dimension; 0 means ImageSize.</summary>
    public int ZDim { get; init; }

    /// <summary>Convolution kernel size (5 in the paper, 4 in a variant).</summary>
    public int KernelSize { get; init; } = 5;

    /// <summary>
    /// How many smaller sizes' image layers the model keeps (the skip architecture of StyleGAN2, Karras et al. 2020):
    /// G adds the image each one makes from its hidden layer, upsampled, to its own output; E reads the image pooled to
    /// each and adds what each one makes of it to its features. 0 (the default) is DCGAN's. A model grown by skips has
    /// one more than the model it grew from, whose output and input layers become its skip1.
    /// </summary>
    public int Skips { get; init; }

    /// <summary>
    /// The fewest channels a hidden layer has: G halves its channels block by block and E doubles them, but no layer
    /// goes below this. 0 (the default) is DCGAN's, halving to the end: at 128 px and width 128, G's last hidden
    /// layer, the one at full resolution but for the output, has 8 channels; 16 doubles it and leaves the smaller
    /// layers as they were.
    /// </summary>
    public int MinChannels { get; init; }

    /// <summary>The width in use.</summary>
    public int MaxChannels => Width > 0 ? Width : ImageSize * 8;

    /// <summary>The latent dimension in use.</summary>
    public int LatentDim => ZDim > 0 ? ZDim : ImageSize;

    /// <summary>Stride-2 stages between 4x4 and the image, less one: log2(ImageSize) - 3.</summary>
    public int NumLayers => BitOperations.Log2((uint)ImageSize) - 3;

    /// <summary>Channels of G's hidden layer i (0: fc's, at 4x4; NumLayers: the last): MaxChannels / 2^i, at least MinChannels.</summary>
    public int GeneratorChannels(int i) => Math.Max(MaxChannels >> i, MinChannels);

    /// <summary>Channels of encoder conv i (0..NumLayers): G's mirror, MaxChannels / 2^(NumLayers - i), at least MinChannels.</summary>
    public int EncoderChannels(int i) => GeneratorChannels(NumLayers - i);

    /// <summary>Checks every field, naming the first that is wrong.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public OGanConfig Validate()
    {
        if (ImageSize is < 32 or > MaxImageSize || !BitOperations.IsPow2(ImageSize))
        {
            throw new ArgumentException($"image size must be a power of two from 32 to {MaxImageSize}, got {ImageSize}");
        }

        if (Channels is not (1 or 3))
        {
            throw new ArgumentException($"channels must be 1 or 3, got {Channels}");
        }

        if (Width < 0 || MaxChannels > MaxChannelCount || (Width > 0 && (Width >> NumLayers) < 1) || (Width > 0 && Width % (1 << NumLayers) != 0))
        {
            throw new ArgumentException($"width must be a positive multiple of {1 << NumLayers} at {ImageSize} px, at most {MaxChannelCount}, got {Width}");
        }

        if (ZDim is < 0 or > MaxChannelCount)
        {
            throw new ArgumentException($"z dimension must be positive and at most {MaxChannelCount}, got {ZDim}");
        }

        if (Skips < 0 || Skips > NumLayers)
        {
            throw new ArgumentException($"skips must be from 0 to {NumLayers} at {ImageSize} px, got {Skips}");
        }

        if (MinChannels < 0 || MinChannels > MaxChannels)
        {
            throw new ArgumentException($"min channels must be from 0 to the width ({MaxChannels}), got {MinChannels}");
        }

        if (KernelSize is not (4 or 5))
        {
            throw new ArgumentException($"kernel size must be 4 or 5, got {KernelSize}");
        }

        return this;
    }
}
