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
internal static partial class TrainCommand
{
    private static readonly TrainingOptions Defaults = new();
    private static readonly OGanConfig ModelDefaults = new();

    public static Command Create()
    {
        var command = new Command("train", "Train an O-GAN (default: Fashion-MNIST at 32 px, width 128) into a numbered run folder; photos take the photo defaults where an option is not given (`--dry-run` prints what a run gets)")
        {
            DataOptions.Data, DataOptions.Res, DataOptions.Channels, DataOptions.DataRoot, Out, Batch, Steps, ImagesSeen, TimeLimit, Lr, LrE, LrG, LrDecay, LrFloor, ScheduleSteps, OptimizerOption, Beta1, Beta2, Loss,
            LambdaQp, LambdaRho, LambdaRhoWarmup, LambdaRhoGrowth, Width, MinChannels, ZDim, Kernel, ModelOptions.Device, ModelOptions.Precision, Threads, Seed,
            Resume, GrowSizes, GrowShare, GrowFrom, GrowByOption, Fade, AugmentOption, AugmentRho, AugmentProbability, SnapshotEvery, SampleEvery, MetricsEvery, LogEvery, Ema, Flip, HoldoutShare, SinglePass, CalibrationImages, DryRun,
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

        var bySkips = parse.GetValue(GrowByOption) == GrowBy.Skip;
        if (bySkips && parse.GetResult(Fade) is { Implicit: false })
        {
            throw new UserError($"--fade {parse.GetValue(Fade)}: only a model grown with --grow-by fade fades in (by skips, the default, its new layers start at zero); give --grow-by fade, or leave --fade out", Guard.Usage) { Agreed = true };
        }

        if (resume is not null && parse.GetValue(GrowFrom) is not null)
        {
            throw new UserError("--grow-from cannot be given with --resume: a grown run is a new run; resume it later with --resume alone", Guard.Usage) { Agreed = true };
        }

        if (resume is null && parse.GetValue(GrowFrom) is null && !parse.GetValue(DryRun) && GrowthOf(parse, group.Size) is { } growSizes)
        {
            if (group.Size > 1)
            {
                throw new UserError("--grow runs its stages in one process: under mpirun, train each stage with --res, then --grow-from it", Guard.Usage) { Agreed = true };
            }

            var (finalData, finalSize, _) = DataOptions.Resolve(parse);
            var schedule = GrowthSchedule.Sizes(growSizes, finalSize);
            var budget = Duration.Parse(parse.GetValue(TimeLimit), "--time-limit");
            var smallShare = GrowthSchedule.Share(parse.GetValue(GrowShare));
            // The smaller stages are the final model less its outer blocks, so they take its width and channel floor, and its batch;
            // and the z of the model it grows from (a grown model keeps its smaller one's z), so that growing from further down gives the same model.
            var photoData = IsPhotos(finalData);
            var final = PhotoDefaults.Model(finalSize);
            var batch = parse.GetResult(Batch) is { Implicit: false } || !photoData ? parse.GetValue(Batch) : PhotoDefaults.Training(finalSize).BatchSize;
            string[] Unless(Option option, string name, int value) => parse.GetResult(option) is { Implicit: false } ? [] : [name, value.ToString(CultureInfo.InvariantCulture)];
            string[] shape = photoData ? [.. Unless(Width, "--width", final.Width), .. Unless(MinChannels, "--min-channels", DefaultFloor(parse, final)), .. Unless(Batch, "--batch", batch), .. Unless(ZDim, "--zdim", PhotoDefaults.Model(finalSize / 2).LatentDim)] : [];
            return GrowthSchedule.Run(parse, log, schedule, finalSize, smallShare, budget, StepsOf(parse, batch), shape, (stage, note) => Run(stage, log, cancellation, note), () => lastRunFolder);
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
        // Photos take the faces studies' defaults (docs/results.md sections 10 and 11) where an option is not given.
        var photos = IsPhotos(data);
        var (modelDefaults, trainingDefaults) = photos ? (PhotoDefaults.Model(size), PhotoDefaults.Training(size)) : (ModelDefaults, Defaults);
        if (smaller is not null)
        {
            // A grown model keeps the smaller one's shape and held-out photos unless told otherwise; grown by skips, it keeps its image layers too.
            // Its channel floor: the size's default, else its narrowest layer's channels, else its floor; the first that keeps its layers as they are.
            var grown = modelDefaults with { ImageSize = size, Channels = smaller.Model.Channels, Width = smaller.Model.MaxChannels, ZDim = smaller.Model.LatentDim, KernelSize = smaller.Model.KernelSize, Skips = smaller.Model.Skips + (bySkips ? 1 : 0) };
            OGanConfig[] candidates = [.. new[] { grown.MinChannels, Math.Min(grown.MinChannels, smaller.Model.GeneratorChannels(smaller.Model.NumLayers)), smaller.Model.MinChannels }.Select(floor => grown with { MinChannels = floor })];
            modelDefaults = candidates.FirstOrDefault(model => Growth.WhyNot(smaller.Model, model) is null, candidates[^1]);
        }

        T Value<T>(Option<T> option, T fallback) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fallback;
        var settings = new RunSettings(
            new OGanConfig { ImageSize = size, Channels = channels, Width = Value(Width, modelDefaults.Width), MinChannels = Value(MinChannels, DefaultFloor(parse, modelDefaults)), ZDim = Value(ZDim, modelDefaults.ZDim), KernelSize = Value(Kernel, modelDefaults.KernelSize), Skips = modelDefaults.Skips },
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
                Augment = parse.GetValue(AugmentOption), AugmentRho = parse.GetValue(AugmentRho), AugmentProbability = parse.GetValue(AugmentProbability),
                GrowFrom = growCheckpoint is null ? null : Path.GetFullPath(growCheckpoint), FadeImages = growCheckpoint is null || bySkips ? 0 : parse.GetValue(Fade),
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
            if (resumed is null && smaller is null && GrowthOf(parse, group.Size) is { } schedule)
            {
                log.LogInformation("growth schedule: {Sizes} px first ({Share:P0} of the budget), then grown to {Size} px by {GrowBy}; the settings below are the last stage's, whose width, z and kernel the first stage sets", schedule, parse.GetValue(GrowShare), size, parse.GetValue(GrowByOption).ToString().ToLowerInvariant());
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
            if (bySkips)
            {
                log.LogInformation("grown from {Checkpoint} ({Smaller} px) by skips: its layers keep their weights and optimizer state, its image layers stay as skips, and the new ones start at zero", growCheckpoint, smaller!.Model.ImageSize);
            }
            else
            {
                log.LogInformation("grown from {Checkpoint} ({Smaller} px): its layers keep their weights and optimizer state; the new ones fade in over {Fade:N0} images", growCheckpoint, smaller!.Model.ImageSize, trainer.Options.FadeImages);
            }
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
            "training on {Data} ({Count} images), {Size} px, width {Width}{Floor}, z {Z}, {Loss} + rho x {Rho}, {Optimizer}, {Formulation}, {Threads} threads, {Device}, {Precision}, into {Folder}",
            images.Name, images.Count, trainer.Config.ImageSize, trainer.Config.MaxChannels,
            trainer.Config.MinChannels > 0 ? $" (no layer below {trainer.Config.MinChannels} channels)" : "", trainer.Config.LatentDim, trainer.Options.Loss,
            trainer.Options.LambdaRho, trainer.Options.Optimizer, trainer.Options.Formulation, threads, trainer.Device, trainer.Precision.Reason, folderPath);
        if (trainer.Precision.Precision == Precision.Bf16 && trainer.Device.type == TorchSharp.DeviceType.CPU)
        {
            log.LogInformation("{Thin}", ThinConvolutionProbe.Result.Describe());
            log.LogInformation("thin convolutions of G: {Generator}; of E: {Encoder}", trainer.State.Generator.Autocast.DescribeThinLayers(trainer.State.Generator), trainer.State.Encoder.Autocast.DescribeThinLayers(trainer.State.Encoder));
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

    /// <summary>Whether <paramref name="data"/> is photos (a folder, preset, database or prepared file), not Fashion-MNIST's grey IDX images.</summary>
    private static bool IsPhotos(string data) => !DataOptions.IsFashionMnist(data) && !FashionMnist.HoldsIdx(data);

    private static string Show(object? value) => value switch
    {
        null => "off",
        Enum e => e.ToString().ToLowerInvariant(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The channel floor of a model of <paramref name="defaults"/> where --min-channels is not given: theirs, at most the width.</summary>
    private static int DefaultFloor(ParseResult parse, OGanConfig defaults) =>
        Math.Min(defaults.MinChannels, (parse.GetResult(Width) is { Implicit: false } ? defaults with { Width = parse.GetValue(Width) } : defaults).MaxChannels);

    // The growth schedule of a new run: --grow as given (none: off), else the photo defaults' for its size in one
    // process (under mpirun each stage is a job of its own: --res, then --grow-from).
    private static string? GrowthOf(ParseResult parse, int processes)
    {
        if (parse.GetResult(GrowSizes) is { Implicit: false })
        {
            var given = parse.GetValue(GrowSizes);
            return given is null || given.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : given;
        }

        var (data, size, _) = DataOptions.Resolve(parse);
        return processes == 1 && IsPhotos(data) ? PhotoDefaults.GrowthSizes(size) : null;
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
