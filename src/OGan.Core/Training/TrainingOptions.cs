using OGan.Losses;
using OGan.MixedPrecision;

namespace OGan.Training;

/// <summary>The optimizers a run can use.</summary>
public enum OptimizerKind
{
    /// <summary>Adam(2e-4, betas 0.5 / 0.999), as the reimplementations.</summary>
    Adam,

    /// <summary>RMSprop(1e-4, alpha 0.99), as the author's code.</summary>
    RMSprop,
}

/// <summary>How an iteration updates the two networks.</summary>
public enum Formulation
{
    /// <summary>An E step (G frozen), then a G step on fresh z (E frozen): two G forwards, two optimizer steps.</summary>
    Alternating,

    /// <summary>The author's: one combined loss with stop-gradients, one backward pass, both optimizers step together.</summary>
    SinglePass,
}

/// <summary>How the learning rates fall over a run.</summary>
public enum LearningRateDecay
{
    /// <summary>Constant.</summary>
    None,

    /// <summary>A straight line from the start to the floor at the schedule's end.</summary>
    Linear,

    /// <summary>Half a cosine from the start to the floor at the schedule's end.</summary>
    Cosine,
}

/// <summary>Which image of G(z) the correlation term reads when E sees augmented images (<see cref="TrainingOptions.Augment"/>).</summary>
public enum RhoSource
{
    /// <summary>rho(z, E(aug(G(z)))): the code E gives the augmented fake, the one the critic scores (no extra pass).</summary>
    Augmented,

    /// <summary>rho(z, E(G(z))): the code of the fake as G made it, as at inference; one more E pass in each step.</summary>
    Clean,
}

/// <summary>How a run trains. Defaults follow ../docs/method and the author's code.</summary>
public sealed record TrainingOptions
{
    /// <summary>Images per batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Iterations (each an E step and a G step).</summary>
    public long Steps { get; init; } = 2000;

    /// <summary>Optimizer for both networks.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Learning rate; 0 means the optimizer's default (Adam 2e-4, RMSprop 1e-4).</summary>
    public double LearningRate { get; init; }

    /// <summary>E's learning rate, when it differs from G's (two time-scale updates); 0 means <see cref="EffectiveLearningRate"/>.</summary>
    public double EncoderLearningRate { get; init; }

    /// <summary>G's learning rate, when it differs from E's; 0 means <see cref="EffectiveLearningRate"/>.</summary>
    public double GeneratorLearningRate { get; init; }

    /// <summary>How both learning rates fall over <see cref="ScheduleLength"/> iterations, to <see cref="LearningRateFloor"/> times their start.</summary>
    public LearningRateDecay LearningRateDecay { get; init; } = LearningRateDecay.Cosine;

    /// <summary>The learning rates at the end of the schedule, as a fraction of their start, when they decay.</summary>
    public double LearningRateFloor { get; init; } = 0.1;

    /// <summary>
    /// Iterations over which the learning-rate decay and λ₂'s growth run their course, after which both hold their
    /// last value; 0 means the run's <see cref="Steps"/>. A fixed length makes a checkpoint's schedule independent
    /// of when the run stops.
    /// </summary>
    public long ScheduleSteps { get; init; } = 10000;

    /// <summary>Adam's β₁.</summary>
    public double Beta1 { get; init; } = 0.5;

    /// <summary>Adam's β₂.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>RMSprop's α.</summary>
    public double RmsAlpha { get; init; } = 0.99;

    /// <summary>Alternating steps or the author's single pass.</summary>
    public Formulation Formulation { get; init; } = Formulation.Alternating;

    /// <summary>Real images whose statistics replace E's BatchNorm running statistics before every checkpoint and grid (0: keep the running ones).</summary>
    public int CalibrationImages { get; init; } = 1024;

    /// <summary>Adversarial objective.</summary>
    public GanLoss Loss { get; init; } = GanLoss.Qp;

    /// <summary>λ₁, GAN-QP's R weight.</summary>
    public double LambdaQp { get; init; } = 0.25;

    /// <summary>λ₂, the correlation term's weight; 0 gives the plain GAN.</summary>
    public double LambdaRho { get; init; } = 0.5;

    /// <summary>Iterations over which λ₂ rises linearly from 0 to <see cref="LambdaRho"/>; 0 keeps it constant.</summary>
    public long LambdaRhoWarmup { get; init; }

    /// <summary>λ₂ at the end of the schedule, as a multiple of <see cref="LambdaRho"/>: after the warm-up λ₂ moves linearly to it by iteration <see cref="ScheduleLength"/>; 1 keeps it constant.</summary>
    public double LambdaRhoGrowth { get; init; } = 2;

    /// <summary>Decay of an exponential moving average of G's weights used for samples and reconstructions; 0 turns it off. It warms up: iteration t uses min(decay, (1 + t) / (10 + t)), or (4 + t) in a run grown from a smaller one (<see cref="GrowFrom"/>).</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Seed of every random number in the run (initialisation, batches, latents).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>"cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>What G and E compute in: auto (bf16 where the device has it natively), fp32 or bf16. Checkpoints are fp32 in every case.</summary>
    public Precision Precision { get; init; } = Precision.Auto;

    /// <summary>Overrides the memory format of <see cref="PrecisionChoice.Policy"/> (true: channels-last), to measure both.</summary>
    internal bool? ChannelsLast { get; init; }

    /// <summary>Random horizontal flips of real images (for small data sets).</summary>
    public bool Flip { get; init; }

    /// <summary>
    /// The share of an image folder held back from training by name (<see cref="Data.Holdout"/>), for <c>ogan eval</c>
    /// to measure against; 0 trains on every image.
    /// </summary>
    public double Holdout { get; init; }

