using OGan.Data;
using OGan.Distributed;
using OGan.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Training;

/// <summary>What one iteration measured, as scalar tensors (left on the device: reading them would wait for it).</summary>
/// <param name="EncoderLoss">L_E.</param>
/// <param name="GeneratorLoss">L_G.</param>
/// <param name="Delta">Mean critic gap s_real - s_fake.</param>
/// <param name="Rho">Mean rho(z, E(G(z))) of the G step.</param>
public sealed record StepLosses(Tensor EncoderLoss, Tensor GeneratorLoss, Tensor Delta, Tensor Rho);

/// <summary>
/// One O-GAN iteration, top to bottom in this file: this process's share of the next batch and every random
/// number the iteration draws (indices and flips, then latents and augmentation where they are used, all from
/// the run's generator and for the whole batch on every process: <see cref="BatchShare"/>), the iteration's λ₂
/// and learning rates, an encoder step (G frozen) then a generator step (E frozen), or the author's single
/// combined step, each ending in its gradients averaged across processes and an optimizer step
/// (<see cref="OptimizerStep"/>), then the moving average of G. The losses are <see cref="OGanLoss"/>'s; the
/// caller owns the dispose scope and counts the iteration (<see cref="TrainingState.Advance"/>).
/// </summary>
public sealed class TrainingStep(TrainingState state, TrainingOptions options, OGanLoss loss)
{
    private static readonly Scalar Half = 0.5.ToScalar(); // held: a temporary Scalar can be finalized during the call (Engine.HeldScalars)

    private readonly int latentDim = state.Generator.Config.LatentDim;
    private readonly Device device = state.Generator.parameters().First().device;
    private readonly TorchSharp.Modules.Parameter[] encoderParameters = [.. state.Encoder.parameters()];
    private readonly TorchSharp.Modules.Parameter[] generatorParameters = [.. state.Generator.parameters()];
    private readonly TorchSharp.Modules.Parameter[] allParameters = [.. state.Encoder.parameters(), .. state.Generator.parameters()];
    private readonly DiffAugment? augment = options.Augment is { } policy ? new DiffAugment(policy, options.AugmentProbability) : null;

    /// <summary>The processes whose gradients are averaged (one by default).</summary>
    internal DataParallel Parallel { get; init; } = new(ProcessGroup.Single);

    private ProcessGroup Group => Parallel.Group;

    // With augmentation, rho reads E's code of G(z) as G made it (one more E pass per step) instead of the augmented one.
    private bool RhoReadsClean => augment is not null && options.AugmentRho == RhoSource.Clean;

    /// <summary>Runs the iteration on the next batch of <paramref name="data"/> (on the networks' device), as the trainer does.</summary>
    public StepLosses Run(ImageSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Run(NextBatch(data));
    }

    /// <summary>Runs the iteration on <paramref name="real"/>, this process's images of the batch, in the options' formulation.</summary>
    public StepLosses Run(Tensor real)
    {
        ArgumentNullException.ThrowIfNull(real);
        var current = LossAt(state.Step);
        var factor = LearningRateFactorAt(state.Step);
        SetLearningRate(state.EncoderOptimizer, options.EffectiveEncoderLearningRate * factor);
        SetLearningRate(state.GeneratorOptimizer, options.EffectiveGeneratorLearningRate * factor);
        var losses = options.Formulation == Formulation.SinglePass ? SinglePass(real, current) : Alternating(real, current);
        if (state.Ema is not null)
        {
            UpdateEma();
        }

        return losses;
    }

    // The images, and their flips, of this process's share of the next batch.
    private Tensor NextBatch(ImageSet data)
    {
        var batch = data.Batch(BatchShare.Of(state.NextBatch(options.BatchSize), Group), device);
        if (!options.Flip)
        {
            return batch;
        }

        var flip = BatchShare.Of(rand([options.BatchSize, 1, 1, 1], generator: state.Random).lt(Half), Group).to(device);
        return where(flip, batch.flip(3), batch);
    }

    private StepLosses Alternating(Tensor real, OGanLoss current)
    {
        var (generator, encoder) = (state.Generator, state.Encoder);

        // Encoder step, G frozen: G(z) needs no graph.
        var z = Latents(real);
        Tensor fake;
        using (no_grad())
        {
            fake = generator.call(z);
        }

        var clean = fake;
        if (augment is not null)
        {
            (real, fake) = (augment.Apply(real, state.Random, Group), augment.Apply(fake, state.Random, Group));
        }

        var (realCode, fakeCode) = (encoder.call(real), encoder.call(fake));
        var e = current.Encoder(z, realCode, fakeCode, real, fake, RhoReadsClean ? encoder.call(clean) : fakeCode);
        state.EncoderOptimizer.zero_grad();
        e.Total.backward();
        Parallel.AverageGradients(encoderParameters);
        OptimizerStep.Run(state.EncoderOptimizer, options);

        // Generator step, E frozen: gradients flow through E to G, but E's weights get none.
        var zg = Latents(real);
        SetRequiresGrad(encoderParameters, false);
        try
        {
            var generated = generator.call(zg);
            var code = encoder.call(augment is null ? generated : augment.Apply(generated, state.Random, Group));
            var g = current.Generator(zg, code, RhoReadsClean ? encoder.call(generated) : code);
            state.GeneratorOptimizer.zero_grad();
            g.Total.backward();
            Parallel.AverageGradients(generatorParameters);
            OptimizerStep.Run(state.GeneratorOptimizer, options);
            return new StepLosses(e.Total, g.Total, e.Delta, g.Rho);
        }
        finally
        {
            SetRequiresGrad(encoderParameters, true); // E trains again whatever happened (a caught error, a cancelled collective)
        }
    }

