using System.Diagnostics;
using OGan.Checkpoints;
using OGan.Data;
using OGan.Distributed;
using OGan.Engine;
using OGan.Inference;
using OGan.Losses;
using OGan.MixedPrecision;
using OGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Training;

/// <summary>
/// Trains an O-GAN: repeats <see cref="TrainingStep"/> on batches of the data, reports averaged losses every
/// log interval, and writes grids, metrics and checkpoints into a <see cref="RunFolder"/>. E's BatchNorm
/// statistics are recalibrated on real images before each of those (<see cref="CalibrateEncoder"/>).
/// With a <see cref="ProcessGroup"/> of several processes it trains data-parallel (<see cref="DataParallel"/>):
/// every process must create the trainer and call the same methods in the same order; rank 0 writes the run.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly ImageSet data;
    private readonly TrainingStep step;
    private readonly DataParallel parallel;
    private readonly bool writesRun;
    private readonly RunWriter? writer;
    private readonly LossSums losses;
    private long calibratedStep = -1;
    private IReadOnlyList<SettingChange>? resumeChanges;

    /// <summary>Creates networks and optimizers from <paramref name="settings"/> for <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The settings are invalid, do not fit the data, or name a device this machine lacks.</exception>
#pragma warning disable RS0027 // the constructor users have keeps its optional folder; the one with a group came later
    public Trainer(RunSettings settings, ImageSet data, RunFolder? folder = null)
