using OGan.Losses;

namespace OGan.Core.Tests.Losses;

/// <summary>Every loss against values computed independently in plain C#.</summary>
public sealed class LossTests
{
    private static double PlainPearson(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        var cov = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));
        return cov / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
    }

    [Fact]
    public void Pearson_matches_the_textbook_correlation_per_sample()
    {
        using var scope = NewDisposeScope();
        double[] z = [1, 2, 3, 4, -1, 0, 2, 5];
        double[] zh = [2, 4.5, 5, 9, 3, 3, 1, -2];
        var rho = Pearson.Correlation(tensor(z, [2, 4]), tensor(zh, [2, 4])).data<double>().ToArray();
        Assert.Equal(PlainPearson(z[..4], zh[..4]), rho[0], 10);
        Assert.Equal(PlainPearson(z[4..], zh[4..]), rho[1], 10);
    }

    [Fact]
    public void Pearson_ignores_mean_and_scale_and_gives_zero_not_NaN_for_a_constant()
    {
        using var scope = NewDisposeScope();
        var z = tensor(new double[] { 1, 2, 3, 4 }, [1, 4]);
        Assert.Equal(1.0, Pearson.Correlation(z, z * 7.0 + 3.0).ToDouble(), 10);
        Assert.Equal(-1.0, Pearson.Correlation(z, z * -2.0).ToDouble(), 10);
        var constant = full([1, 4], 5, ScalarType.Float64);
        constant.requires_grad = true;
        var rho = Pearson.Correlation(z, constant);
        Assert.Equal(0.0, rho.ToDouble());
        rho.sum().backward();
        Assert.True(constant.grad!.isfinite().data<bool>().ToArray().All(b => b));
    }

    [Fact]
    public void Standardise_gives_zero_mean_unit_std_per_row()
    {
        using var scope = NewDisposeScope();
        var n = Pearson.Standardise(tensor(new double[] { 1, 2, 3, 10, 10, 30 }, [2, 3]));
        Assert.All(n.mean([1]).data<double>().ToArray(), m => Assert.Equal(0, m, 10));
        Assert.All(n.std(1, unbiased: false).data<double>().ToArray(), s => Assert.Equal(1, s, 10));
    }

    [Fact]
    public void Gan_qp_matches_delta_plus_lambda_r()
    {
        using var scope = NewDisposeScope();
        double[] real = [0.5, -0.5, 1, 0, 0.2, 0.2, 0.2, 0.2];
        double[] fake = [0, 0, 0, 0, 0.2, 0.2, 0.2, 0.6];
        double[] sr = [0.3, -1.0], sf = [0.8, 0.5];
        var loss = new QpObjective(0.25).EncoderLoss(
            tensor(sr, [2]), tensor(sf, [2]),
            tensor(real, [2, 1, 2, 2]), tensor(fake, [2, 1, 2, 2])).ToDouble();
        var expected = 0.0;
        for (var i = 0; i < 2; i++)
        {
            var delta = sr[i] - sf[i];
            var distance = Enumerable.Range(i * 4, 4).Average(j => (real[j] - fake[j]) * (real[j] - fake[j]));
            expected += (delta + 0.25 * delta * delta / distance) / 2;
        }

        Assert.Equal(expected, loss, 10);
    }

    [Fact]
    public void Gan_qp_stays_finite_when_the_fake_equals_the_real()
    {
        using var scope = NewDisposeScope();
        var x = ones([2, 1, 2, 2], ScalarType.Float64);
        var loss = new QpObjective(0.25).EncoderLoss(tensor(new double[] { 0.1, 0.2 }, [2]), tensor(new double[] { 0.3, 0.1 }, [2]), x, x);
        Assert.True(double.IsFinite(loss.ToDouble()));
    }

    [Fact]
    public void Hinge_and_logistic_match_their_formulas_with_the_papers_sign()
    {
        using var scope = NewDisposeScope();
        double[] sr = [-2, 0.5], sf = [0.3, 3];
        var real = tensor(sr, [2]);
        var fake = tensor(sf, [2]);
        var none = zeros([2, 1, 1, 1], ScalarType.Float64);
        double Softplus(double v) => Math.Log(1 + Math.Exp(v));

        var hinge = GanObjective.Create(GanLoss.Hinge);
        Assert.Equal(sr.Average(v => Math.Max(0, 1 + v)) + sf.Average(v => Math.Max(0, 1 - v)), hinge.EncoderLoss(real, fake, none, none).ToDouble(), 10);
        Assert.Equal(sf.Average(), hinge.GeneratorLoss(fake).ToDouble(), 10);

        var logistic = GanObjective.Create(GanLoss.Logistic);
        Assert.Equal(sr.Average(Softplus) + sf.Average(v => Softplus(-v)), logistic.EncoderLoss(real, fake, none, none).ToDouble(), 10);
        Assert.Equal(sf.Average(Softplus), logistic.GeneratorLoss(fake).ToDouble(), 10);
    }

    [Fact]
    public void The_rho_term_subtracts_lambda2_times_the_mean_correlation_and_vanishes_at_zero()
    {
        using var scope = NewDisposeScope();
        var z = tensor(new double[] { 1, 2, 3, 4, 4, 3, 2, 1 }, [2, 4]);
        var code = tensor(new double[] { 1, 2, 3, 5, 1, 2, 3, 4 }, [2, 4]);
        var objective = GanObjective.Create(GanLoss.Qp);
        var withRho = new OGanLoss(objective, 0.5).Generator(z, code);
        var plain = new OGanLoss(objective, 0).Generator(z, code);
        var rho = (PlainPearson([1, 2, 3, 4], [1, 2, 3, 5]) + PlainPearson([4, 3, 2, 1], [1, 2, 3, 4])) / 2;
        Assert.Equal(rho, withRho.Rho.ToDouble(), 10);
        Assert.Equal(plain.Total.ToDouble() - 0.5 * rho, withRho.Total.ToDouble(), 10);
        Assert.Equal(code.mean().ToDouble(), plain.Total.ToDouble(), 10); // plain GAN-QP G loss: avg(E(G(z)))
    }

    [Fact]
    public void A_separate_rho_code_feeds_only_the_correlation_term()
    {
        using var scope = NewDisposeScope();
        var z = tensor(new double[] { 1, 2, 3, 4, 4, 3, 2, 1 }, [2, 4]);
        var scored = tensor(new double[] { 1, 2, 3, 5, 1, 2, 3, 4 }, [2, 4]);
        var clean = tensor(new double[] { 4, 3, 2, 1, 1, 2, 4, 3 }, [2, 4]);
        var real = tensor(new double[] { 0, 1, 0, 2, 1, 0, 3, 1 }, [2, 4]);
        var loss = new OGanLoss(GanObjective.Create(GanLoss.Hinge), 0.5);
        var rho = (PlainPearson([1, 2, 3, 4], [4, 3, 2, 1]) + PlainPearson([4, 3, 2, 1], [1, 2, 4, 3])) / 2;

        var generator = loss.Generator(z, scored, clean);
        Assert.Equal(rho, generator.Rho.ToDouble(), 10);
        Assert.Equal(loss.Generator(z, scored).Adversarial.ToDouble(), generator.Adversarial.ToDouble(), 10);

        var encoder = loss.Encoder(z, real, scored, real, scored, clean);
        var together = loss.Encoder(z, real, scored, real, scored);
        Assert.Equal(rho, encoder.Rho.ToDouble(), 10);
        Assert.NotEqual(together.Rho.ToDouble(), encoder.Rho.ToDouble(), 3);
        Assert.Equal(together.Adversarial.ToDouble(), encoder.Adversarial.ToDouble(), 10);
        Assert.Equal(together.Delta.ToDouble(), encoder.Delta.ToDouble(), 10);
    }
}
