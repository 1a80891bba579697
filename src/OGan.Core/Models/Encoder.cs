using OGan.Nn;
using OGan.Tensors;

namespace OGan.Models;

/// <summary>
/// E: image -> R^ZDim, which is also the critic (its mean). NumLayers + 1 convolutions (stride 2, 'same'),
/// doubling the channels up to Width, BatchNorm after all but the first, LeakyReLU(0.2); flatten; Linear.
/// State names: conv{i}, bn{i} (i &gt;= 1), fc.
/// </summary>
public sealed class Encoder : Module
{
    private readonly Conv2d[] convs;
    private readonly BatchNorm2d?[] bns;
    private readonly Linear fc;

    /// <summary>Builds E for <paramref name="config"/> with the DCGAN initialisation.</summary>
    public Encoder(OGanConfig config, RandomGenerator? init = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        var layers = config.NumLayers + 1;
        convs = new Conv2d[layers];
        bns = new BatchNorm2d?[layers];
        var padding = (config.KernelSize - 1) / 2;
        for (var i = 0; i < layers; i++)
        {
            var inChannels = i == 0 ? config.Channels : config.EncoderChannels(i - 1);
            convs[i] = RegisterModule($"conv{i}", new Conv2d(inChannels, config.EncoderChannels(i), config.KernelSize, 2, padding));
            if (i > 0)
            {
                bns[i] = RegisterModule($"bn{i}", new BatchNorm2d(config.EncoderChannels(i)));
            }
        }

        fc = RegisterModule("fc", new Linear(4 * 4 * config.MaxChannels, config.LatentDim));
        DcganInit.Apply(this, init);
    }

    /// <summary>The network's shape.</summary>
    public OGanConfig Config { get; }

    /// <summary>(N, Channels, ImageSize, ImageSize) images to (N, ZDim) codes.</summary>
    /// <exception cref="ArgumentException">The images have the wrong shape.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = input.Shape;
        if (shape.Length != 4 || shape[1] != Config.Channels || shape[2] != Config.ImageSize || shape[3] != Config.ImageSize)
        {
            throw new ArgumentException(
                $"encoder expects images of shape (N, {Config.Channels}, {Config.ImageSize}, {Config.ImageSize}), got [{string.Join(", ", shape)}]");
        }

        var x = input;
        for (var i = 0; i < convs.Length; i++)
        {
            x = convs[i].Forward(x);
            if (bns[i] is { } bn)
            {
                x = bn.Forward(x);
            }

            x = x.LeakyRelu(0.2);
        }

        return fc.Forward(x.Flatten(1));
    }
}
