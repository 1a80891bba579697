using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OGan.Checkpoints;
using OGan.Data;
using OGan.Imaging;
using OGan.Losses;
using OGan.Models;
using OGan.Nn;
using OGan.Optim;
using OGan.Tensors;

namespace OGan.Training;

/// <summary>
/// Trains an O-GAN. Each iteration is an encoder step (G frozen) then a generator step (E frozen), with
/// the losses of <see cref="OGanLoss"/>, or the author's single combined step (<see cref="Formulation"/>).
/// Writes stats, grids and checkpoints into a <see cref="RunFolder"/>; E's BatchNorm statistics are
/// recalibrated on real images before each (<see cref="CalibrateEncoder"/>).
/// </summary>
public sealed class Trainer : IDisposable
{
    private const int GridCount = 64;

    private readonly OGanLoss loss;
    private readonly ImageSet data;
    private readonly RandomGenerator rng;
    private readonly Tensor fixedLatents;
    private readonly Tensor statsSum;
    private Tensor permutation;
    private long cursor;
    private int statsCount;
    private long calibratedStep = -1;

    /// <summary>Creates networks and optimizers from <paramref name="settings"/> for <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The settings are invalid or do not fit the data.</exception>
    public Trainer(RunSettings settings, ImageSet data, RunFolder? folder = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(data);
        Settings = settings;
        Config = settings.Model.Validate();
        Options = settings.Training.Validate();
        if (data.Channels != Config.Channels || data.Size != Config.ImageSize)
        {
            throw new ArgumentException($"data {data.Name} holds {data.Channels}x{data.Size}x{data.Size} images but the model takes {Config.Channels}x{Config.ImageSize}x{Config.ImageSize}");
        }

        if (data.Count < Options.BatchSize)
        {
            throw new ArgumentException($"data {data.Name} has {data.Count} images, fewer than one batch of {Options.BatchSize}");
        }

        this.data = data;
        Folder = folder;
        Device = Tensors.Device.Parse(Options.Device);
        rng = new RandomGenerator(Options.Seed);
        Generator = new Generator(Config, rng);
        Encoder = new Encoder(Config, rng);
        Generator.To(Device);
        Encoder.To(Device);
        if (Options.EmaDecay > 0)
        {
            Ema = new Generator(Config);
            Ema.LoadStateDict(Generator.StateDict().ToDictionary(e => e.Name, e => e.Tensor));
            Ema.To(Device).Eval();
        }

        GeneratorOptimizer = CreateOptimizer(Generator.Parameters());
        EncoderOptimizer = CreateOptimizer(Encoder.Parameters());
        loss = new OGanLoss(GanObjective.Create(Options.Loss, Options.LambdaQp), Options.LambdaRho);
        using (var fixedRng = new RandomGenerator(Options.Seed + 1))
        {
            fixedLatents = Torch.Randn([GridCount, Config.LatentDim], fixedRng, device: Device).DetachFromScope();
        }

        statsSum = Torch.Zeros([4], device: Device).DetachFromScope();
        permutation = Torch.Randperm(data.Count, rng).DetachFromScope();
    }

    /// <summary>Model and training settings.</summary>
    public RunSettings Settings { get; }

    /// <summary>The networks' shape.</summary>
    public OGanConfig Config { get; }

    /// <summary>The training options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Where the networks live.</summary>
    public Device Device { get; }

    /// <summary>G.</summary>
    public Generator Generator { get; }

    /// <summary>E, also the critic.</summary>
    public Encoder Encoder { get; }

    /// <summary>The moving average of G's weights, when <see cref="TrainingOptions.EmaDecay"/> is set.</summary>
    public Generator? Ema { get; }

    /// <summary>G's optimizer.</summary>
    public Optimizer GeneratorOptimizer { get; }

    /// <summary>E's optimizer.</summary>
    public Optimizer EncoderOptimizer { get; }

    /// <summary>Iterations done.</summary>
    public long Step { get; private set; }

    /// <summary>The run folder, when the trainer writes one.</summary>
    public RunFolder? Folder { get; }

    /// <summary>Called after every log interval.</summary>
    public event Action<TrainingProgress>? Progress;