#pragma warning restore RS0027
        : this(settings, data, folder, ProcessGroup.Single)
    {
    }

    /// <summary>
    /// Creates networks and optimizers from <paramref name="settings"/> for <paramref name="data"/>, trained by
    /// every process of <paramref name="group"/>: the batch size is the global batch, each process computes on
    /// its share, and every process starts from rank 0's state. Only rank 0 writes into <paramref name="folder"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The settings are invalid, do not fit the data or the processes, or name a device this machine lacks.</exception>
    public Trainer(RunSettings settings, ImageSet data, RunFolder? folder, ProcessGroup group)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(group);
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

        if (Options.BatchSize % group.Size != 0 || Options.BatchSize / group.Size < 2)
        {
            throw new ArgumentException(
                $"batch {Options.BatchSize} does not divide among {group.Size} processes into shares of at least 2 (the batch is the global batch): use a multiple of {group.Size}, e.g. {Math.Max(2, (Options.BatchSize + group.Size - 1) / group.Size) * group.Size}");
        }

        this.data = data;
        parallel = new DataParallel(group);
        LocalBatchSize = Options.BatchSize / group.Size;
        Folder = group.IsMain ? folder : null;
        writesRun = group.Any(Folder is not null);
        Device = Engine.Devices.Resolve(Options.Device);
        State = new TrainingState(Config, Options, Device, data.Count);
        Precision = PrecisionChoice.Resolve(Options.Precision, Device);
        State.SetAutocast(Options.ChannelsLast is { } channelsLast ? Precision.Policy with { ChannelsLast = channelsLast } : Precision.Policy);
        step = new TrainingStep(State, Options, new OGanLoss(GanObjective.Create(Options.Loss, Options.LambdaQp), Options.LambdaRho)) { Parallel = parallel };
        group.CheckAgreement(AgreementFacts()); // mismatched counts in a broadcast are undefined behaviour: check first
        parallel.BroadcastState(State);
        writer = Folder is null ? null : new RunWriter(Folder, data, Config.LatentDim, Options.Seed + 1, Device);
        if (Folder is not null && data.HeldOutNames is { } heldOut)
        {
            Folder.WriteHeldOut(heldOut); // what `ogan eval` measures against, by name
        }
        losses = new LossSums(Device);
    }

    /// <summary>Model and training settings.</summary>
    public RunSettings Settings { get; }

    /// <summary>The networks' shape.</summary>
    public OGanConfig Config { get; }

    /// <summary>The training options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Where the networks live.</summary>
    public Device Device { get; }

    /// <summary>The precision G and E compute in, and why (what auto resolved to).</summary>
    public PrecisionChoice Precision { get; }

    /// <summary>Networks, optimizers, random generator and position: what a checkpoint holds.</summary>
    public TrainingState State { get; }

    /// <summary>Iterations done.</summary>
    public long Step => State.Step;

    /// <summary>The run folder, when the trainer writes one (only rank 0 of a process group does).</summary>
    public RunFolder? Folder { get; }

    /// <summary>The processes that train this model (<see cref="ProcessGroup.Single"/> for one).</summary>
    public ProcessGroup Group => parallel.Group;

    /// <summary>The data-parallel machinery (its reduction time is the benchmarks').</summary>
    internal DataParallel Parallel => parallel;

    /// <summary>The images of each process's share of a batch: <see cref="TrainingOptions.BatchSize"/> / <see cref="ProcessGroup.Size"/>.</summary>
    public int LocalBatchSize { get; }

    /// <summary>
    /// Trains until <see cref="TrainingOptions.Steps"/> or cancellation (finishing the step under way; with
    /// several processes, all stop at the same step once any is cancelled), then writes a checkpoint if there
    /// is a folder. Every log interval the averaged losses go to stats.jsonl (<see cref="StatsLog"/>) and to
    /// <paramref name="progress"/>: the observers of a run (on rank 0 alone, with the whole job's means).
    /// </summary>
    /// <returns>The path of the last checkpoint written, or null without a folder.</returns>
    /// <exception cref="TrainingDivergedException">A loss became NaN or infinite.</exception>
    public string? Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (Folder is not null && (Step == 0 || resumeChanges is { Count: > 0 }))
        {
            Folder.WriteOptions(Settings, Step, resumeChanges);
            resumeChanges = null;
        }

        IProgress<TrainingProgress>[] observers = [.. new[] { Folder is null ? null : new StatsLog(Folder.StatsFile), progress }.OfType<IProgress<TrainingProgress>>()];
        if (!Group.IsMain)
        {
            observers = []; // rank 0 reports for the whole job
        }

        string? lastCheckpoint = null;
        long lastCheckpointStep = -1;
        var clock = Stopwatch.StartNew();
        var intervalStart = clock.Elapsed;
        while (Step < Options.Steps && !Group.Any(cancellation.IsCancellationRequested))
        {
            TrainStep();
            if (Step % Options.LogEvery == 0 || Step == Options.Steps)
            {
                var now = clock.Elapsed;
                Report(now.TotalSeconds, (now - intervalStart).TotalSeconds, observers);
                intervalStart = now;
            }

            if (Due(Options.SampleEvery))
            {
                SaveGrids();
            }

            if (Due(Options.MetricsEvery))
            {
                WriteMetrics();
            }

            if (Due(Options.SnapshotEvery))
            {
                (lastCheckpoint, lastCheckpointStep) = (SaveCheckpoint(), Step);
            }
        }

        if (writesRun && lastCheckpointStep != Step)
        {
            lastCheckpoint = SaveCheckpoint();
        }

        return lastCheckpoint;
    }

    /// <summary>One iteration on the next batch; every tensor it makes is freed before it returns.</summary>
    public void TrainStep()
    {
        using var scope = NewDisposeScope();
        losses.Add(step.Run(data));
        State.Advance();
    }

    /// <summary>
    /// Replaces E's BatchNorm running statistics by those of <see cref="TrainingOptions.CalibrationImages"/> real
    /// images drawn by the run's seed from the whole set, the same ones every time (training itself uses batch
    /// statistics, so this changes no loss).
    /// </summary>
    public void CalibrateEncoder()
    {
        // Grids, metrics and a checkpoint often fall on the same step: the weights, and so the result, are the same.
        if (Options.CalibrationImages > 0 && calibratedStep != Step)
        {
            using var scope = NewDisposeScope();
            BatchNormCalibration.Recalibrate(State.Encoder, data.Sample(Options.CalibrationImages, Options.BatchSize, Options.Seed, Device));
            calibratedStep = Step;
        }
    }

    /// <summary>Writes the sample grid (fixed z) and the reconstruction grid (real | G(N(E(x)))) for the current step.</summary>
    public void SaveGrids() => WriteAlone("write sample grids", runWriter => runWriter.SaveGrids(InferenceModel(), Step));

    /// <summary>Appends rho on 1,000 fresh latents and the reconstruction quality of 500 training images (eval mode) to metric-rho.jsonl and metric-reconstruction.jsonl.</summary>
    public void WriteMetrics() => WriteAlone("measure rho and write metrics", runWriter => runWriter.WriteMetrics(InferenceModel(), Step));

    /// <summary>Writes everything needed to resume exactly, atomically, to <paramref name="path"/> (with several processes: every one calls it, rank 0 writes).</summary>
    /// <returns><paramref name="path"/> on the process that wrote it (rank 0); null on the others, which wrote nothing.</returns>
    /// <exception cref="TrainingDivergedException">A weight, or a loss since the last log line, is NaN or infinite: nothing is written.</exception>
    public string? SaveCheckpoint(string path)
    {
        using var scope = NewDisposeScope();
        if (Group.Any(!IsFinite()))
        {
            throw Diverged("a weight or a loss is NaN or infinite, so no checkpoint was written for it");
        }

        SynchronizeStatistics();

        // No process goes on (or exits: under mpirun a SIGTERM'd job is killed as soon as one process ends) before the file is whole.
        Group.RunOnMain("write a checkpoint", () => Checkpoint.Write(path, Settings, State));
        return Group.IsMain ? path : null;
    }

    /// <summary>Creates a trainer in the state of <paramref name="checkpointPath"/>; it continues exactly where that run stopped.</summary>
    /// <exception cref="InvalidDataException">The file is not an OGan training checkpoint, or does not fit the data.</exception>
    public static Trainer Resume(string checkpointPath, ImageSet data, RunFolder? folder, long? steps) => Resume(checkpointPath, data, folder, steps, null);

    /// <summary>
    /// Creates a trainer in the state of <paramref name="checkpointPath"/>; it continues exactly where that run
    /// stopped, with <paramref name="steps"/> and <paramref name="precision"/> in place of the run's own when given
    /// (checkpoints are fp32 in every precision, so a bf16 run can go on in fp32 and back).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not an OGan training checkpoint, or does not fit the data.</exception>