    private StepLosses SinglePass(Tensor real, OGanLoss current)
    {
        var (generator, encoder) = (state.Generator, state.Encoder);
        var z = Latents(real);
        var fake = generator.call(z);
        var stopped = fake.detach();
        var terms = current.SinglePass(z, encoder.call(real), encoder.call(fake), encoder.call(stopped), real, stopped);
        state.EncoderOptimizer.zero_grad();
        state.GeneratorOptimizer.zero_grad();
        terms.Total.backward();
        Parallel.AverageGradients(allParameters);
        OptimizerStep.Run(state.EncoderOptimizer, options);
        OptimizerStep.Run(state.GeneratorOptimizer, options);
        return new StepLosses(terms.Encoder.Total, terms.Generator.Total, terms.Encoder.Delta, terms.Generator.Rho);
    }

    // Drawn on the CPU from the run's generator, so that a run is the same on any device, for the whole batch (BatchShare).
    private Tensor Latents(Tensor real)
    {
        var all = randn([real.shape[0] * Group.Size, latentDim], generator: state.Random);
        return BatchShare.Of(all, Group).to(real.device);
    }

    private void UpdateEma()
    {
        using var noGrad = no_grad();
        var source = state.Generator.state_dict();
        using var weight = tensor(1 - EmaDecayAt(state.Step), device: source.Values.First().device); // one tensor, held, for every lerp_
        foreach (var (name, target) in state.Ema!.state_dict())
        {
            if (target.is_floating_point())
            {
                target.lerp_(source[name], weight);
            }
            else
            {
                target.copy_(source[name]);
            }
        }
    }

    // The schedules, by iteration.

    /// <summary>
    /// The loss of iteration <paramref name="step"/> (from 0): λ₂ warms up linearly over <see cref="TrainingOptions.LambdaRhoWarmup"/>
    /// iterations, then moves linearly to <see cref="TrainingOptions.LambdaRhoGrowth"/> times itself by the schedule's end and holds.
    /// </summary>
    public OGanLoss LossAt(long step)
    {
        if (step < options.LambdaRhoWarmup)
        {
            return loss.WithLambdaRho(loss.LambdaRho * (step + 1) / options.LambdaRhoWarmup);
        }

        var length = options.ScheduleLength;
        if (options.LambdaRhoGrowth == 1 || length <= options.LambdaRhoWarmup + 1)
        {
            return loss;
        }

        var progress = Math.Min(1.0, (double)(step - options.LambdaRhoWarmup) / (length - options.LambdaRhoWarmup - 1));
        return loss.WithLambdaRho(loss.LambdaRho * (1 + ((options.LambdaRhoGrowth - 1) * progress)));
    }

    /// <summary>The learning rates' factor at iteration <paramref name="step"/> (from 0): 1 at the first, <see cref="TrainingOptions.LearningRateFloor"/> from the last of <see cref="TrainingOptions.ScheduleLength"/> on.</summary>
    public double LearningRateFactorAt(long step)
    {
        var length = options.ScheduleLength;
        var progress = length <= 1 ? 1.0 : Math.Clamp((double)step / (length - 1), 0, 1);
        var floor = options.LearningRateFloor;
        return options.LearningRateDecay switch
        {
            LearningRateDecay.Linear => 1 - ((1 - floor) * progress),
            LearningRateDecay.Cosine => floor + ((1 - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress))),
            _ => 1.0,
        };
    }

    /// <summary>
    /// The moving average's decay at iteration <paramref name="step"/> (from 0): min(decay, (1 + t) / (k + t)), which until
    /// the decay is reached averages about the last 1/k of the iterations so far. k is 10 for a run from random weights,
    /// so that they do not linger (at 0.999 without a warm-up they would still weigh 8% after 2,500 iterations), and 4 for a
    /// grown run, whose short stage starts from trained weights: docs/results.md section 11.17.
    /// </summary>
    public double EmaDecayAt(long step)
    {
        var k = options.GrowFrom is null ? 10.0 : 4.0;
        return Math.Min(options.EmaDecay, (1.0 + step) / (k + step));
    }

    private static void SetLearningRate(optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }
    }

    private static void SetRequiresGrad(TorchSharp.Modules.Parameter[] parameters, bool value)
    {
        foreach (var parameter in parameters)
        {
            parameter.requires_grad = value;
        }
    }
}
