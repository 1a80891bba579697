using OGan.Engine;
using OGan.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OGan.Models;

/// <summary>
/// E: image -> R^ZDim, which is also the critic (its mean). NumLayers + 1 convolutions (stride 2, 'same'),
/// doubling the channels (from <see cref="OGanConfig.MinChannels"/> at least) up to Width, BatchNorm after all but the first, LeakyReLU(0.2); flatten; Linear.
/// With <see cref="OGanConfig.Skips"/>, skip{j} reads the image pooled to 1/2^j of its size (a convolution like
/// conv0's, LeakyReLU) and adds it to the output of conv{j}'s block. State names: conv{i}, bn{i} (i &gt;= 1), fc, skip{j}.
/// </summary>
public sealed class Encoder : Module<Tensor, Tensor>
{
    // One Scalar for the process: TorchSharp's leaky_relu(x, 0.2) makes a temporary Scalar that nothing keeps
    // alive during the native call, so the finalizer can free it while libtorch reads it ("Expected false to be
    // true" from Scalar::toFloat, which stopped one 2,500-iteration run at step ~420).
    private static readonly Scalar NegativeSlope = 0.2.ToScalar();

    private readonly (AutocastConv2d Conv, BatchNorm2d? Bn)[] blocks;
    private readonly AutocastLinear fc;
    private readonly AutocastConv2d[] skips;
    private AutocastPolicy autocast = AutocastPolicy.Fp32;

    /// <summary>Builds E for <paramref name="config"/> with the DCGAN initialisation, drawn from <paramref name="init"/> (else the default generator).</summary>
    /// <exception cref="ArgumentException">The config is invalid.</exception>
    public Encoder(OGanConfig config, torch.Generator? init = null)
        : base(nameof(Encoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        var padding = (config.KernelSize - 1) / 2;
        blocks = new (AutocastConv2d, BatchNorm2d?)[config.NumLayers + 1];
        for (var i = 0; i < blocks.Length; i++)
        {
            var inChannels = i == 0 ? config.Channels : config.EncoderChannels(i - 1);
            var conv = new AutocastConv2d(inChannels, config.EncoderChannels(i), config.KernelSize, stride: 2, padding: padding);
            register_module($"conv{i}", conv);
            BatchNorm2d? bn = null;
            if (i > 0)
            {
                bn = new BatchNorm2d(config.EncoderChannels(i));
                register_module($"bn{i}", bn);
            }

            blocks[i] = (conv, bn);
        }

        fc = new AutocastLinear(4 * 4 * config.MaxChannels, config.LatentDim);
        register_module("fc", fc);
        skips = new AutocastConv2d[config.Skips];
        for (var j = 1; j <= config.Skips; j++)
        {
            skips[j - 1] = new AutocastConv2d(config.Channels, config.EncoderChannels(j), config.KernelSize, stride: 2, padding: padding);
            register_module($"skip{j}", skips[j - 1]);
        }

        DcganInit.Apply(this, init);
    }

    /// <summary>The name and shape of every entry of the state_dict of E for <paramref name="config"/>, without building it.</summary>
    internal static IEnumerable<(string Name, long[] Shape)> StateShapes(OGanConfig config)
    {
        long kernel = config.KernelSize;
        for (var i = 0; i <= config.NumLayers; i++)
        {
            long inChannels = i == 0 ? config.Channels : config.EncoderChannels(i - 1), outChannels = config.EncoderChannels(i);
            yield return ($"conv{i}.weight", [outChannels, inChannels, kernel, kernel]);
            yield return ($"conv{i}.bias", [outChannels]);
            if (i > 0)
            {
                foreach (var entry in Layers.BatchNormShapes($"bn{i}", outChannels))
                {
                    yield return entry;
                }
            }
        }

        yield return ("fc.weight", [config.LatentDim, 4 * 4 * (long)config.MaxChannels]);
        yield return ("fc.bias", [config.LatentDim]);
        for (var j = 1; j <= config.Skips; j++)
        {
            yield return ($"skip{j}.weight", [config.EncoderChannels(j), config.Channels, kernel, kernel]);
            yield return ($"skip{j}.bias", [(long)config.EncoderChannels(j)]);
        }
    }

    /// <summary>The network's shape.</summary>
    public OGanConfig Config { get; }

    /// <summary>
    /// What the convolutions and the linear layer compute in: fp32 (the default) or bf16 with fp32 weights.
    /// BatchNorm's parameters and statistics, the codes and the features are fp32 either way.
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
    /// While E grows from half its resolution: the previous input layer (on E's device, frozen), which reads the
    /// image pooled to half its size, and whose features the new first blocks' fade into (<see cref="Models.Fade"/>);
    /// null otherwise. E owns it. It is not part of E's state_dict, whose names and shapes stay those of an E built at this size.
    /// </summary>
    public Fade? Fade
    {
        get;
        set => field = Models.Fade.Replace(field, value, autocast);
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

    /// <summary>(N, Channels, ImageSize, ImageSize) images to (N, ZDim) codes, fp32.</summary>
    /// <exception cref="ArgumentException">The images have the wrong shape.</exception>
    public override Tensor forward(Tensor input) => AutocastPolicy.Output(fc.call(Hidden(input)));

    /// <summary>
    /// The last hidden layer, flattened: (N, 16 · MaxChannels) features that the final linear layer maps to
    /// the codes. Wider than the codes; for probing what E has learnt, or as features in a model of one's own.
    /// </summary>
    /// <exception cref="ArgumentException">The images have the wrong shape.</exception>
    public Tensor Features(Tensor input) => AutocastPolicy.Output(Hidden(input));

    // The last hidden layer in the compute type.
    private Tensor Hidden(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = input.shape;
        if (shape.Length != 4 || shape[1] != Config.Channels || shape[2] != Config.ImageSize || shape[3] != Config.ImageSize)
        {
            throw new ArgumentException(
                $"encoder expects images of shape (N, {Config.Channels}, {Config.ImageSize}, {Config.ImageSize}), got [{string.Join(", ", shape)}]");
        }

        Tensor x = input, pooled = input;
        for (var i = 0; i < blocks.Length; i++)
        {
            var (conv, bn) = blocks[i];
            x = conv.call(x);
            if (bn is not null)
            {
                x = bn.call(x);
            }

            x = x.leaky_relu(NegativeSlope);
            if (i >= 1 && i <= skips.Length)
            {
                pooled = functional.avg_pool2d(pooled, 2);
                x = AutocastPolicy.Output(x).Plus(AutocastPolicy.Output(skips[i - 1].call(pooled).leaky_relu(NegativeSlope)));
            }

            if (i == 1 && Fade is { IsActive: true } fade)
            {
                var previous = fade.Layer.call(functional.avg_pool2d(input, 2)).leaky_relu(NegativeSlope);
                x = fade.Blend(AutocastPolicy.Output(previous), AutocastPolicy.Output(x));
            }
        }

        return x.flatten(1);
    }
}