    /// <summary>Trains until <see cref="TrainingOptions.Steps"/> or cancellation, then writes a checkpoint (if there is a folder).</summary>
    /// <returns>The path of the last checkpoint written, or null without a folder.</returns>
    /// <exception cref="TrainingDivergedException">A loss became NaN or infinite.</exception>
    public string? Run(CancellationToken cancellation = default)
    {
        if (Folder is not null && Step == 0)
        {
            AtomicFile.WriteAllBytes(Folder.OptionsFile, System.Text.Encoding.UTF8.GetBytes(Settings.ToJson()));
        }

        string? lastCheckpoint = null;
        var clock = Stopwatch.StartNew();
        var intervalStart = clock.Elapsed;
        while (Step < Options.Steps && !cancellation.IsCancellationRequested)
        {
            TrainStep();
            if (Step % Options.LogEvery == 0 || Step == Options.Steps)
            {
                var now = clock.Elapsed;
                Report(now.TotalSeconds, (now - intervalStart).TotalSeconds);
                intervalStart = now;
            }

            if (Folder is not null && Options.SampleEvery > 0 && Step % Options.SampleEvery == 0)
            {
                SaveGrids();
            }

            if (Folder is not null && Options.MetricsEvery > 0 && Step % Options.MetricsEvery == 0)
            {
                WriteMetrics();
            }

            if (Folder is not null && Options.SnapshotEvery > 0 && Step % Options.SnapshotEvery == 0)
            {
                lastCheckpoint = SaveCheckpoint(Folder.Checkpoint(Step));
            }
        }

        if (Folder is not null && (lastCheckpoint is null || !lastCheckpoint.EndsWith($"{Step:D6}.safetensors", StringComparison.Ordinal)))
        {
            lastCheckpoint = SaveCheckpoint(Folder.Checkpoint(Step));
        }

        return lastCheckpoint;
    }

    /// <summary>One iteration, in <see cref="TrainingOptions.Formulation"/>.</summary>
    public void TrainStep()
    {
        using var scope = DisposeScope.Enter();
        var real = NextBatch();
        var (encoderTerms, generatorTerms) = Options.Formulation == Formulation.SinglePass ? SinglePassStep(real) : AlternatingStep(real);
        if (Ema is not null)
        {
            UpdateEma(Ema);
        }

        using (Torch.NoGrad())
        {
            statsSum.AddInPlace(Torch.Stack([encoderTerms.Total, generatorTerms.Total, encoderTerms.Delta, generatorTerms.Rho]));
        }

        statsCount++;
        Step++;
    }

    /// <summary>
    /// Replaces E's BatchNorm running statistics by those of the first <see cref="TrainingOptions.CalibrationImages"/>
    /// real images (training itself uses batch statistics, so this changes no loss).
    /// </summary>
    public void CalibrateEncoder()
    {
        // Grids, metrics and a checkpoint often fall on the same step: the weights, and so the result, are the same.
        if (Options.CalibrationImages > 0 && calibratedStep != Step)
        {
            BatchNormCalibration.Recalibrate(Encoder, data.Batches(Options.CalibrationImages, Options.BatchSize, Device));
            calibratedStep = Step;
        }
    }

    /// <summary>The networks as an inference model (EMA generator if any), E's statistics calibrated first.</summary>
    private Inference.OGanModel CalibratedModel()
    {
        CalibrateEncoder();
        return new Inference.OGanModel(Config, Ema ?? Generator, Encoder, ownsNetworks: false);
    }

    private (LossTerms Encoder, LossTerms Generator) AlternatingStep(Tensor real)
    {
        var batch = real.Size(0);

        // Encoder step, G frozen: G(z) needs no graph.
        var z = Torch.Randn([batch, Config.LatentDim], rng, device: Device);
        Tensor fake;
        using (Torch.NoGrad())
        {
            fake = Generator.Forward(z);
        }

        var encoderTerms = loss.Encoder(z, Encoder.Forward(real), Encoder.Forward(fake), real, fake);
        EncoderOptimizer.ZeroGrad();
        encoderTerms.Total.Backward();
        EncoderOptimizer.Step();

        // Generator step, E frozen: gradients flow through E to G but E's weights get none.
        var zg = Torch.Randn([batch, Config.LatentDim], rng, device: Device);
        SetRequiresGrad(Encoder, false);
        var generatorTerms = loss.Generator(zg, Encoder.Forward(Generator.Forward(zg)));
        GeneratorOptimizer.ZeroGrad();
        generatorTerms.Total.Backward();
        GeneratorOptimizer.Step();
        SetRequiresGrad(Encoder, true);
        return (encoderTerms, generatorTerms);
    }

