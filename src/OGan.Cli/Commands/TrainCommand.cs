using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OGan.Checkpoints;
using OGan.Data;
using OGan.Distributed;
using OGan.Losses;
using OGan.MixedPrecision;
using OGan.Models;
using OGan.Training;

namespace OGan.Cli;

/// <summary>ogan train: trains an O-GAN into a numbered run folder.</summary>
internal static class TrainCommand
{
    private static readonly TrainingOptions Defaults = new();
    private static readonly OGanConfig ModelDefaults = new();

    private static readonly Option<string> Out = new("--out") { Description = "Folder that receives the numbered run folders", DefaultValueFactory = _ => "runs" };
    private static readonly Option<int> Batch = new("--batch") { Description = "Images per batch (photos: see `--dry-run`, docs/results.md section 10)", DefaultValueFactory = _ => Defaults.BatchSize };
    private static readonly Option<long> Steps = new("--steps") { Description = "Iterations (an E step and a G step each)", DefaultValueFactory = _ => Defaults.Steps };
    private static readonly Option<long> ImagesSeen = new("--images") { Description = "Train until this many real images were seen, instead of --steps (steps = images / batch, rounded up)" };
    private static readonly Option<double> Lr = new("--lr") { Description = "Learning rate (0: Adam 2e-4, RMSprop 1e-4; photos: 4e-4)", DefaultValueFactory = _ => Defaults.LearningRate };
    private static readonly Option<double> LrE = new("--lr-e") { Description = "E's learning rate, for two time-scale updates (0: --lr)", DefaultValueFactory = _ => Defaults.EncoderLearningRate };
    private static readonly Option<double> LrG = new("--lr-g") { Description = "G's learning rate (0: --lr)", DefaultValueFactory = _ => Defaults.GeneratorLearningRate };
    private static readonly Option<LearningRateDecay> LrDecay = new("--lr-decay") { Description = "How the learning rates fall over --schedule-steps: none, linear or cosine (photos: none)", DefaultValueFactory = _ => Defaults.LearningRateDecay, CustomParser = EnumValues.Parse<LearningRateDecay> };
    private static readonly Option<double> LrFloor = new("--lr-floor") { Description = "The learning rates at the schedule's end, as a fraction of their start, with --lr-decay", DefaultValueFactory = _ => Defaults.LearningRateFloor };
    private static readonly Option<long> ScheduleSteps = new("--schedule-steps") { Description = "Iterations over which --lr-decay and --lambda-rho-growth run their course, then hold (0: --steps)", DefaultValueFactory = _ => Defaults.ScheduleSteps };
    private static readonly Option<double> Beta1 = new("--beta1") { Description = "Adam's beta1", DefaultValueFactory = _ => Defaults.Beta1 };
    private static readonly Option<double> Beta2 = new("--beta2") { Description = "Adam's beta2", DefaultValueFactory = _ => Defaults.Beta2 };
    private static readonly Option<OptimizerKind> OptimizerOption = new("--optimizer") { Description = "adam or rmsprop", DefaultValueFactory = _ => Defaults.Optimizer, CustomParser = EnumValues.Parse<OptimizerKind> };
    private static readonly Option<GanLoss> Loss = new("--loss") { Description = "Adversarial objective: qp, hinge or logistic", DefaultValueFactory = _ => Defaults.Loss, CustomParser = EnumValues.Parse<GanLoss> };
    private static readonly Option<double> LambdaQp = new("--lambda-qp") { Description = "Weight of GAN-QP's R penalty", DefaultValueFactory = _ => Defaults.LambdaQp };
    private static readonly Option<double> LambdaRho = new("--lambda-rho") { Description = "Weight of the correlation term (0: plain GAN)", DefaultValueFactory = _ => Defaults.LambdaRho };
    private static readonly Option<long> LambdaRhoWarmup = new("--lambda-rho-warmup") { Description = "Iterations over which the correlation term's weight rises linearly from 0 (0: constant)", DefaultValueFactory = _ => Defaults.LambdaRhoWarmup };
    private static readonly Option<double> LambdaRhoGrowth = new("--lambda-rho-growth") { Description = "The correlation term's weight at the schedule's end, as a multiple of --lambda-rho: it grows linearly after the warm-up (1: constant)", DefaultValueFactory = _ => Defaults.LambdaRhoGrowth };
    private static readonly Option<int> Width = new("--width") { Description = "Widest layer's channels (0: res * 8, the paper's)", DefaultValueFactory = _ => ModelDefaults.Width };
    private static readonly Option<int> ZDim = new("--zdim") { Description = "Latent dimension (0: res)", DefaultValueFactory = _ => ModelDefaults.ZDim };
    private static readonly Option<int> Threads = new("--threads") { Description = "CPU threads for libtorch (0: $OGAN_NUM_THREADS, else all cores)", DefaultValueFactory = _ => 0 };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "Seed of every random number in the run", DefaultValueFactory = _ => Defaults.Seed };
    private static readonly Option<string?> Resume = new("--resume") { Description = "Run folder (its latest checkpoint) or checkpoint file to continue" };
    private static readonly Option<string?> AugmentOption = new("--augment") { Description = "Differentiable augmentation of the images E sees, real and generated, in both steps (DiffAugment): a comma-separated list of color, translation, cutout (the paper's: color,translation,cutout)" };
    private static readonly Option<double> AugmentProbability = new("--augment-p") { Description = "With --augment: the chance that each image is augmented", DefaultValueFactory = _ => 1.0 };
    private static readonly Option<string?> GrowSizes = new("--grow") { Description = "Train at these smaller sizes first and grow the model to --res, e.g. --grow 64 at --res 128 (each stage a run folder of its own; none: off, the default)" };
    private static readonly Option<double> GrowShare = new("--grow-share") { Description = "With --grow: the share of --time-limit (else --steps) spent below --res, split evenly between the smaller sizes", DefaultValueFactory = _ => 0.67 };
    private static readonly Option<string?> GrowFrom = new("--grow-from") { Description = "Run folder (its latest checkpoint) or checkpoint of half the resolution to grow from: its layers keep their weights, new ones fade in (defaults: twice its --res, its data, width, z and --holdout)" };
    private static readonly Option<long> Fade = new("--fade") { Description = "With --grow-from: images over which the new layers fade in (0: at once)", DefaultValueFactory = _ => 20_000 };
    private static readonly Option<int> SnapshotEvery = new("--snapshot-every") { Description = "Iterations between checkpoints", DefaultValueFactory = _ => Defaults.SnapshotEvery };
    private static readonly Option<int> SampleEvery = new("--sample-every") { Description = "Iterations between sample/reconstruction grids", DefaultValueFactory = _ => Defaults.SampleEvery };
    private static readonly Option<int> MetricsEvery = new("--metrics-every") { Description = "Iterations between quick metrics (rho, reconstruction) into metric-*.jsonl (0: off)", DefaultValueFactory = _ => Defaults.MetricsEvery };
    private static readonly Option<int> LogEvery = new("--log-every") { Description = "Iterations between progress lines", DefaultValueFactory = _ => Defaults.LogEvery };
    private static readonly Option<double> Ema = new("--ema") { Description = "EMA decay of G's weights for samples and reconstructions, warmed up as min(decay, (1 + t) / (10 + t)) (0: off)", DefaultValueFactory = _ => Defaults.EmaDecay };
    private static readonly Option<bool> Flip = new("--flip") { Description = "Random horizontal flips of real images (photos: on unless --flip false)" };
    private static readonly Option<double> HoldoutShare = new("--holdout") { Description = "Share of an image folder held back from training by name, for `ogan eval` to measure against (e.g. 0.1; 0: train on every image)", DefaultValueFactory = _ => Defaults.Holdout };
    private static readonly Option<bool> SinglePass = new("--single-pass") { Description = "The author's single combined step (one G pass per iteration) instead of alternating E and G steps" };
    private static readonly Option<int> CalibrationImages = new("--calibration-images") { Description = "Real images that recalibrate E's BatchNorm statistics before each checkpoint (0: off)", DefaultValueFactory = _ => Defaults.CalibrationImages };
    private static readonly Option<string?> TimeLimit = new("--time-limit") { Description = "Stop after this much training time (e.g. 90s, 20m, 1.5h) and save, even before --steps" };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Print the resolved options and exit" };

    // The options whose defaults could change, each with how to read it; TellChangedDefaults names those whose default differs from 0.2's.
    private static readonly (Option Option, Func<TrainingOptions, object?> Value)[] DefaultedOptions =
    [
        (Lr, o => o.LearningRate), (LrE, o => o.EncoderLearningRate), (LrG, o => o.GeneratorLearningRate), (LrDecay, o => o.LearningRateDecay),
        (LrFloor, o => o.LearningRateFloor), (ScheduleSteps, o => o.ScheduleSteps), (OptimizerOption, o => o.Optimizer), (Beta1, o => o.Beta1), (Beta2, o => o.Beta2), (Loss, o => o.Loss),
        (LambdaQp, o => o.LambdaQp), (LambdaRho, o => o.LambdaRho), (LambdaRhoWarmup, o => o.LambdaRhoWarmup), (LambdaRhoGrowth, o => o.LambdaRhoGrowth),
        (Ema, o => o.EmaDecay), (Batch, o => o.BatchSize), (CalibrationImages, o => o.CalibrationImages),
    ];

    public static Command Create()
    {
        var command = new Command("train", "Train an O-GAN (default: Fashion-MNIST at 32 px, width 128) into a numbered run folder; photos take the photo defaults where an option is not given (`--dry-run` prints what a run gets)")
        {
            DataOptions.Data, DataOptions.Res, DataOptions.Channels, DataOptions.DataRoot, Out, Batch, Steps, ImagesSeen, TimeLimit, Lr, LrE, LrG, LrDecay, LrFloor, ScheduleSteps, OptimizerOption, Beta1, Beta2, Loss,
            LambdaQp, LambdaRho, LambdaRhoWarmup, LambdaRhoGrowth, Width, ZDim, ModelOptions.Device, ModelOptions.Precision, Threads, Seed,
            Resume, GrowSizes, GrowShare, GrowFrom, Fade, AugmentOption, AugmentProbability, SnapshotEvery, SampleEvery, MetricsEvery, LogEvery, Ema, Flip, HoldoutShare, SinglePass, CalibrationImages, DryRun,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(Guard.Run(parse, log => Run(parse, log, cancellation))));
        return command;
    }

    private static int Run(ParseResult parse, ILogger log, CancellationToken cancellation, string? stageNote = null)
    {
        // MPI's world under mpirun or srun, else this process alone. Guard finalizes MPI, or aborts the job on an error.
        var group = ProcessGroup.FromEnvironment();
        var resume = parse.GetValue(Resume);
        if (resume is not null && parse.GetResult(Out) is { Implicit: false })
        {
            throw new UserError($"--out {parse.GetValue(Out)} cannot be given with --resume: a resumed run goes on in its own folder ({resume}); leave --out out", Guard.Usage) { Agreed = true };
        }

        if (resume is not null && parse.GetValue(GrowFrom) is not null)
        {
            throw new UserError("--grow-from cannot be given with --resume: a grown run is a new run; resume it later with --resume alone", Guard.Usage) { Agreed = true };
        }

        if (resume is null && parse.GetValue(GrowFrom) is null && !parse.GetValue(DryRun) && GrowthOf(parse) is { } growSizes)
        {
            if (group.Size > 1)
            {
                throw new UserError("--grow runs its stages in one process: under mpirun, train each stage with --res, then --grow-from it", Guard.Usage) { Agreed = true };
            }

            var finalSize = DataOptions.Resolve(parse).Size;
            var schedule = GrowthSchedule.Sizes(growSizes, finalSize);
            var budget = Duration.Parse(parse.GetValue(TimeLimit), "--time-limit");
            var smallShare = GrowthSchedule.Share(parse.GetValue(GrowShare));
            return GrowthSchedule.Run(parse, log, schedule, finalSize, smallShare, budget, StepsOf(parse, parse.GetValue(Batch)), (stage, note) => Run(stage, log, cancellation, note), () => lastRunFolder);
        }

        var resumeCheckpoint = resume is null ? null : ResolveResume(resume);
        var resumed = resumeCheckpoint is null ? null : SettingsOf(resumeCheckpoint, log);

        var growCheckpoint = parse.GetValue(GrowFrom) is { } growFrom ? ResolveResume(growFrom, "--grow-from") : null;
        var smaller = growCheckpoint is null ? null : SettingsOf(growCheckpoint, log);
        bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
        var (data, size, channels) = resumed is not null && !Given(DataOptions.Data)
            ? (resumed.Data, resumed.Model.ImageSize, resumed.Model.Channels) // a resumed run trains on what it was trained on, unless told otherwise
            : smaller is not null
                ? (Given(DataOptions.Data) ? DataOptions.Resolve(parse).Data : smaller.Data, Given(DataOptions.Res) ? parse.GetValue(DataOptions.Res) : 2 * smaller.Model.ImageSize, smaller.Model.Channels)
                : DataOptions.Resolve(parse);
        // Photos take the faces study's defaults (docs/results.md section 10) where an option is not given.
        var photos = IsPhotos(data);
        var (modelDefaults, trainingDefaults) = photos ? (PhotoDefaults.Model(size), PhotoDefaults.Training(size)) : (ModelDefaults, Defaults);
        if (smaller is not null)
        {
            // A grown model keeps the smaller one's shape and held-out photos unless told otherwise.
            modelDefaults = modelDefaults with { Width = smaller.Model.MaxChannels, ZDim = smaller.Model.LatentDim, KernelSize = smaller.Model.KernelSize };
        }

        T Value<T>(Option<T> option, T fallback) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fallback;
        var settings = new RunSettings(
            new OGanConfig { ImageSize = size, Channels = channels, Width = Value(Width, modelDefaults.Width), ZDim = Value(ZDim, modelDefaults.ZDim) },
            new TrainingOptions
            {
                BatchSize = Value(Batch, trainingDefaults.BatchSize), Steps = StepsOf(parse, Value(Batch, trainingDefaults.BatchSize)), LearningRate = Value(Lr, trainingDefaults.LearningRate),
                EncoderLearningRate = Value(LrE, trainingDefaults.EncoderLearningRate), GeneratorLearningRate = Value(LrG, trainingDefaults.GeneratorLearningRate),
                LearningRateDecay = Value(LrDecay, trainingDefaults.LearningRateDecay), LearningRateFloor = Value(LrFloor, trainingDefaults.LearningRateFloor), ScheduleSteps = Value(ScheduleSteps, trainingDefaults.ScheduleSteps),
                Optimizer = parse.GetValue(OptimizerOption), Beta1 = parse.GetValue(Beta1), Beta2 = parse.GetValue(Beta2), Loss = parse.GetValue(Loss), LambdaQp = parse.GetValue(LambdaQp),
                LambdaRho = parse.GetValue(LambdaRho), LambdaRhoWarmup = parse.GetValue(LambdaRhoWarmup), LambdaRhoGrowth = Value(LambdaRhoGrowth, trainingDefaults.LambdaRhoGrowth), EmaDecay = Value(Ema, trainingDefaults.EmaDecay), Seed = parse.GetValue(Seed),
                Device = parse.GetValue(ModelOptions.Device)!, Flip = Value(Flip, trainingDefaults.Flip), Holdout = Value(HoldoutShare, smaller?.Training.Holdout ?? Defaults.Holdout), LogEvery = parse.GetValue(LogEvery),
                SampleEvery = parse.GetValue(SampleEvery), SnapshotEvery = parse.GetValue(SnapshotEvery), MetricsEvery = parse.GetValue(MetricsEvery),
                Formulation = parse.GetValue(SinglePass) ? Formulation.SinglePass : Formulation.Alternating,
                CalibrationImages = parse.GetValue(CalibrationImages), Precision = parse.GetValue(ModelOptions.Precision),
                Augment = parse.GetValue(AugmentOption), AugmentProbability = parse.GetValue(AugmentProbability),
                GrowFrom = growCheckpoint is null ? null : Path.GetFullPath(growCheckpoint), FadeImages = growCheckpoint is null ? 0 : parse.GetValue(Fade),
            },
            data);
        try
        {
            settings.Model.Validate();
            settings.Training.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.Message, Guard.Usage) { Agreed = true };
        }

        if (settings.Training.Holdout > 0 && DataOptions.IsFashionMnist(data) && resumed is null)
        {
            throw new UserError($"--holdout {settings.Training.Holdout}: {data} has its own test set, which `ogan eval` measures against; leave --holdout out", Guard.Usage) { Agreed = true };
        }

        ModelOptions.ParseDevice(settings.Training.Device);
        if (resumeCheckpoint is null && group.Size > 1 && (settings.Training.BatchSize % group.Size != 0 || settings.Training.BatchSize / group.Size < 2))
        {
            throw new UserError(
                $"--batch {settings.Training.BatchSize}: the global batch must divide among the {group.Size} processes into shares of at least 2; use a multiple of {group.Size}",
                Guard.Usage) { Agreed = true };
        }

        var timeLimit = Duration.Parse(parse.GetValue(TimeLimit), "--time-limit");
        if (parse.GetValue(DryRun))
        {
            if (resumed is null && smaller is null && GrowthOf(parse) is { } schedule)
            {
                log.LogInformation("growth schedule: {Sizes} px first ({Share:P0} of the budget), then grown to {Size} px; the settings below are the last stage's, whose width, z and kernel the first stage sets", schedule, parse.GetValue(GrowShare), size);
            }

            // What the run would train with: a resumed run's own settings, as the options given change them.
            Console.WriteLine((resumed is null ? settings : ResumeSettings(resumed, settings, parse)).ToJson());
            return 0;
        }

        var threads = Engine.Runtime.SetThreads(parse.GetValue(Threads));

        using var interrupt = new InterruptHandler("stopping after this step and saving a checkpoint");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, interrupt.Token);
        using var outOfTime = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, outOfTime.Token);
        var holdout = (resumed ?? settings).Training.Holdout is > 0 and var share ? new Holdout(share, HoldoutPart.Training) : null;
        using var images = DataSets.Open(data, size, channels, parse.GetValue(DataOptions.DataRoot), log: m => log.LogInformation("{Message}", m), holdout: holdout, cancellation: linked.Token);
        using var trainer = resumeCheckpoint is not null ? Continue(resumeCheckpoint, images, parse, settings, group)
            : growCheckpoint is not null ? Grow(growCheckpoint, settings, images, parse.GetValue(Out)!, group)
            : NewRun(settings, images, parse.GetValue(Out)!, group);
        if (growCheckpoint is not null)
        {
            log.LogInformation("grown from {Checkpoint} ({Smaller} px): its layers keep their weights and optimizer state; the new ones fade in over {Fade:N0} images", growCheckpoint, smaller!.Model.ImageSize, trainer.Options.FadeImages);
        }

        var folderPath = trainer.Folder?.Path ?? "rank 0's run folder";
        if (resumeCheckpoint is null && holdout is not null && trainer.Folder is { } runFolder)
        {
            log.LogInformation("held back {Count} images ({Share:P0}) for ogan eval; their names are in {File}", images.HeldOutNames?.Count ?? 0, holdout.Fraction, runFolder.HeldOutFile);
        }

        if (stageNote is not null)
        {
            log.LogInformation("{Stage}", stageNote);
        }

        log.LogInformation(
            "training on {Data} ({Count} images), {Size} px, width {Width}, z {Z}, {Loss} + rho x {Rho}, {Optimizer}, {Formulation}, {Threads} threads, {Device}, {Precision}, into {Folder}",
            images.Name, images.Count, trainer.Config.ImageSize, trainer.Config.MaxChannels, trainer.Config.LatentDim, trainer.Options.Loss,
            trainer.Options.LambdaRho, trainer.Options.Optimizer, trainer.Options.Formulation, threads, trainer.Device, trainer.Precision.Reason, folderPath);
        if (trainer.Precision.Precision == Precision.Bf16 && trainer.Device.type == TorchSharp.DeviceType.CPU)
        {
            log.LogInformation("{Thin}", ThinConvolutionProbe.Result.Describe());
        }

        if (group.Size > 1)
        {
            log.LogInformation("data-parallel over {Size} processes ({Backend}): {Local} images each of every batch of {Batch}", group.Size, group.Backend, trainer.LocalBatchSize, trainer.Options.BatchSize);
            log.LogInformation("threads of each rank (0 to {Last}): {Threads}", group.Size - 1, string.Join(", ", ThreadsOfEachRank(group, threads)));
        }

        if (photos && resumed is null)
        {
            TellPhotoDefaults(log, parse, trainer);
        }
        else
        {
            TellChangedDefaults(log, parse, resumed is null ? null : trainer.Options, trainingDefaults);
        }
        var startStep = trainer.Step; // a resumed run's clock starts here
        var progress = new CallbackProgress<TrainingProgress>(p => ProgressLine.Update(string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.TotalSteps}  {p.ImagesPerSecond:F0} img/s  eta {Eta(p, startStep, timeLimit)}  loss_e {p.EncoderLoss:F4}  loss_g {p.GeneratorLoss:F4}  delta {p.Delta:F4}  rho {p.Rho:F3}")));
        if (timeLimit is { } limit)
        {
            outOfTime.CancelAfter(limit); // counted from the first step, after the data and networks are ready
        }

        var checkpoint = trainer.Run(progress, stop.Token);
        ProgressLine.Finish();
        if (linked.IsCancellationRequested)
        {
            log.LogInformation("interrupted at step {Step}; saved {Checkpoint}; continue with --resume {Folder}", trainer.Step, checkpoint, folderPath);
            return 130;
        }

        if (outOfTime.IsCancellationRequested)
        {
            log.LogInformation("time limit {Limit} reached at step {Step} of {Steps}; saved {Checkpoint}", parse.GetValue(TimeLimit), trainer.Step, trainer.Options.Steps, checkpoint);
        }

        if (trainer.Options.SampleEvery == 0 || trainer.Step % trainer.Options.SampleEvery != 0)
        {
            trainer.SaveGrids(); // the last step's grids, unless the interval just wrote them
        }

        if (trainer.Folder is { } folder)
        {
            log.LogInformation("done. Wrote {Checkpoint}, {Samples}, {Reconstructions} and {Stats}", checkpoint, folder.Samples(trainer.Step), folder.Reconstructions(trainer.Step), folder.StatsFile);
        }

        return 0;
    }

    /// <summary>
    /// Names, once, the options whose defaults changed since OGan 0.2: those a new run takes without being given
    /// them, or those a resumed run keeps at 0.2's value (<paramref name="resumed"/>: the resumed run's options).
    /// </summary>
    private static void TellChangedDefaults(ILogger log, ParseResult parse, TrainingOptions? resumed, TrainingOptions current)
    {
        var changed = DefaultedOptions.Where(d => !Equals(d.Value(PreviousDefaults.Options), d.Value(current))).ToList();
        if (resumed is null)
        {
            var taken = changed.Where(d => parse.GetResult(d.Option) is null or { Implicit: true }).ToList();
            if (taken.Count > 0)
            {
                log.LogInformation(
                    "defaults changed since OGan {Version} (docs/results.md section 9); this run uses {Changes}; give the old values to train as {Version} did",
                    PreviousDefaults.Version, string.Join(", ", taken.Select(d => $"{d.Option.Name} {Show(d.Value(current))} (was {Show(d.Value(PreviousDefaults.Options))})")), PreviousDefaults.Version);
            }
        }
        else
        {
            var kept = changed.Where(d => !Equals(d.Value(resumed), d.Value(current))).ToList();
            if (kept.Count > 0)
            {
                log.LogInformation(
                    "this run keeps the options it was trained with, though the defaults changed since OGan {Version}: {Kept}",
                    PreviousDefaults.Version, string.Join(", ", kept.Select(d => $"{d.Option.Name} {Show(d.Value(resumed))} (now {Show(d.Value(current))})")));
            }
        }
    }

    /// <summary>Names, once, the photo defaults a new run on photos takes without being given them.</summary>
    private static void TellPhotoDefaults(ILogger log, ParseResult parse, Trainer trainer)
    {
        bool Taken(Option option) => parse.GetResult(option) is null or { Implicit: true };
        var (model, options) = (trainer.Config, trainer.Options);
        var taken = new (Option Option, object? Value)[]
        {
            (Width, model.MaxChannels), (ZDim, model.LatentDim), (Batch, options.BatchSize), (Flip, options.Flip), (Lr, options.EffectiveLearningRate),
            (LrDecay, options.LearningRateDecay), (ScheduleSteps, options.ScheduleSteps), (Ema, options.EmaDecay),
        }.Where(t => Taken(t.Option) && !(options.GrowFrom is not null && (t.Option == Width || t.Option == ZDim))) // a grown model's shape is its smaller model's
            .Select(t => $"{t.Option.Name} {Show(t.Value)}").ToList();
        if (taken.Count > 0)
        {
            log.LogInformation("photo defaults at {Size} px (docs/results.md section 10): {Taken}; give an option to change it", model.ImageSize, string.Join(", ", taken));
        }
    }

    /// <summary>Whether <paramref name="data"/> is photos (a folder, preset, database or prepared file), not Fashion-MNIST's grey IDX images.</summary>
    private static bool IsPhotos(string data) => !DataOptions.IsFashionMnist(data) && !FashionMnist.HoldsIdx(data);

    private static string Show(object? value) => value switch
    {
        null => "off",
        Enum e => e.ToString().ToLowerInvariant(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    // The growth schedule of a new run: --grow as given (none: off).
    private static string? GrowthOf(ParseResult parse)
    {
        if (parse.GetResult(GrowSizes) is { Implicit: false })
        {
            var given = parse.GetValue(GrowSizes);
            return given is null || given.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : given;
        }

        return null; // no default schedule: at 128 px the study's grown row lost to training at 128 px (docs/results.md section 11)
    }

    // The run folder the last new or grown run of this process made (for the growth schedule's next stage).
    private static string? lastRunFolder;

    private static Trainer NewRun(RunSettings settings, ImageSet images, string outRoot, ProcessGroup group)
    {
        var folder = group.IsMain ? RunFolder.CreateNext(outRoot, $"{settings.Data}-{settings.Model.ImageSize}") : null;
        lastRunFolder = folder?.Path;
        return new Trainer(settings, images, folder, group);
    }

    // Every rank's thread count, gathered with one all-reduce (each rank fills its own place), and the cores it may use.
    private static IEnumerable<string> ThreadsOfEachRank(ProcessGroup group, int threads)
    {
        using var counts = TorchSharp.torch.zeros([group.Size, 2], TorchSharp.torch.ScalarType.Int64);
        counts[group.Rank, 0] = TorchSharp.torch.tensor((long)threads);
        counts[group.Rank, 1] = TorchSharp.torch.tensor((long)Engine.Runtime.UsableCores);
        group.AllReduce(counts);
        var values = counts.data<long>().ToArray();
        return Enumerable.Range(0, group.Size).Select(rank => $"{values[2 * rank]} on {values[(2 * rank) + 1]} cores");
    }

    private static string ResolveResume(string resume, string option = "--resume") =>
        Directory.Exists(resume)
            ? RunFolder.LatestCheckpoint(resume) ?? throw new UserError($"{option} {resume}: the folder holds no checkpoint-*.safetensors")
            : File.Exists(resume) ? resume : throw new UserError($"{option} {resume}: no such run folder or checkpoint", Guard.Usage);

    private static Trainer Grow(string checkpoint, RunSettings settings, ImageSet images, string outRoot, ProcessGroup group)
    {
        var folder = group.IsMain ? RunFolder.CreateNext(outRoot, $"{settings.Data}-{settings.Model.ImageSize}") : null;
        lastRunFolder = folder?.Path;
        try
        {
            return Trainer.Grow(checkpoint, settings, images, folder, group);
        }
        catch (InvalidDataException e)
        {
            if (folder is not null && !Directory.EnumerateFileSystemEntries(folder.Path).Any())
            {
                Directory.Delete(folder.Path);
            }

            throw new UserError($"--grow-from {e.Message}", Guard.Usage) { Agreed = true };
        }
    }

    // From the header only: Trainer.Resume reads and checks the whole file once.
    private static RunSettings SettingsOf(string checkpoint, ILogger log)
    {
        var (settings, isVerified) = Checkpoint.ReadSettings(checkpoint);
        ModelOptions.WarnIfUnverified(log, checkpoint, isVerified);
        return settings;
    }

    private static Trainer Continue(string checkpoint, ImageSet images, ParseResult parse, RunSettings asked, ProcessGroup group)
    {
        var folder = new RunFolder(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        return Trainer.Resume(checkpoint, images, group.IsMain ? folder : null, group, saved => ResumeSettings(saved, asked, parse));
    }

    /// <summary>
    /// The resumed run's settings: the run's own, with every option given alongside --resume taking effect as the
    /// same option of a new run would (a table, <see cref="SettingOf"/>). Which settings may change is
    /// <see cref="ResumePolicy"/>'s rule alone: a change to one that says what is trained is refused here in one line
    /// naming the option (Trainer.Resume would refuse it naming the setting).
    /// </summary>
    private static RunSettings ResumeSettings(RunSettings saved, RunSettings asked, ParseResult parse)
    {
        bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
        var savedJson = JsonNode.Parse(saved.ToJson())!.AsObject();
        var askedJson = JsonNode.Parse(asked.ToJson())!.AsObject();
        var json = savedJson.DeepClone().AsObject();
        foreach (var (option, setting) in SettingOf.Where(entry => Given(entry.Option)))
        {
            SetAt(json, setting, At(askedJson, setting)?.DeepClone());
        }

        // What is the same run in other words stays as the run wrote it: its data folder given by another path, a
        // width or z of 0 that resolves to the run's, and --images (iterations of the run's batch).
        if (Given(DataOptions.Data) && Path.GetFullPath(asked.Data) == Path.GetFullPath(saved.Data))
        {
            json["data"] = saved.Data;
        }

        if (asked.Model.MaxChannels == saved.Model.MaxChannels)
        {
            SetAt(json, "model.width", At(savedJson, "model.width")?.DeepClone());
        }

        if (asked.Model.LatentDim == saved.Model.LatentDim)
        {
            SetAt(json, "model.z_dim", At(savedJson, "model.z_dim")?.DeepClone());
        }

        if (Given(ImagesSeen))
        {
            SetAt(json, "training.steps", (parse.GetValue(ImagesSeen) + saved.Training.BatchSize - 1) / saved.Training.BatchSize);
        }

        var resumed = RunSettings.FromJson(json.ToJsonString());
        if (ResumePolicy.FirstRefused(saved, resumed) is { } refused)
        {
            var option = SettingOf.FirstOrDefault(entry => entry.Setting == refused.Name).Option;
            var given = option is Option<bool> ? option.Name : $"{option?.Name ?? refused.Name} {Show(refused.Now)}"; // a switch says all by its name
            throw new UserError(
                $"{given} cannot change on --resume (the run was trained with {Show(refused.Was)}): it changes what is trained; leave it out, or start a new run", Guard.Usage);
        }

        return resumed;

        static string Show(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString() ?? "off";
    }

    /// <summary>Each option of a new run and the setting (options.json's name) it sets: what an option given with --resume changes.</summary>
    internal static readonly (Option Option, string Setting)[] SettingOf =
    [
        (DataOptions.Data, "data"), (DataOptions.Res, "model.image_size"), (DataOptions.Channels, "model.channels"), (Width, "model.width"), (ZDim, "model.z_dim"),
        (Batch, "training.batch_size"), (Steps, "training.steps"), (OptimizerOption, "training.optimizer"), (Lr, "training.learning_rate"),
        (LrE, "training.encoder_learning_rate"), (LrG, "training.generator_learning_rate"), (LrDecay, "training.learning_rate_decay"),
        (LrFloor, "training.learning_rate_floor"), (ScheduleSteps, "training.schedule_steps"), (Beta1, "training.beta1"), (Beta2, "training.beta2"),
        (SinglePass, "training.formulation"), (CalibrationImages, "training.calibration_images"), (Loss, "training.loss"), (LambdaQp, "training.lambda_qp"),
        (LambdaRho, "training.lambda_rho"), (LambdaRhoWarmup, "training.lambda_rho_warmup"), (LambdaRhoGrowth, "training.lambda_rho_growth"),
        (Ema, "training.ema_decay"), (Seed, "training.seed"), (ModelOptions.Device, "training.device"), (ModelOptions.Precision, "training.precision"),
        (Flip, "training.flip"), (HoldoutShare, "training.holdout"), (AugmentOption, "training.augment"), (AugmentProbability, "training.augment_probability"),
        (LogEvery, "training.log_every"), (SampleEvery, "training.sample_every"), (MetricsEvery, "training.metrics_every"), (SnapshotEvery, "training.snapshot_every"),
    ];

    private static JsonNode? At(JsonObject root, string setting) =>
        setting.Split('.') is [var section, var name] ? root[section]?[name] : root[setting];

    private static void SetAt(JsonObject root, string setting, JsonNode? value)
    {
        if (setting.Split('.') is [var section, var name])
        {
            root[section]![name] = value;
        }
        else
        {
            root[setting] = value;
        }
    }

    private static long StepsOf(ParseResult parse, int batch)
    {
        if (parse.GetResult(ImagesSeen) is null)
        {
            return parse.GetValue(Steps);
        }

        var images = parse.GetValue(ImagesSeen);
        if (images < 1 || batch < 1)
        {
            throw new UserError($"--images {images}: must be at least 1", Guard.Usage) { Agreed = true };
        }

        return (images + batch - 1) / batch;
    }

    /// <summary>Time left at this process's pace: its elapsed seconds over the iterations it ran since <paramref name="startStep"/>, capped by the time limit.</summary>
    internal static string Eta(TrainingProgress p, long startStep, TimeSpan? timeLimit)
    {
        if (p.Step <= startStep)
        {
            return "?";
        }

        var remaining = TimeSpan.FromSeconds(p.ElapsedSeconds / (p.Step - startStep) * (p.TotalSteps - p.Step));
        var timeLeft = timeLimit - TimeSpan.FromSeconds(p.ElapsedSeconds);
        if (timeLeft < remaining)
        {
            remaining = timeLeft.Value < TimeSpan.Zero ? TimeSpan.Zero : timeLeft.Value;
        }

        return remaining.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
    }
}
