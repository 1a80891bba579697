using OGan.Nn;
using OGan.Tensors;

namespace OGan.Models;

/// <summary>
/// G: z -> image in [-1, 1]. Linear to 4x4xWidth, BatchNorm, ReLU; NumLayers transposed convolutions
/// (stride 2, 'same'), halving the channels, each with BatchNorm and ReLU; a last transposed convolution
/// to the image's channels; tanh. State names: fc, bn0, deconv{i}, bn{i}, out.
/// </summary>
public sealed class Generator : Module
{
    private readonly Linear fc;
    private readonly BatchNorm2d bn0;
    private readonly (ConvTranspose2d Deconv, BatchNorm2d Bn)[] blocks;
    private readonly ConvTranspose2d output;

    /// <summary>Builds G for <paramref name="config"/> with the DCGAN initialisation.</summary>
    public Generator(OGanConfig config, RandomGenerator? init = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        var width = config.MaxChannels;
        var (padding, outputPadding) = SamePadding(config.KernelSize);
        fc = RegisterModule("fc", new Linear(config.LatentDim, 4 * 4 * width));
        bn0 = RegisterModule("bn0", new BatchNorm2d(width));
        blocks = new (ConvTranspose2d, BatchNorm2d)[config.NumLayers];
        for (var i = 0; i < config.NumLayers; i++)
        {
            int inChannels = width >> i, outChannels = width >> (i + 1);
            blocks[i] = (
                RegisterModule($"deconv{i + 1}", new ConvTranspose2d(inChannels, outChannels, config.KernelSize, 2, padding, outputPadding)),
                RegisterModule($"bn{i + 1}", new BatchNorm2d(outChannels)));
        }

        output = RegisterModule("out", new ConvTranspose2d(width >> config.NumLayers, config.Channels, config.KernelSize, 2, padding, outputPadding));
        DcganInit.Apply(this, init);
    }

    /// <summary>The network's shape.</summary>
    public OGanConfig Config { get; }

    /// <summary>Padding and output padding that make a stride-2 transposed convolution exactly double the size.</summary>
    internal static (long Padding, long OutputPadding) SamePadding(int kernel) => kernel == 5 ? (2, 1) : (1, 0);

    /// <summary>(N, ZDim) latents to (N, Channels, ImageSize, ImageSize) images.</summary>
    /// <exception cref="ArgumentException">z is not (N, ZDim).</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = input.Shape;
        if (shape.Length != 2 || shape[1] != Config.LatentDim)
        {
            throw new ArgumentException($"generator expects latents of shape (N, {Config.LatentDim}), got [{string.Join(", ", shape)}]");
        }

        var x = fc.Forward(input).View(shape[0], Config.MaxChannels, 4, 4);
        x = bn0.Forward(x).Relu();
        foreach (var (deconv, bn) in blocks)
        {
            x = bn.Forward(deconv.Forward(x)).Relu();
        }

        return output.Forward(x).Tanh();
    }
}