    private (LossTerms Encoder, LossTerms Generator) SinglePassStep(Tensor real)
    {
        var z = Torch.Randn([real.Size(0), Config.LatentDim], rng, device: Device);
        var fake = Generator.Forward(z);
        var stopped = fake.Detach();
        var terms = loss.SinglePass(z, Encoder.Forward(real), Encoder.Forward(fake), Encoder.Forward(stopped), real, stopped);
        EncoderOptimizer.ZeroGrad();
        GeneratorOptimizer.ZeroGrad();
        terms.Total.Backward();
        EncoderOptimizer.Step();
        GeneratorOptimizer.Step();
        return (terms.Encoder, terms.Generator);
    }

    /// <summary>Writes the sample grid (fixed z) and the reconstruction grid (real | G(N(E(x)))) for the current step.</summary>
    public void SaveGrids()
    {
        if (Folder is null)
        {
            return;
        }

        using var scope = DisposeScope.Enter();
        var model = CalibratedModel();
        ImageGrid.Save(Folder.Samples(Step), model.Sample(fixedLatents), 8);
        var real = data.First(32, Device);
        ImageGrid.Save(Folder.Reconstructions(Step), ImageGrid.Interleave(real, model.Reconstruct(real)), 8);
    }

    /// <summary>Appends rho on 1,000 fresh latents and the reconstruction quality of 500 training images (eval mode) to metric-rho.jsonl and metric-reconstruction.jsonl.</summary>
    public void WriteMetrics()
    {
        if (Folder is null)
        {
            return;
        }

        using var scope = DisposeScope.Enter();
        var model = CalibratedModel();
        var rho = Evaluation.EncoderMetrics.LatentCorrelation(model, 1000, seed: 123);
        var quality = Evaluation.EncoderMetrics.Reconstruction(model, data, 500);
        File.AppendAllText(Folder.Metric("rho"), JsonSerializer.Serialize(new { step = Step, rho }) + "\n");
        File.AppendAllText(Folder.Metric("reconstruction"), JsonSerializer.Serialize(new { step = Step, mse = quality.Mse, psnr = quality.Psnr, ssim = quality.Ssim }) + "\n");
    }

    /// <summary>Writes everything needed to resume exactly, atomically, to <paramref name="path"/>.</summary>
    public string SaveCheckpoint(string path)
    {
        using var scope = DisposeScope.Enter();
        CalibrateEncoder();
        var tensors = new List<(string, Tensor)>();
        tensors.AddRange(Generator.StateDict().Select(e => ("generator." + e.Name, e.Tensor)));
        tensors.AddRange(Encoder.StateDict().Select(e => ("encoder." + e.Name, e.Tensor)));
        if (Ema is not null)
        {
            tensors.AddRange(Ema.StateDict().Select(e => ("generator_ema." + e.Name, e.Tensor)));
        }

        tensors.AddRange(GeneratorOptimizer.StateDict().Select(e => ("optimizer.generator." + e.Name, e.Tensor)));
        tensors.AddRange(EncoderOptimizer.StateDict().Select(e => ("optimizer.encoder." + e.Name, e.Tensor)));
        tensors.Add(("training.rng_state", rng.GetState()));
        tensors.Add(("training.permutation", permutation));
        var metadata = new Dictionary<string, string>
        {
            [CheckpointMetadata.FormatKey] = CheckpointMetadata.Format,
            [CheckpointMetadata.SettingsKey] = Settings.ToJson(),
            [CheckpointMetadata.StepKey] = Step.ToString(CultureInfo.InvariantCulture),
            ["cursor"] = cursor.ToString(CultureInfo.InvariantCulture),
        };
        SafeTensors.Save(path, tensors, metadata);
        return path;
    }

    /// <summary>Creates a trainer in the state of <paramref name="checkpointPath"/>; it continues exactly where that run stopped.</summary>
    /// <exception cref="InvalidDataException">The file is not an OGan training checkpoint, or does not fit the data.</exception>
    public static Trainer Resume(string checkpointPath, ImageSet data, RunFolder? folder, long? steps = null)
    {
        using var checkpoint = CheckpointMetadata.Read(checkpointPath);
        var settings = checkpoint.Settings;
        if (steps is not null)
        {
            settings = settings with { Training = settings.Training with { Steps = steps.Value } };
        }

        var trainer = new Trainer(settings, data, folder);
        try
        {
            trainer.Restore(checkpoint, checkpointPath);
        }
        catch
        {
            trainer.Dispose();
            throw;
        }

        return trainer;
    }

    /// <summary>Frees networks, optimizer state and buffers.</summary>
    public void Dispose()
    {
        Generator.Dispose();
        Encoder.Dispose();
        Ema?.Dispose();
        GeneratorOptimizer.Dispose();
        EncoderOptimizer.Dispose();
        rng.Dispose();
        fixedLatents.Dispose();
        statsSum.Dispose();
        permutation.Dispose();
    }

