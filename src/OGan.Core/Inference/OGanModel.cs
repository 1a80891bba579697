using OGan.Engine;
using OGan.Checkpoints;
using OGan.Imaging;
using OGan.Losses;
using OGan.MixedPrecision;
using OGan.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = OGan.Models.Generator;

namespace OGan.Inference;

/// <summary>
/// A trained O-GAN for use: sample images, encode images, reconstruct them as G(N(E(x))) and interpolate
/// between them. Networks run in eval mode and without autograd. Images are (N, C, S, S) floats in [-1, 1]
/// or 8-bit pixel buffers (N, S, S, C interleaved).
/// </summary>
public sealed class OGanModel : IDisposable
{
    private readonly bool ownsNetworks;
    private PrecisionChoice? precision;

    /// <summary>Wraps trained networks; with <paramref name="ownsNetworks"/> the model disposes them.</summary>
    public OGanModel(OGanConfig config, Generator generator, Encoder encoder, bool ownsNetworks = true)
    {
        Config = config ?? throw new ArgumentNullException(nameof(config));
        Generator = generator ?? throw new ArgumentNullException(nameof(generator));
        Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        this.ownsNetworks = ownsNetworks;
    }

    /// <summary>The networks' shape.</summary>
    public OGanConfig Config { get; }

    /// <summary>G (the EMA copy when the checkpoint has one).</summary>
    public Generator Generator { get; }

    /// <summary>E.</summary>
    public Encoder Encoder { get; }

    /// <summary>The device the networks run on.</summary>
    public Device Device => Generator.parameters().First().device;

    /// <summary>The training step of the checkpoint loaded, if any.</summary>
    public long Step { get; private init; }

    /// <summary>Whether its checkpoint carried a SHA-256 digest, which loading checked (false for files from before digests, and for models not loaded from a file).</summary>
    public bool IsVerified { get; private init; }

