using OGan.MixedPrecision;
using static TorchSharp.torch;

namespace OGan.Models;

/// <summary>
/// The fade-in of a network grown to twice its resolution (ProGAN, Karras et al. 2018): the previous
/// resolution's image layer, frozen, whose output is blended with the new layers' by <see cref="Alpha"/>, from
/// 0 (exactly the previous network, at twice the size) to 1 (the new layers alone). For G it is the old
/// output layer, upsampled; for E the old input layer, on the image pooled to half its size. A network owns
/// its fade and frees it.
/// </summary>
public sealed class Fade : IDisposable
{
    private double alpha;

    private Fade(AutocastLayer layer)
    {
        Layer = layer;
        foreach (var parameter in layer.parameters())
        {
            parameter.requires_grad = false;
        }
    }

    /// <summary>The previous resolution's layer (G's "out" or E's "conv0"), frozen.</summary>
    public AutocastLayer Layer { get; }

    /// <summary>The new layers' share of the output: 0 at the start of the fade, 1 when it is over.</summary>
    public double Alpha
    {
        get => alpha;
        set => alpha = Math.Clamp(value, 0, 1);
    }

    /// <summary>Whether the old layer still counts (<see cref="Alpha"/> below 1).</summary>
    public bool IsActive => alpha < 1;

    /// <summary>The new layers' share after <paramref name="images"/> images of a fade over <paramref name="fadeImages"/> (1 when there is none).</summary>
    public static double AlphaAfter(long images, long fadeImages) => fadeImages <= 0 ? 1 : Math.Min(1.0, (double)images / fadeImages);

    /// <summary>G's previous output layer for a G of <paramref name="config"/>: the transposed convolution from its second-to-last block's channels to the image.</summary>
    public static Fade ForGenerator(OGanConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var (inChannels, outChannels) = GeneratorChannels(config);
        var (padding, outputPadding) = Generator.SamePadding(config.KernelSize);
        return new Fade(new AutocastConvTranspose2d(inChannels, outChannels, config.KernelSize, stride: 2, padding: padding, outputPadding: outputPadding));
    }

    /// <summary>E's previous input layer for an E of <paramref name="config"/>: the convolution from the image to its second layer's channels.</summary>
    public static Fade ForEncoder(OGanConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var (inChannels, outChannels) = EncoderChannels(config);
        return new Fade(new AutocastConv2d(inChannels, outChannels, config.KernelSize, stride: 2, padding: (config.KernelSize - 1) / 2));
    }

    /// <summary>The state entries of G's fade ("weight", "bias") for <paramref name="config"/>.</summary>
    internal static IEnumerable<(string Name, long[] Shape)> GeneratorShapes(OGanConfig config)
    {
        var (inChannels, outChannels) = GeneratorChannels(config);
        return [("weight", [inChannels, outChannels, config.KernelSize, config.KernelSize]), ("bias", [outChannels])];
    }

    /// <summary>The state entries of E's fade ("weight", "bias") for <paramref name="config"/>.</summary>
    internal static IEnumerable<(string Name, long[] Shape)> EncoderShapes(OGanConfig config)
    {
        var (inChannels, outChannels) = EncoderChannels(config);
        return [("weight", [outChannels, inChannels, config.KernelSize, config.KernelSize]), ("bias", [outChannels])];
    }

    /// <summary>
    /// old + α (new − old), in fp32 (<paramref name="old"/> and <paramref name="fresh"/> alike). The weights are
    /// tensors made here and freed with the caller's scope, so no temporary Scalar is made (Engine.HeldScalars).
    /// </summary>
    internal Tensor Blend(Tensor old, Tensor fresh)
    {
        using var weight = tensor(alpha, dtype: fresh.dtype, device: fresh.device);
        return old.lerp(fresh, weight);
    }

    /// <summary>A network's fade <paramref name="current"/> replaced by <paramref name="next"/> (the old one freed), computing as the network's <paramref name="policy"/> says.</summary>
    internal static Fade? Replace(Fade? current, Fade? next, AutocastPolicy policy)
    {
        if (!ReferenceEquals(current, next))
        {
            current?.Dispose();
        }

        next?.Layer.Policy = policy;
        return next;
    }

    /// <summary>Frees the layer.</summary>
    public void Dispose() => Layer.Dispose();

    private static (long In, long Out) GeneratorChannels(OGanConfig config) => RequireGrown(config) ? (config.GeneratorChannels(config.NumLayers - 1), config.Channels) : default;

    private static (long In, long Out) EncoderChannels(OGanConfig config) => RequireGrown(config) ? (config.Channels, config.EncoderChannels(1)) : default;

    private static bool RequireGrown(OGanConfig config) => config.Validate().NumLayers >= 1
        ? true
        : throw new ArgumentException($"a {config.ImageSize} px model has no smaller model to grow from");
}