    /// <summary>
    /// Differentiable augmentation of what E sees, real and generated images alike, in both steps (DiffAugment):
    /// a comma-separated policy of color, translation and cutout (the paper's "color,translation,cutout"); null for none.
    /// rho reads the image <see cref="AugmentRho"/> names. Alternating steps only.
    /// </summary>
    public string? Augment { get; init; }

    /// <summary>With <see cref="Augment"/>: whether rho reads E's code of the augmented G(z) or of G(z) itself.</summary>
    public RhoSource AugmentRho { get; init; } = RhoSource.Augmented;

    /// <summary>The chance that each image is augmented, with <see cref="Augment"/>.</summary>
    public double AugmentProbability { get; init; } = 1;

    /// <summary>The checkpoint of half the resolution this run grew from (<see cref="Trainer.Grow"/>), for the record; null for a run from scratch.</summary>
    public string? GrowFrom { get; init; }

    /// <summary>Images over which the layers a grown run added fade in (<see cref="Models.Fade"/>); 0 for a run that did not grow.</summary>
    public long FadeImages { get; init; }

    /// <summary>Iterations between lines of stats.jsonl (and progress reports).</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>Iterations between sample and reconstruction grids; 0 turns them off.</summary>
    public int SampleEvery { get; init; } = 500;

    /// <summary>Iterations between quick metrics (rho on 1,000 fresh z, reconstruction of 500 training images) into metric-*.jsonl; 0 turns them off.</summary>
    public int MetricsEvery { get; init; }

    /// <summary>Iterations between checkpoints; 0 writes one only at the end (and on interruption).</summary>
    public int SnapshotEvery { get; init; } = 1000;

    /// <summary>The learning rate in use.</summary>
    public double EffectiveLearningRate => LearningRate > 0 ? LearningRate : Optimizer == OptimizerKind.Adam ? 2e-4 : 1e-4;

    /// <summary>The iterations the schedules run over: <see cref="ScheduleSteps"/>, else <see cref="Steps"/>.</summary>
    public long ScheduleLength => ScheduleSteps > 0 ? ScheduleSteps : Steps;

    /// <summary>E's learning rate at the start of the run.</summary>
    public double EffectiveEncoderLearningRate => EncoderLearningRate > 0 ? EncoderLearningRate : EffectiveLearningRate;

    /// <summary>G's learning rate at the start of the run.</summary>
    public double EffectiveGeneratorLearningRate => GeneratorLearningRate > 0 ? GeneratorLearningRate : EffectiveLearningRate;

    /// <summary>Checks every field, naming the first that is wrong.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public TrainingOptions Validate()
    {
        static void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new ArgumentException(message);
            }
        }

        Require(BatchSize >= 2, $"batch size must be at least 2 (BatchNorm and the R term need pairs), got {BatchSize}");
        Require(Steps >= 1, $"steps must be at least 1, got {Steps}");
        Require(LearningRate >= 0 && double.IsFinite(LearningRate), $"learning rate must be positive, got {LearningRate}");
        Require(EncoderLearningRate >= 0 && double.IsFinite(EncoderLearningRate), $"E's learning rate must be positive, got {EncoderLearningRate}");
        Require(GeneratorLearningRate >= 0 && double.IsFinite(GeneratorLearningRate), $"G's learning rate must be positive, got {GeneratorLearningRate}");
        Require(Enum.IsDefined(LearningRateDecay), $"unknown learning-rate decay {LearningRateDecay}");
        Require(LearningRateFloor is >= 0 and <= 1, $"the learning-rate floor must lie in [0, 1], got {LearningRateFloor}");
        Require(ScheduleSteps >= 0, $"the schedule's steps must not be negative, got {ScheduleSteps}");
        Require(LambdaRhoGrowth >= 0 && double.IsFinite(LambdaRhoGrowth), $"the lambda-rho growth must not be negative, got {LambdaRhoGrowth}");
        Require(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, "Adam betas must lie in [0, 1)");
        Require(RmsAlpha is >= 0 and < 1, "RMSprop alpha must lie in [0, 1)");
        Require(LambdaQp >= 0 && LambdaRho >= 0, "lambdas must not be negative");
        Require(LambdaRhoWarmup >= 0, $"the lambda-rho warm-up must not be negative, got {LambdaRhoWarmup}");
        Require(EmaDecay is >= 0 and < 1, $"EMA decay must lie in [0, 1), got {EmaDecay}");
        Require(Holdout == 0 || Holdout is > 0 and < 1, $"the held-out share must be 0 or lie in (0, 1), got {Holdout}");
        Require(CalibrationImages >= 0, $"calibration images must not be negative, got {CalibrationImages}");
        Require(LogEvery >= 1 && SampleEvery >= 0 && SnapshotEvery >= 0 && MetricsEvery >= 0, "intervals must not be negative (log-every at least 1)");
        Require(Augment is null || DiffAugment.WhyNot(Augment) is null, Augment is null ? "" : DiffAugment.WhyNot(Augment) ?? "");
        Require(Augment is null || Formulation == Formulation.Alternating, "augmentation works with the alternating step, not --single-pass");
        Require(AugmentRho == RhoSource.Augmented || Augment is not null, "a clean rho (--augment-rho clean) needs --augment");
        Require(AugmentProbability is >= 0 and <= 1, $"the augmentation probability must lie in [0, 1], got {AugmentProbability}");
        Require(FadeImages >= 0, $"the fade must not be negative, got {FadeImages} images");
        Require(FadeImages == 0 || GrowFrom is not null, "a fade needs a run to grow from");
        _ = Engine.Devices.Parse(Device);
        return this;
    }
}
