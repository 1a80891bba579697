using TorchSharp;
using OGan.Engine;
using OGan.MixedPrecision;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OGan.Models;

/// <summary>
/// G: z -> image in [-1, 1]. Linear to 4x4xWidth, BatchNorm, ReLU; NumLayers transposed convolutions
/// (stride 2, 'same'), halving the channels down to <see cref="OGanConfig.MinChannels"/>, each with BatchNorm and ReLU; a last transposed convolution
/// to the image's channels; tanh. With <see cref="OGanConfig.Skips"/>, skip{j} makes an image at 1/2^j of the size
/// from the hidden layer j blocks before the last, and each is added, upsampled, to the output before tanh.
/// State names: fc, bn0, deconv{i}, bn{i}, out, skip{j}.
/// </summary>
public sealed class Generator : Module<Tensor, Tensor>
{
    private readonly AutocastLinear fc;
    private readonly BatchNorm2d bn0;
    private readonly (AutocastConvTranspose2d Deconv, BatchNorm2d Bn)[] blocks;
    private readonly AutocastConvTranspose2d output;
    private readonly AutocastConvTranspose2d[] skips;
    private AutocastPolicy autocast = AutocastPolicy.Fp32;

    /// <summary>Builds G for <paramref name="config"/> with the DCGAN initialisation, drawn from <paramref name="init"/> (else the default generator).</summary>
    /// <exception cref="ArgumentException">The config is invalid.</exception>
    public Generator(OGanConfig config, torch.Generator? init = null)
        : base(nameof(Generator))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        var width = config.MaxChannels;
        var (padding, outputPadding) = SamePadding(config.KernelSize);
        fc = new AutocastLinear(config.LatentDim, 4 * 4 * width);
        bn0 = new BatchNorm2d(width);
        register_module("fc", fc);
        register_module("bn0", bn0);
        blocks = new (AutocastConvTranspose2d, BatchNorm2d)[config.NumLayers];
        for (var i = 0; i < config.NumLayers; i++)
        {
            int inChannels = config.GeneratorChannels(i), outChannels = config.GeneratorChannels(i + 1);
            blocks[i] = (new AutocastConvTranspose2d(inChannels, outChannels, config.KernelSize, stride: 2, padding: padding, outputPadding: outputPadding),
                         new BatchNorm2d(outChannels));
            register_module($"deconv{i + 1}", blocks[i].Deconv);
            register_module($"bn{i + 1}", blocks[i].Bn);
        }

        output = new AutocastConvTranspose2d(config.GeneratorChannels(config.NumLayers), config.Channels, config.KernelSize, stride: 2, padding: padding, outputPadding: outputPadding);
        register_module("out", output);
        skips = new AutocastConvTranspose2d[config.Skips];
        for (var j = 1; j <= config.Skips; j++)
        {
            skips[j - 1] = new AutocastConvTranspose2d(config.GeneratorChannels(config.NumLayers - j), config.Channels, config.KernelSize, stride: 2, padding: padding, outputPadding: outputPadding);
            register_module($"skip{j}", skips[j - 1]);
        }

        DcganInit.Apply(this, init);
    }

    /// <summary>The network's shape.</summary>
    public OGanConfig Config { get; }

    /// <summary>
    /// What the linear and transposed-convolution layers compute in: fp32 (the default) or bf16 with fp32
    /// weights. BatchNorm's parameters and statistics and the tanh output are fp32 either way.
    /// </summary>
    public AutocastPolicy Autocast
    {
        get => autocast;
        set
        {
            autocast = (value ?? throw new ArgumentNullException(nameof(value))).ApplyTo(this);
            Fade?.Layer.Policy = autocast;
        }
    }

    /// <summary>
    /// While G grows from half its resolution: the previous output layer (on G's device, frozen), whose image,
    /// upsampled, the new last block's fades into (<see cref="Models.Fade"/>); null otherwise. G owns it. It is not
    /// part of G's state_dict, whose names and shapes stay those of a G built at this size.
    /// </summary>
    public Fade? Fade
    {
        get;
        set => field = Models.Fade.Replace(field, value, autocast);
    }

    /// <summary>The name and shape of every entry of the state_dict of G for <paramref name="config"/>, without building it.</summary>
    internal static IEnumerable<(string Name, long[] Shape)> StateShapes(OGanConfig config)
    {
        long width = config.MaxChannels, kernel = config.KernelSize;
        yield return ("fc.weight", [4 * 4 * width, config.LatentDim]);
        yield return ("fc.bias", [4 * 4 * width]);
        foreach (var entry in Layers.BatchNormShapes("bn0", width))
        {
            yield return entry;
        }

        for (var i = 0; i < config.NumLayers; i++)
        {
            long inChannels = config.GeneratorChannels(i), outChannels = config.GeneratorChannels(i + 1);
            yield return ($"deconv{i + 1}.weight", [inChannels, outChannels, kernel, kernel]);
            yield return ($"deconv{i + 1}.bias", [outChannels]);
            foreach (var entry in Layers.BatchNormShapes($"bn{i + 1}", outChannels))
            {
                yield return entry;
            }
        }

        yield return ("out.weight", [config.GeneratorChannels(config.NumLayers), config.Channels, kernel, kernel]);
        yield return ("out.bias", [config.Channels]);
        for (var j = 1; j <= config.Skips; j++)
        {
            yield return ($"skip{j}.weight", [config.GeneratorChannels(config.NumLayers - j), config.Channels, kernel, kernel]);
            yield return ($"skip{j}.bias", [config.Channels]);
        }
    }

    /// <summary>Padding and output padding that make a stride-2 transposed convolution exactly double the size.</summary>
    internal static (long Padding, long OutputPadding) SamePadding(int kernel) => kernel == 5 ? (2, 1) : (1, 0);

    /// <summary>(N, ZDim) latents to (N, Channels, ImageSize, ImageSize) images.</summary>
    /// <exception cref="ArgumentException">z is not (N, ZDim).</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 2 || input.shape[1] != Config.LatentDim)
        {
            throw new ArgumentException($"generator expects latents of shape (N, {Config.LatentDim}), got [{string.Join(", ", input.shape)}]");
        }

        var x = fc.call(input).view(input.shape[0], Config.MaxChannels, 4, 4);
        x = functional.relu(bn0.call(x));
        Tensor? previous = null, skipped = null;
        for (var i = 0; i < blocks.Length; i++)
        {
            var level = blocks.Length - i; // x is the hidden layer skip{level} reads
            if (level <= skips.Length)
            {
                // The smaller sizes' images so far, at this block's output size, plus this one's.
                var image = AutocastPolicy.Output(skips[level - 1].call(x));
                skipped = skipped is null ? image : Layers.Upsample(skipped).Plus(image);
            }

            if (i == blocks.Length - 1 && Fade is { IsActive: true } fade)
            {
                previous = Layers.Upsample(AutocastPolicy.Output(fade.Layer.call(x)));
            }

            var (deconv, bn) = blocks[i];
            x = functional.relu(bn.call(deconv.call(x)));
        }

        var result = AutocastPolicy.Output(output.call(x));
        if (skipped is not null)
        {
            result = result.Plus(Layers.Upsample(skipped));
        }

        return (previous is null ? result : Fade!.Blend(previous, result)).tanh();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Fade = null;
        }

        base.Dispose(disposing);
    }
}
