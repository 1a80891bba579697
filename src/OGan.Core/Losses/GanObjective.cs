using OGan.Engine;
using static TorchSharp.torch;

namespace OGan.Losses;

/// <summary>Which adversarial objective the encoder-critic and the generator play.</summary>
public enum GanLoss
{
    /// <summary>GAN-QP, the paper's: E minimises Δ + λ₁Δ²/d(x, G(z)); G minimises avg(E(G(z))).</summary>
    Qp,

    /// <summary>Hinge: E minimises relu(1 + s_real) + relu(1 - s_fake); G minimises s_fake.</summary>
    Hinge,

    /// <summary>Non-saturating logistic: E minimises softplus(s_real) + softplus(-s_fake); G minimises softplus(s_fake).</summary>
    Logistic,
}

/// <summary>
/// The adversarial part of the O-GAN losses, written for critic scores s = avg(E(x)) where LOW means real
/// (the paper's sign). Each returns a batch mean.
/// </summary>
public abstract class GanObjective
{
    /// <summary>The objective for <paramref name="kind"/>; <paramref name="lambdaQp"/> weighs GAN-QP's R term.</summary>
    public static GanObjective Create(GanLoss kind, double lambdaQp = 0.25) => kind switch
    {
        GanLoss.Qp => new QpObjective(lambdaQp),
        GanLoss.Hinge => new HingeObjective(),
        GanLoss.Logistic => new LogisticObjective(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown GAN loss"),
    };

    /// <summary>The encoder's (critic's) loss; <paramref name="real"/> and <paramref name="fake"/> are paired images.</summary>
    public abstract Tensor EncoderLoss(Tensor realScore, Tensor fakeScore, Tensor real, Tensor fake);

    /// <summary>The generator's loss; by default mean(s_fake), pushing fakes towards "real" (low).</summary>
    public virtual Tensor GeneratorLoss(Tensor fakeScore)
    {
        ArgumentNullException.ThrowIfNull(fakeScore);
        return fakeScore.mean();
    }
}

/// <summary>
/// GAN-QP: per sample Δ = s_real - s_fake and R = Δ² / mean_pixels((x - G(z))²); E minimises mean(Δ + λ₁R),
/// G minimises mean(s_fake). The distance is floored at 1e-8 so that G(z) = x divides by no zero.
/// </summary>
public sealed class QpObjective(double lambdaQp) : GanObjective
{
    private const double MinDistance = 1e-8;

    /// <summary>Weight of the R penalty (λ₁).</summary>
    public double LambdaQp { get; } = lambdaQp;

    /// <inheritdoc/>
    public override Tensor EncoderLoss(Tensor realScore, Tensor fakeScore, Tensor real, Tensor fake)
    {
        ArgumentNullException.ThrowIfNull(realScore);
        ArgumentNullException.ThrowIfNull(fakeScore);
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(fake);
        var delta = realScore - fakeScore;
        var distance = (real - fake).Squared().mean([1, 2, 3]).AtLeast(MinDistance);
        return delta.Plus(delta.Squared().Times(LambdaQp) / distance).mean();
    }
}

/// <summary>Hinge loss with the paper's sign (low score = real).</summary>
public sealed class HingeObjective : GanObjective
{
    /// <inheritdoc/>
    public override Tensor EncoderLoss(Tensor realScore, Tensor fakeScore, Tensor real, Tensor fake)
    {
        ArgumentNullException.ThrowIfNull(realScore);
        ArgumentNullException.ThrowIfNull(fakeScore);
        return realScore.Plus(1).relu().mean().Plus((-fakeScore).Plus(1).relu().mean());
    }
}

/// <summary>Non-saturating logistic loss with the paper's sign (low score = real).</summary>
public sealed class LogisticObjective : GanObjective
{
    /// <inheritdoc/>
    public override Tensor EncoderLoss(Tensor realScore, Tensor fakeScore, Tensor real, Tensor fake)
    {
        ArgumentNullException.ThrowIfNull(realScore);
        ArgumentNullException.ThrowIfNull(fakeScore);
        return nn.functional.softplus(realScore).mean().Plus(nn.functional.softplus(-fakeScore).mean());
    }

    /// <inheritdoc/>
    public override Tensor GeneratorLoss(Tensor fakeScore)
    {
        ArgumentNullException.ThrowIfNull(fakeScore);
        return nn.functional.softplus(fakeScore).mean();
    }
}
