using System.CommandLine;
using OGan.Losses;
using OGan.Training;

namespace OGan.Cli;

/// <summary>ogan train's options, with their defaults (photo runs take PhotoDefaults where one is not given).</summary>
internal static partial class TrainCommand
{
    private static readonly Option<string> Out = new("--out") { Description = "Folder that receives the numbered run folders", DefaultValueFactory = _ => "runs" };
    private static readonly Option<int> Batch = new("--batch") { Description = "Images per batch (photos: 64, and 32 at 128 px and above: docs/results.md sections 10 and 11.13; `--dry-run` shows it)", DefaultValueFactory = _ => Defaults.BatchSize };
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
    private static readonly Option<int> Width = new("--width") { Description = "Widest layer's channels (0: res * 8, the paper's; photos: 128, at 128 px and above 256, which a 128 px photo run's 64 px stage takes too)", DefaultValueFactory = _ => ModelDefaults.Width };
    private static readonly Option<int> MinChannels = new("--min-channels") { Description = "Fewest channels of a hidden layer: G halves its channels block by block, E doubles them, none below this (0: halving to the end, DCGAN's; photos at 128 px and above: 64, at most --width; a 128 px photo run's 64 px stage takes it too)", DefaultValueFactory = _ => ModelDefaults.MinChannels };
    private static readonly Option<int> ZDim = new("--zdim") { Description = "Latent dimension (0: res)", DefaultValueFactory = _ => ModelDefaults.ZDim };
    private static readonly Option<int> Kernel = new("--kernel") { Description = "Convolution kernel of G and E: 5 (the paper's) or 4 (even overlap of the stride-2 transposed convolutions)", DefaultValueFactory = _ => ModelDefaults.KernelSize };
    private static readonly Option<int> Threads = new("--threads") { Description = "CPU threads for libtorch (0: $OGAN_NUM_THREADS, else all cores)", DefaultValueFactory = _ => 0 };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "Seed of every random number in the run", DefaultValueFactory = _ => Defaults.Seed };
    private static readonly Option<string?> Resume = new("--resume") { Description = "Run folder (its latest checkpoint) or checkpoint file to continue" };
    private static readonly Option<string?> AugmentOption = new("--augment") { Description = "Differentiable augmentation of the images E sees, real and generated, in both steps (DiffAugment): a comma-separated list of color, translation, cutout (the paper's: color,translation,cutout)" };
    private static readonly Option<RhoSource> AugmentRho = new("--augment-rho") { Description = "With --augment: the image of G(z) whose code rho reads: augmented (the one the critic scores) or clean (as at inference; one more E pass per step)", DefaultValueFactory = _ => RhoSource.Augmented, CustomParser = EnumValues.Parse<RhoSource> };
    private static readonly Option<double> AugmentProbability = new("--augment-p") { Description = "With --augment: the chance that each image is augmented", DefaultValueFactory = _ => 1.0 };
    private static readonly Option<string?> GrowSizes = new("--grow") { Description = "Train at these smaller sizes first and grow the model to --res, e.g. --grow 64 at --res 128 (each stage a run folder of its own; photos at 128 px and above grow from 64 px in one process unless --grow none)" };
    private static readonly Option<double> GrowShare = new("--grow-share") { Description = "With --grow: the share of --time-limit (else --steps) spent below --res, split evenly between the smaller sizes (docs/results.md section 11.6)", DefaultValueFactory = _ => 0.8 };
    private static readonly Option<string?> GrowFrom = new("--grow-from") { Description = "Run folder (its latest checkpoint) or checkpoint of half the resolution to grow from: its layers keep their weights, new ones are added (--grow-by) (defaults: twice its --res, its data, width, z, kernel and --holdout)" };
    private static readonly Option<GrowBy> GrowByOption = new("--grow-by") { Description = "With --grow-from (or --grow): skip (the smaller model's image layers stay as skips, their image upsampled, and the new layers start at zero and add to it; docs/results.md section 11.4) or fade (the new layers fade in over --fade images and replace them, ProGAN's)", DefaultValueFactory = _ => GrowBy.Skip, CustomParser = EnumValues.Parse<GrowBy> };
    private static readonly Option<long> Fade = new("--fade") { Description = "With --grow-by fade: images over which the new layers fade in (0: at once)", DefaultValueFactory = _ => 20_000 };
    private static readonly Option<int> SnapshotEvery = new("--snapshot-every") { Description = "Iterations between checkpoints", DefaultValueFactory = _ => Defaults.SnapshotEvery };
    private static readonly Option<int> SampleEvery = new("--sample-every") { Description = "Iterations between sample/reconstruction grids", DefaultValueFactory = _ => Defaults.SampleEvery };
    private static readonly Option<int> MetricsEvery = new("--metrics-every") { Description = "Iterations between quick metrics (rho, reconstruction) into metric-*.jsonl (0: off)", DefaultValueFactory = _ => Defaults.MetricsEvery };
    private static readonly Option<int> LogEvery = new("--log-every") { Description = "Iterations between progress lines", DefaultValueFactory = _ => Defaults.LogEvery };
    private static readonly Option<double> Ema = new("--ema") { Description = "EMA decay of G's weights for samples and reconstructions, warmed up as min(decay, (1 + t) / (10 + t)), (4 + t) in a grown run (0: off)", DefaultValueFactory = _ => Defaults.EmaDecay };
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
}