#pragma warning disable RS0027 // the overload users have keeps its optional arguments; the one with a group came later
    public static Trainer Resume(string checkpointPath, ImageSet data, RunFolder? folder, long? steps = null, Precision? precision = null) =>
#pragma warning restore RS0027
        Resume(checkpointPath, data, folder, ProcessGroup.Single, steps, precision);

    /// <summary>
    /// Creates a trainer of every process of <paramref name="group"/> in the state of <paramref name="checkpointPath"/>,
    /// written by any number of processes: rank 0's reading of it is broadcast to the others.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not an OGan training checkpoint, or does not fit the data.</exception>
    public static Trainer Resume(string checkpointPath, ImageSet data, RunFolder? folder, ProcessGroup group, long? steps, Precision? precision) =>
        Resume(checkpointPath, data, folder, group, settings => settings with
        {
            Training = settings.Training with
            {
                Steps = steps ?? settings.Training.Steps,
                Precision = precision ?? settings.Training.Precision,
            },
        });

    /// <summary>
    /// Creates a trainer of every process of <paramref name="group"/> in the state of <paramref name="checkpointPath"/>,
    /// with the run's settings as <paramref name="adjust"/> changes them: how long and how fast it trains, on what
    /// device, in what precision, how often it logs and saves (<see cref="ResumePolicy.MayChange"/>); what is
    /// trained cannot change. <see cref="Run"/> records the changes in options.json.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not an OGan training checkpoint, or does not fit the data.</exception>
    /// <exception cref="ArgumentException"><paramref name="adjust"/> changed what is trained (the model, data, batch, objective, optimizer, seed, ...) or made the settings invalid.</exception>
    public static Trainer Resume(string checkpointPath, ImageSet data, RunFolder? folder, ProcessGroup group, Func<RunSettings, RunSettings> adjust)
    {
        ArgumentNullException.ThrowIfNull(adjust);
        using var checkpoint = Checkpoint.Read(checkpointPath);
        var (settings, changes) = ResumePolicy.Apply(checkpointPath, checkpoint.Settings, adjust);
        var trainer = new Trainer(settings, data, folder, group);
        try
        {
            trainer.resumeChanges = changes;
            checkpoint.Restore(trainer.State);
            trainer.parallel.BroadcastState(trainer.State);
            trainer.Folder?.TruncateLogs(trainer.Step);
            trainer.Folder?.RemoveTemporaryFiles();
        }
        catch
        {
            trainer.Dispose();
            throw;
        }

        return trainer;
    }

    /// <summary>
    /// Creates a trainer of twice the resolution of <paramref name="checkpointPath"/>'s model, which it grows from
    /// (<see cref="Growth"/>): every layer of that model keeps its weights and optimizer state, G gains a block at
    /// its output and E one at its input, and the new blocks fade in over <see cref="TrainingOptions.FadeImages"/>
    /// images of <paramref name="settings"/> (<see cref="Fade"/>), or, where the settings' model has one more
    /// <see cref="OGanConfig.Skips"/>, start silent beside the old image layers, which stay. The run starts at step 0
    /// with the settings' own schedule, seed and data order; options.json records where it grew from.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not an OGan checkpoint, or its model cannot grow into <paramref name="settings"/>' (another width, z, kernel, channels or skips, or not half the size).</exception>
    /// <exception cref="ArgumentException">The settings grow by skips and ask for a fade as well.</exception>
    public static Trainer Grow(string checkpointPath, RunSettings settings, ImageSet data, RunFolder? folder, ProcessGroup group)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var checkpoint = Checkpoint.Read(checkpointPath);
        if (Growth.WhyNot(checkpoint.Settings.Model, settings.Model) is { } why)
        {
            throw new InvalidDataException($"{checkpointPath} cannot grow into this model: {why}");
        }

        if (Growth.BySkips(checkpoint.Settings.Model, settings.Model) && settings.Training.FadeImages > 0)
        {
            throw new ArgumentException("a model grown by skips keeps its old image layers and has no fade: set FadeImages to 0", nameof(settings));
        }

        var trainer = new Trainer(settings with { Training = settings.Training with { GrowFrom = Path.GetFullPath(checkpointPath) } }, data, folder, group);
        try
        {
            Growth.Apply(checkpoint, trainer.State);
            trainer.parallel.BroadcastState(trainer.State);
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
        State.Dispose();
        writer?.Dispose();
        losses.Dispose();
    }

    // What every process must share with rank 0: what it trains (its data path may differ between machines), in what
    // precision, on which images, and the shapes of every tensor the broadcasts and all-reduces carry.
    private List<(string What, string Value)> AgreementFacts()
    {
        using var scope = NewDisposeScope();
        var ends = data.PixelsAt([0, data.Count - 1]).contiguous().data<byte>().ToArray();
        var shapes = new nn.Module?[] { State.Generator, State.Encoder, State.Ema }.OfType<nn.Module>()
            .SelectMany(m => m.state_dict()).Select(p => $"{p.Key}:{string.Join('x', p.Value.shape)}:{p.Value.dtype}");
        return
        [
            ("settings", (Settings with { Data = "" }).ToJson()),
            ("precision", Precision.Precision.ToString()),
            ("data", $"{data.Count} images of {data.Channels}x{data.Size}x{data.Size}, first and last {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(ends))}"),
            ("tensor shapes", string.Join(';', shapes)),
        ];
    }

    private TrainingDivergedException Diverged(string what)
    {
        var last = Folder is null ? null : RunFolder.LatestCheckpoint(Folder.Path);
        return new TrainingDivergedException(
            $"training diverged by step {Step}: {what}; " +
            (last is null ? "no checkpoint was written" : $"the last good checkpoint is {last}") +
            "; try a lower learning rate or another --loss");
    }

    // Every weight of G, E and the moving average, and the losses summed since the last log line.
    private bool IsFinite()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var modules = new nn.Module?[] { State.Generator, State.Encoder, State.Ema }.OfType<nn.Module>();
        return losses.AreFinite() && modules.SelectMany(m => m.parameters()).All(p => p.isfinite().all().item<bool>());
    }

    private bool Due(int every) => writesRun && every > 0 && Step % every == 0;

    // Every process calls it (the collectives inside need them all); processes without a run folder pass no path.
    private string? SaveCheckpoint() => SaveCheckpoint(Folder?.Checkpoint(Step) ?? "") is { Length: > 0 } path ? path : null;

    // Every process calls it; when the run writes, rank 0 writes (its writer) while the others wait for it.
    private void WriteAlone(string what, Action<RunWriter> write)
    {
        if (writesRun)
        {
            SynchronizeStatistics();
            Group.RunOnMain(what, () => write(writer!));
        }
    }

    // Every process calls it: BatchNorm's statistics pooled across processes (which replaces E's calibrated ones
    // too, so they are calibrated again), then E calibrated where the run is written.
    private void SynchronizeStatistics()
    {
        if (parallel.IsDistributed)
        {
            parallel.AverageBuffers(State.Generator, State.Ema, State.Encoder);
            calibratedStep = -1;
        }

        if (Group.IsMain)
        {
            CalibrateEncoder();
        }
    }

    // The networks as an inference model (the EMA generator if any); they keep the trainer's policies (channels-last included).
    private OGanModel InferenceModel() => new(Config, State.Ema ?? State.Generator, State.Encoder, ownsNetworks: false);

    private void Report(double elapsed, double intervalSeconds, IProgress<TrainingProgress>[] observers)
    {
        if (losses.Count == 0)
        {
            return;
        }

        var (means, count) = losses.TakeMeans(Group);
        var images = count * Options.BatchSize;
        var report = new TrainingProgress(Step, Options.Steps, means[0], means[1], means[2], means[3], images / Math.Max(intervalSeconds, 1e-9), elapsed);
        if (means.Any(m => !double.IsFinite(m)))
        {
            throw Diverged("a loss is NaN or infinite");
        }

        foreach (var observer in observers)
        {
            observer.Report(report);
        }

        Engine.NativeMemory.Trim(); // once an interval: keeps a long run's resident memory flat
    }
}
