using OGan.Engine;
using static TorchSharp.torch;

namespace OGan.Losses;

/// <summary>The terms of one O-GAN loss, each a scalar tensor.</summary>
public sealed record LossTerms(Tensor Total, Tensor Adversarial, Tensor Rho, Tensor Delta);

/// <summary>The author's single combined loss, with what each player's part is worth.</summary>
public sealed record SinglePassTerms(Tensor Total, LossTerms Encoder, LossTerms Generator);

/// <summary>
/// An adversarial objective plus the O-GAN correlation term: both players subtract λ₂ · mean rho(z, E(G(z))).
/// With λ₂ = 0 it is the plain GAN whose critic is avg(E(x)).
/// </summary>
public sealed class OGanLoss(GanObjective objective, double lambdaRho = 0.5)
{
    /// <summary>The adversarial part.</summary>
    public GanObjective Objective { get; } = objective ?? throw new ArgumentNullException(nameof(objective));

    /// <summary>Weight of the correlation term (λ₂).</summary>
    public double LambdaRho { get; } = lambdaRho;

    /// <summary>The same loss with another λ₂ (a schedule's value for one iteration).</summary>
    public OGanLoss WithLambdaRho(double lambdaRho) => new(Objective, lambdaRho);

    /// <summary>L_E from the codes of a real batch and of G(z), and the images themselves.</summary>
    public LossTerms Encoder(Tensor z, Tensor realCode, Tensor fakeCode, Tensor real, Tensor fake) => Encoder(z, realCode, fakeCode, real, fake, fakeCode);

    /// <summary>
    /// L_E whose correlation term reads <paramref name="rhoCode"/>, another code of the same G(z) (the clean one, when
    /// the critic scores augmented images).
    /// </summary>
    public LossTerms Encoder(Tensor z, Tensor realCode, Tensor fakeCode, Tensor real, Tensor fake, Tensor rhoCode)
    {
        var realScore = Critic.Score(realCode);
        var fakeScore = Critic.Score(fakeCode);
        var adversarial = Objective.EncoderLoss(realScore, fakeScore, real, fake);
        var rho = Pearson.Correlation(z, rhoCode).mean();
        var delta = (realScore - fakeScore).mean();
        return new LossTerms(adversarial - rho.Times(LambdaRho), adversarial, rho, delta);
    }

    /// <summary>L_G from the code of G(z).</summary>
    public LossTerms Generator(Tensor z, Tensor fakeCode) => Generator(z, fakeCode, fakeCode);

    /// <summary>L_G whose correlation term reads <paramref name="rhoCode"/>, another code of the same G(z).</summary>
    public LossTerms Generator(Tensor z, Tensor fakeCode, Tensor rhoCode)
    {
        var fakeScore = Critic.Score(fakeCode);
        var adversarial = Objective.GeneratorLoss(fakeScore);
        var rho = Pearson.Correlation(z, rhoCode).mean();
        return new LossTerms(adversarial - rho.Times(LambdaRho), adversarial, rho, fakeScore.mean());
    }

    /// <summary>
    /// The author's single-pass form: one loss whose gradient is L_E's for E and L_G's for G, through
    /// stop-gradients. <paramref name="stoppedCode"/> is E(sg(G(z))), <paramref name="fakeCode"/> is E(G(z)),
    /// <paramref name="stoppedFake"/> is sg(G(z)). E plays the objective against the stopped fakes;
    /// G gets f(avg E(G(z))) - f(avg E(sg(G(z)))), whose value is 0 and whose E gradients cancel;
    /// rho(z, E(G(z))) reaches both.
    /// </summary>
    public SinglePassTerms SinglePass(Tensor z, Tensor realCode, Tensor fakeCode, Tensor stoppedCode, Tensor real, Tensor stoppedFake)
    {
        var encoder = Encoder(z, realCode, stoppedCode, real, stoppedFake);
        var generator = Generator(z, fakeCode);
        var cancelling = generator.Adversarial - Objective.GeneratorLoss(Critic.Score(stoppedCode));
        var total = encoder.Adversarial.Plus(cancelling) - generator.Rho.Times(LambdaRho);
        return new SinglePassTerms(total, encoder, generator);
    }
}
