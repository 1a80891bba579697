using System.CommandLine;
using System.Globalization;
using OGan.Data;
using OGan.Losses;
using OGan.Models;
using OGan.Tensors;
using OGan.Training;

namespace OGan.Cli;

/// <summary>ogan train: trains an O-GAN into a numbered run folder.</summary>
internal static class TrainCommand
{
    private static readonly Option<string> Data = new("--data") { Description = "Data set: fashion-mnist (Debian's dataset-fashion-mnist)", DefaultValueFactory = _ => "fashion-mnist" };
    private static readonly Option<int> Res = new("--res") { Description = "Image size in pixels, a power of two >= 32", DefaultValueFactory = _ => 32 };
    private static readonly Option<string> Out = new("--out") { Description = "Folder that receives the numbered run folders", DefaultValueFactory = _ => "runs" };
    private static readonly Option<int> Batch = new("--batch") { Description = "Images per batch", DefaultValueFactory = _ => 64 };
    private static readonly Option<long> Steps = new("--steps") { Description = "Iterations (an E step and a G step each)", DefaultValueFactory = _ => 2000 };
    private static readonly Option<double> Lr = new("--lr") { Description = "Learning rate (0: Adam 2e-4, RMSprop 1e-4)", DefaultValueFactory = _ => 0 };
    private static readonly Option<OptimizerKind> OptimizerOption = new("--optimizer") { Description = "adam or rmsprop", DefaultValueFactory = _ => OptimizerKind.Adam };
    private static readonly Option<GanLoss> Loss = new("--loss") { Description = "Adversarial objective: qp, hinge or logistic", DefaultValueFactory = _ => GanLoss.Qp };
    private static readonly Option<double> LambdaQp = new("--lambda-qp") { Description = "Weight of GAN-QP's R penalty", DefaultValueFactory = _ => 0.25 };
    private static readonly Option<double> LambdaRho = new("--lambda-rho") { Description = "Weight of the correlation term (0: plain GAN)", DefaultValueFactory = _ => 0.5 };
    private static readonly Option<int> Width = new("--width") { Description = "Widest layer's channels (0: res * 8, the paper's)", DefaultValueFactory = _ => 128 };
    private static readonly Option<int> ZDim = new("--zdim") { Description = "Latent dimension (0: res)", DefaultValueFactory = _ => 0 };
    private static readonly Option<string> DeviceOption = new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
    private static readonly Option<int> Threads = new("--threads") { Description = "CPU threads for libtorch (0: all cores)", DefaultValueFactory = _ => 0 };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "Seed of every random number in the run", DefaultValueFactory = _ => 1UL };
    private static readonly Option<string?> Resume = new("--resume") { Description = "Run folder (its latest checkpoint) or checkpoint file to continue" };
    private static readonly Option<int> SnapshotEvery = new("--snapshot-every") { Description = "Iterations between checkpoints", DefaultValueFactory = _ => 1000 };
    private static readonly Option<int> SampleEvery = new("--sample-every") { Description = "Iterations between sample/reconstruction grids", DefaultValueFactory = _ => 500 };
    private static readonly Option<int> LogEvery = new("--log-every") { Description = "Iterations between progress lines", DefaultValueFactory = _ => 50 };
    private static readonly Option<double> Ema = new("--ema") { Description = "EMA decay of G's weights for samples (0: off)", DefaultValueFactory = _ => 0 };
    private static readonly Option<bool> Flip = new("--flip") { Description = "Random horizontal flips of real images" };
    private static readonly Option<bool> SinglePass = new("--single-pass") { Description = "The author's single combined step (one G pass per iteration) instead of alternating E and G steps" };
    private static readonly Option<int> CalibrationImages = new("--calibration-images") { Description = "Real images that recalibrate E's BatchNorm statistics before each checkpoint (0: off)", DefaultValueFactory = _ => 1024 };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Print the resolved options and exit" };

    public static Command Create()
    {
        var command = new Command("train", "Train an O-GAN (default: Fashion-MNIST at 32 px, width 128)")
        {
            Data, Res, Out, Batch, Steps, Lr, OptimizerOption, Loss, LambdaQp, LambdaRho, Width, ZDim, DeviceOption, Threads, Seed,
            Resume, SnapshotEvery, SampleEvery, LogEvery, Ema, Flip, SinglePass, CalibrationImages, DryRun,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(Guard.Run(() => Run(parse, cancellation))));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancellation)
    {
        var data = parse.GetValue(Data)!;
        var settings = new RunSettings(
            new OGanConfig { ImageSize = parse.GetValue(Res), Channels = 1, Width = parse.GetValue(Width), ZDim = parse.GetValue(ZDim) },
            new TrainingOptions
            {
                BatchSize = parse.GetValue(Batch), Steps = parse.GetValue(Steps), LearningRate = parse.GetValue(Lr),
                Optimizer = parse.GetValue(OptimizerOption), Loss = parse.GetValue(Loss), LambdaQp = parse.GetValue(LambdaQp),
                LambdaRho = parse.GetValue(LambdaRho), EmaDecay = parse.GetValue(Ema), Seed = parse.GetValue(Seed),
                Device = parse.GetValue(DeviceOption)!, Flip = parse.GetValue(Flip), LogEvery = parse.GetValue(LogEvery),
                SampleEvery = parse.GetValue(SampleEvery), SnapshotEvery = parse.GetValue(SnapshotEvery),
                Formulation = parse.GetValue(SinglePass) ? Formulation.SinglePass : Formulation.Alternating,
                CalibrationImages = parse.GetValue(CalibrationImages),
            },
            data);
        settings.Model.Validate();
        settings.Training.Validate();
        if (!string.Equals(data, "fashion-mnist", StringComparison.OrdinalIgnoreCase))
        {
            throw new UserError($"--data {data}: this build trains on fashion-mnist only; image folders and the CelebA-HQ, FFHQ and LSUN presets are not implemented yet", Guard.Usage);
        }

        if (settings.Model.ImageSize != 32)
        {
            throw new UserError($"--res {settings.Model.ImageSize}: Fashion-MNIST is trained at 32 px", Guard.Usage);
        }

        if (parse.GetValue(DryRun))
        {
            Console.WriteLine(settings.ToJson());
            return 0;
        }

        var threads = parse.GetValue(Threads);
        if (threads > 0)
        {
            Torch.NumThreads = threads;
        }

        var device = Device.Parse(settings.Training.Device);
        if (device.Type == DeviceType.Cuda && device.Index >= Torch.CudaDeviceCount)
        {
            throw new UserError($"--device {device}: CUDA is not available (this libtorch {Torch.Version} sees {Torch.CudaDeviceCount} GPUs); use --device cpu or build native/ against a CUDA libtorch");
        }

        using var images = FashionMnist.Load(train: true);
        using var interrupt = new InterruptHandler();
        var resume = parse.GetValue(Resume);
        using var trainer = resume is null ? NewRun(settings, images, parse.GetValue(Out)!) : Continue(resume, images, parse);
        Console.WriteLine($"ogan: training on {images.Name} ({images.Count} images), {settings.Model.ImageSize} px, width {trainer.Config.MaxChannels}, z {trainer.Config.LatentDim}, {trainer.Options.Loss} + rho x {trainer.Options.LambdaRho}, {trainer.Options.Optimizer}, {trainer.Options.Formulation}, {Torch.NumThreads} threads, into {trainer.Folder!.Path}");
        trainer.Progress += p => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.TotalSteps}  loss_e {p.EncoderLoss:F4}  loss_g {p.GeneratorLoss:F4}  delta {p.Delta:F4}  rho {p.Rho:F3}  {p.ImagesPerSecond:F0} img/s  eta {Eta(p)}"));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, interrupt.Token);
        var checkpoint = trainer.Run(linked.Token);
        if (linked.IsCancellationRequested)
        {
            Console.WriteLine($"ogan: interrupted at step {trainer.Step}; saved {checkpoint}; continue with --resume {trainer.Folder.Path}");
            return 130;
        }

        if (trainer.Options.SampleEvery == 0 || trainer.Step % trainer.Options.SampleEvery != 0)
        {
            trainer.SaveGrids(); // the last step's grids, unless the interval just wrote them
        }

        Console.WriteLine($"ogan: done. Wrote {checkpoint}, {trainer.Folder.Samples(trainer.Step)}, {trainer.Folder.Reconstructions(trainer.Step)} and {trainer.Folder.StatsFile}");
        return 0;
    }

    private static Trainer NewRun(RunSettings settings, ImageSet images, string outRoot)
    {
        var folder = RunFolder.CreateNext(outRoot, $"{settings.Data}-{settings.Model.ImageSize}");
        return new Trainer(settings, images, folder);
    }

    private static Trainer Continue(string resume, ImageSet images, ParseResult parse)
    {
        var checkpoint = Directory.Exists(resume)
            ? RunFolder.LatestCheckpoint(resume) ?? throw new UserError($"--resume {resume}: the folder holds no checkpoint-*.safetensors")
            : resume;
        var folder = new RunFolder(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        var steps = parse.GetResult(Steps) is { Implicit: false } ? parse.GetValue(Steps) : (long?)null;
        return Trainer.Resume(checkpoint, images, folder, steps);
    }

    private static string Eta(TrainingProgress p)
    {
        if (p.Step == 0)
        {
            return "?";
        }

        var remaining = TimeSpan.FromSeconds(p.ElapsedSeconds / p.Step * (p.TotalSteps - p.Step));
        return remaining.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
    }
}
