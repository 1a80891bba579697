using OGan.Tensors;

namespace OGan.Losses;

/// <summary>The terms of one O-GAN loss, each a scalar tensor.</summary>
public sealed record LossTerms(Tensor Total, Tensor Adversarial, Tensor Rho, Tensor Delta);

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

    /// <summary>L_E from the codes of a real batch and of G(z), and the images themselves.</summary>
    public LossTerms Encoder(Tensor z, Tensor realCode, Tensor fakeCode, Tensor real, Tensor fake)
    {
        var realScore = Critic.Score(realCode);
        var fakeScore = Critic.Score(fakeCode);
        var adversarial = Objective.EncoderLoss(realScore, fakeScore, real, fake);
        var rho = Pearson.Correlation(z, fakeCode).Mean();
        var delta = (realScore - fakeScore).Mean();
        return new LossTerms(adversarial - LambdaRho * rho, adversarial, rho, delta);
    }

    /// <summary>L_G from the code of G(z).</summary>
    public LossTerms Generator(Tensor z, Tensor fakeCode)
    {
        var fakeScore = Critic.Score(fakeCode);
        var adversarial = Objective.GeneratorLoss(fakeScore);
        var rho = Pearson.Correlation(z, fakeCode).Mean();
        return new LossTerms(adversarial - LambdaRho * rho, adversarial, rho, fakeScore.Mean());
    }
}
