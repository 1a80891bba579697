using OGan.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = OGan.Models.Generator;

namespace OGan.Training;

/// <summary>
/// Everything a run changes as it trains, and so everything a checkpoint must hold to resume exactly: the
/// networks, the moving average of G, the optimizers, the random generator, and where it is in the data.
/// </summary>
public sealed class TrainingState : IDisposable
{
    /// <summary>Fresh networks (DCGAN initialisation drawn from the run's seed) on <paramref name="device"/>, their optimizers and a first permutation of <paramref name="dataCount"/> images.</summary>
    public TrainingState(OGanConfig config, TrainingOptions options, Device device, int dataCount)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        Random = new torch.Generator(options.Seed);
        Generator = new Generator(config, Random);
        Encoder = new Encoder(config, Random);
        Generator.to(device);
        Encoder.to(device);
        if (options.EmaDecay > 0)
        {
            Ema = new Generator(config);
            Ema.to(device).eval();
            Ema.load_state_dict(Generator.state_dict());
        }

        if (options.FadeImages > 0)
        {
            FadeImages = options.FadeImages;
            BatchSize = options.BatchSize;
            Generator.Fade = Models.Fade.ForGenerator(config);
            Encoder.Fade = Models.Fade.ForEncoder(config);
            Generator.Fade.Layer.to(device);
            Encoder.Fade.Layer.to(device);
            if (Ema is not null)
            {
                Ema.Fade = Models.Fade.ForGenerator(config);
                Ema.Fade.Layer.to(device);
            }
        }

        // After .to(device): moving a module replaces its parameters (the fades' are frozen, so no optimizer holds them).
        GeneratorOptimizer = CreateOptimizer(Generator.parameters(), options, options.EffectiveGeneratorLearningRate);
        EncoderOptimizer = CreateOptimizer(Encoder.parameters(), options, options.EffectiveEncoderLearningRate);
        Permutation = NewPermutation(dataCount);
    }

    /// <summary>G.</summary>
    public Generator Generator { get; }

    /// <summary>E, also the critic.</summary>
    public Encoder Encoder { get; }

    /// <summary>The moving average of G's weights, when the options ask for one.</summary>
    public Generator? Ema { get; }

    /// <summary>G's optimizer.</summary>
    public optim.Optimizer GeneratorOptimizer { get; }

    /// <summary>E's optimizer.</summary>
    public optim.Optimizer EncoderOptimizer { get; }

    /// <summary>The run's random generator: initialisation, latents, permutations, flips.</summary>
    public torch.Generator Random { get; }

    /// <summary>The order of the images in this epoch.</summary>
    public long[] Permutation { get; private set; }

    /// <summary>How far into <see cref="Permutation"/> the run is.</summary>
    public long Cursor { get; private set; }

    /// <summary>Iterations done.</summary>
    public long Step { get; private set; }

    /// <summary>Sets what G, E and the moving average compute in (their weights stay fp32).</summary>
    internal void SetAutocast(MixedPrecision.AutocastPolicy policy)
    {
        Generator.Autocast = policy;
        Encoder.Autocast = policy;
        if (Ema is not null)
        {
            Ema.Autocast = policy;
        }
    }

    /// <summary>The indices of the next batch; a new epoch (a new permutation) starts when too few are left.</summary>
    public ReadOnlySpan<long> NextBatch(int batchSize)
    {
        if (Cursor + batchSize > Permutation.Length)
        {
            Permutation = NewPermutation(Permutation.Length);
            Cursor = 0;
        }

        var indices = Permutation.AsSpan((int)Cursor, batchSize);
        Cursor += batchSize;
        return indices;
    }

    /// <summary>Whether the layers of a grown run are still fading in: then G, E and the moving average hold a <see cref="Models.Fade"/>.</summary>
    public bool IsFading => Encoder.Fade is { IsActive: true };

    /// <summary>Counts one iteration.</summary>
    public void Advance()
    {
        Step++;
        SetFade();
    }

    // The fades' alpha at this step; a fade over is freed (the grown networks are then what a run at their size builds).
    private void SetFade()
    {
        var alpha = Models.Fade.AlphaAfter(Step * BatchSize, FadeImages);
        foreach (var fade in new[] { Generator.Fade, Encoder.Fade, Ema?.Fade })
        {
            fade?.Alpha = alpha;
        }

        if (alpha >= 1)
        {
            Generator.Fade = null;
            Encoder.Fade = null;
            Ema?.Fade = null;
        }
    }

    private long FadeImages { get; }

    private int BatchSize { get; }

    /// <summary>Sets the position a checkpoint recorded.</summary>
    /// <exception cref="ArgumentException">The permutation is of another data set.</exception>
    internal void Restore(long step, long cursor, long[] permutation)
    {
        ArgumentNullException.ThrowIfNull(permutation);
        if (permutation.Length != Permutation.Length)
        {
            throw new ArgumentException($"it was trained on {permutation.Length} images, this data set has {Permutation.Length}");
        }

        if (step < 0 || cursor < 0 || cursor > permutation.Length)
        {
            throw new ArgumentException($"its position (step {step}, image {cursor} of {permutation.Length}) is out of range");
        }

        var seen = new bool[permutation.Length];
        foreach (var index in permutation)
        {
            if (index < 0 || index >= seen.Length || seen[index])
            {
                throw new ArgumentException($"its order of the images is not a permutation of 0..{seen.Length - 1}");
            }

            seen[index] = true;
        }

        (Step, Cursor, Permutation) = (step, cursor, permutation);
        SetFade();
    }

    /// <summary>Frees networks, optimizer state and the generator.</summary>
    public void Dispose()
    {
        Generator.Dispose();
        Encoder.Dispose();
        Ema?.Dispose();
        GeneratorOptimizer.Dispose();
        EncoderOptimizer.Dispose();
        Random.Dispose();
    }

    private long[] NewPermutation(int count)
    {
        using var permutation = randperm(count, generator: Random);
        return permutation.data<long>().ToArray();
    }

    private static optim.Optimizer CreateOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters, TrainingOptions options, double rate) => options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, rate, options.Beta1, options.Beta2),
        OptimizerKind.RMSprop => optim.RMSProp(parameters, rate, options.RmsAlpha),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "unknown optimizer"),
    };
}