    /// <summary>
    /// The precision G and E compute in, and why; setting it sets both networks' <see cref="AutocastPolicy"/>
    /// (the weights stay fp32, so a model can switch at any time). Networks passed to the constructor keep their own until set.
    /// </summary>
    public PrecisionChoice Precision
    {
        get => precision ?? new(Encoder.Autocast.Precision, "as the networks were given");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Generator.Autocast = Encoder.Autocast = value.Policy;
            precision = value;
        }
    }

    /// <summary>Loads a checkpoint written by the trainer onto <paramref name="device"/> (CPU by default), in precision auto (bf16 where the device has it natively).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not an OGan checkpoint, damaged, or with weights that do not fit its config.</exception>
    public static OGanModel Load(string path, Device? device) => Load(path, device, MixedPrecision.Precision.Auto);

    /// <summary>
    /// Loads a checkpoint written by the trainer, or a run folder's latest, (in any precision: checkpoints are fp32) onto <paramref name="device"/>
    /// (CPU when null), to compute in <paramref name="precision"/> (auto: bf16 where the device has it natively).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not an OGan checkpoint, damaged, or with weights that do not fit its config.</exception>
    public static OGanModel Load(string path, Device? device = null, Precision precision = MixedPrecision.Precision.Auto)
    {
        using var checkpoint = Checkpoint.Read(path);
        var config = checkpoint.Model;
        var generator = new Generator(config);
        var encoder = new Encoder(config);
        try
        {
            checkpoint.LoadGenerator(generator);
            checkpoint.LoadEncoder(encoder);
            var target = device ?? CPU;
            generator.to(target).eval();
            encoder.to(target).eval();
            generator.Fade?.Layer.to(target); // a checkpoint written while a grown run's new layers faded in
            encoder.Fade?.Layer.to(target);
            return new OGanModel(config, generator, encoder) { Step = checkpoint.Step, IsVerified = checkpoint.IsVerified, Precision = PrecisionChoice.Resolve(precision, target) };
        }
        catch
        {
            generator.Dispose();
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Recomputes E's BatchNorm statistics from real images (batches of (N, C, S, S) in [-1, 1], each disposed
    /// after use). Checkpoints of the trainer are already calibrated on their training data; use this for
    /// another domain, or for checkpoints written with calibration off.
    /// </summary>
    /// <returns>The number of batches used.</returns>
    public int CalibrateEncoder(IEnumerable<Tensor> batches)
    {
        var count = BatchNormCalibration.Recalibrate(Encoder, batches);
        Encoder.eval();
        return count;
    }

    /// <summary><paramref name="count"/> latents from N(0, I), seeded.</summary>
    public Tensor Latents(int count, ulong seed)
    {
        using var generator = new torch.Generator(seed);
        return randn([count, Config.LatentDim], generator: generator).to(Device);
    }

    /// <summary>G(z) for (N, ZDim) latents.</summary>
    public Tensor Sample(Tensor latents)
    {
        ArgumentNullException.ThrowIfNull(latents);
        using var mode = new EvalMode(this);
        using var scope = NewDisposeScope();
        return Generator.call(latents.to(Device)).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="count"/> images from seeded latents.</summary>
    public Tensor Sample(int count, ulong seed)
    {
        using var scope = NewDisposeScope();
        return Sample(Latents(count, seed)).MoveToOuterDisposeScope();
    }

    /// <summary>E(x), the raw codes (their mean is the critic's score).</summary>
    public Tensor EncodeRaw(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var mode = new EvalMode(this);
        using var scope = NewDisposeScope();
        return Encoder.call(images.to(Device)).MoveToOuterDisposeScope();
    }

    /// <summary>E's last hidden layer for <paramref name="images"/> (<see cref="Models.Encoder.Features"/>), in eval mode.</summary>
    public Tensor EncodeFeatures(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var mode = new EvalMode(this);
        using var scope = NewDisposeScope();
        return Encoder.Features(images.to(Device)).MoveToOuterDisposeScope();
    }

    /// <summary>N(E(x)): the codes standardised per sample, the latents that reconstruct x.</summary>
    public Tensor Encode(Tensor images)
    {
        using var scope = NewDisposeScope();
        return Pearson.Standardise(EncodeRaw(images)).MoveToOuterDisposeScope();
    }

    /// <summary>G(scale · N(E(x))); the author's code uses scale 0.9 to stay where latents are likely.</summary>
    public Tensor Reconstruct(Tensor images, double scale = 1.0)
    {
        using var scope = NewDisposeScope();
        return Sample(Encode(images).Times(scale)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="steps"/> latents from <paramref name="from"/> to <paramref name="to"/> (each (ZDim) or (1, ZDim)),
    /// linearly or along the great circle (slerp).
    /// </summary>
    public static Tensor InterpolateLatents(Tensor from, Tensor to, int steps, bool slerp = false)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        using var scope = NewDisposeScope();
        var a = from.reshape(1, -1);
        var b = to.reshape(1, -1);
        var frames = new List<Tensor>();
        var omega = 0.0;
        if (slerp)
        {
            var cos = ((a * b).sum() / (a.norm() * b.norm())).item<float>();
            omega = Math.Acos(Math.Clamp(cos, -1, 1));
        }

        for (var i = 0; i < steps; i++)
        {
            var t = (double)i / (steps - 1);
            if (slerp && omega > 1e-6)
            {
                frames.Add(a.Times(Math.Sin((1 - t) * omega) / Math.Sin(omega)).Plus(b.Times(Math.Sin(t * omega) / Math.Sin(omega))));
            }
            else
            {
                frames.Add(a.Times(1 - t).Plus(b.Times(t)));
            }
        }

        return cat(frames, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Images along the path between N(E(a)) and N(E(b)), for two single images (1, C, S, S).</summary>
    public Tensor Interpolate(Tensor imageA, Tensor imageB, int steps, bool slerp = false)
    {
        using var scope = NewDisposeScope();
        var latents = InterpolateLatents(Encode(imageA), Encode(imageB), steps, slerp);
        return Sample(latents).MoveToOuterDisposeScope();
    }

    /// <summary>8-bit pixels (N, S, S, C interleaved) to model input (N, C, S, S) in [-1, 1].</summary>
    /// <exception cref="ArgumentException">The buffer's length is not a whole number of images.</exception>
    public Tensor FromPixels(ReadOnlySpan<byte> pixels)
    {
        var size = Config.ImageSize * Config.ImageSize * Config.Channels;
        if (pixels.Length == 0 || pixels.Length % size != 0)
        {
            throw new ArgumentException($"pixel buffer of {pixels.Length} bytes is not a whole number of {Config.ImageSize}x{Config.ImageSize}x{Config.Channels} images");
        }

        using var scope = NewDisposeScope();
        var interleaved = tensor(pixels.ToArray(), [pixels.Length / size, Config.ImageSize, Config.ImageSize, Config.Channels]);
        return Pixels.ToModel(interleaved.permute(0, 3, 1, 2).to(Device)).MoveToOuterDisposeScope();
    }

    /// <summary>Model output (N, C, S, S) in [-1, 1] to 8-bit pixels (N, S, S, C interleaved).</summary>
    public static byte[] ToPixels(Tensor images)
    {
        using var scope = NewDisposeScope();
        return Pixels.FromModel(images).permute(0, 2, 3, 1).contiguous().data<byte>().ToArray();
    }

    /// <summary>Frees the networks if the model owns them.</summary>
    public void Dispose()
    {
        if (ownsNetworks)
        {
            Generator.Dispose();
            Encoder.Dispose();
        }
    }

    /// <summary>Eval mode and no autograd for the duration, restoring the networks' modes after.</summary>
    private readonly struct EvalMode : IDisposable
    {
        private readonly OGanModel model;
        private readonly bool generatorTraining;
        private readonly bool encoderTraining;
        private readonly IDisposable noGrad;

        public EvalMode(OGanModel model)
        {
            this.model = model;
            generatorTraining = model.Generator.training;
            encoderTraining = model.Encoder.training;
            model.Generator.eval();
            model.Encoder.eval();
            noGrad = no_grad();
        }

        public void Dispose()
        {
            noGrad.Dispose();
            model.Generator.train(generatorTraining);
            model.Encoder.train(encoderTraining);
        }
    }
}