    private void Restore(CheckpointMetadata checkpoint, string path)
    {
        var (tensors, metadata) = (checkpoint.Tensors, checkpoint.Metadata);
        try
        {
            Generator.LoadStateDict(checkpoint.Part("generator."));
            Encoder.LoadStateDict(checkpoint.Part("encoder."));
            Ema?.LoadStateDict(checkpoint.Part("generator_ema."));
            GeneratorOptimizer.LoadStateDict(checkpoint.Part("optimizer.generator."));
            EncoderOptimizer.LoadStateDict(checkpoint.Part("optimizer.encoder."));
            rng.SetState(tensors["training.rng_state"]);
            var saved = tensors["training.permutation"];
            if (saved.NumEl != data.Count)
            {
                throw new ArgumentException($"it was trained on {saved.NumEl} images, this data set has {data.Count}");
            }

            permutation.Dispose();
            permutation = saved.Clone().DetachFromScope();
            cursor = long.Parse(metadata["cursor"], CultureInfo.InvariantCulture);
            Step = long.Parse(metadata[CheckpointMetadata.StepKey], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or FormatException or TorchException)
        {
            throw new InvalidDataException($"{path} cannot resume this run: {e.Message}", e);
        }
    }

    private Tensor NextBatch()
    {
        if (cursor + Options.BatchSize > data.Count)
        {
            permutation.Dispose();
            permutation = Torch.Randperm(data.Count, rng).DetachFromScope();
            cursor = 0;
        }

        var indices = permutation.Slice(0, cursor, cursor + Options.BatchSize);
        cursor += Options.BatchSize;
        var batch = data.Batch(indices, Device);
        if (!Options.Flip)
        {
            return batch;
        }

        var flip = Torch.Rand([Options.BatchSize, 1, 1, 1], rng, device: Device).Lt(0.5);
        return Torch.Where(flip, batch.Flip(3), batch);
    }

    private Optimizer CreateOptimizer(IEnumerable<Tensor> parameters) => Options.Optimizer switch
    {
        OptimizerKind.Adam => new Adam(parameters, Options.EffectiveLearningRate, Options.Beta1, Options.Beta2),
        OptimizerKind.RMSprop => new RMSprop(parameters, Options.EffectiveLearningRate, Options.RmsAlpha),
        _ => throw new ArgumentOutOfRangeException(nameof(parameters), Options.Optimizer, "unknown optimizer"),
    };

    private static void SetRequiresGrad(Nn.Module module, bool value)
    {
        foreach (var parameter in module.Parameters())
        {
            parameter.RequiresGrad = value;
        }
    }

    private void UpdateEma(Models.Generator ema)
    {
        using var noGrad = Torch.NoGrad();
        var source = Generator.StateDict();
        var target = ema.StateDict();
        for (var i = 0; i < source.Count; i++)
        {
            if (target[i].Tensor.DType is DType.Float32 or DType.Float64)
            {
                target[i].Tensor.LerpInPlace(source[i].Tensor, 1 - Options.EmaDecay);
            }
            else
            {
                target[i].Tensor.CopyFrom(source[i].Tensor);
            }
        }
    }

    private void Report(double elapsed, double intervalSeconds)
    {
        if (statsCount == 0)
        {
            return;
        }

        var sums = statsSum.ToArray<float>();
        var means = sums.Select(s => (double)s / statsCount).ToArray();
        var images = statsCount * Options.BatchSize;
        var progress = new TrainingProgress(Step, Options.Steps, means[0], means[1], means[2], means[3], images / Math.Max(intervalSeconds, 1e-9), elapsed);
        statsSum.Fill(0);
        statsCount = 0;
        if (means.Any(m => !double.IsFinite(m)))
        {
            var last = Folder is null ? null : RunFolder.LatestCheckpoint(Folder.Path);
            throw new TrainingDivergedException(
                $"training diverged by step {Step}: a loss is NaN or infinite; " +
                (last is null ? "no checkpoint was written" : $"the last good checkpoint is {last}") +
                "; try a lower learning rate or another --loss");
        }

        if (Folder is not null)
        {
            var line = JsonSerializer.Serialize(new
            {
                step = progress.Step,
                loss_e = progress.EncoderLoss,
                loss_g = progress.GeneratorLoss,
                delta = progress.Delta,
                rho = progress.Rho,
                images_per_s = progress.ImagesPerSecond,
                seconds = progress.ElapsedSeconds,
            });
            File.AppendAllText(Folder.StatsFile, line + "\n");
        }

        Progress?.Invoke(progress);
    }
}
