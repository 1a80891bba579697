using OGan.Losses;
using OGan.Models;

namespace OGan.Core.Tests.Losses;

/// <summary>The author's combined loss must hand each network exactly the gradient of its own alternating loss.</summary>
public sealed class SinglePassTests
{
    [Theory]
    [InlineData(GanLoss.Qp)]
    [InlineData(GanLoss.Hinge)]
    [InlineData(GanLoss.Logistic)]
    public void Each_network_gets_the_gradient_of_its_own_loss(GanLoss kind)
    {
        using var scope = DisposeScope.Enter();
        var config = new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 };
        using var init = new RandomGenerator(3);
        using var generator = new Generator(config, init);
        using var encoder = new Encoder(config, init);
        var loss = new OGanLoss(GanObjective.Create(kind), lambdaRho: 0.5);
        var z = Torch.Randn([6, 8], init);
        var real = Torch.Rand([6, 1, 32, 32], init) * 2.0 - 1.0;

        var fake = generator.Forward(z);
        var stopped = fake.Detach();
        loss.SinglePass(z, encoder.Forward(real), encoder.Forward(fake), encoder.Forward(stopped), real, stopped).Total.Backward();
        var combinedE = Gradients(encoder);
        var combinedG = Gradients(generator);

        encoder.ZeroGrad();
        generator.ZeroGrad();
        var fixedFake = generator.Forward(z).Detach();
        loss.Encoder(z, encoder.Forward(real), encoder.Forward(fixedFake), real, fixedFake).Total.Backward();
        AssertClose(Gradients(encoder), combinedE);

        encoder.ZeroGrad();
        loss.Generator(z, encoder.Forward(generator.Forward(z))).Total.Backward();
        AssertClose(Gradients(generator), combinedG);
    }

    private static float[][] Gradients(OGan.Nn.Module module) =>
        module.Parameters().Select(p => p.Grad?.ToArray<float>() ?? throw new InvalidOperationException("a parameter got no gradient")).ToArray();

    private static void AssertClose(float[][] expected, float[][] actual)
    {
        // Relative to the network's largest gradient: a conv bias before BatchNorm has a true gradient of 0.
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(g => g.Max(Math.Abs));
        for (var i = 0; i < expected.Length; i++)
        {
            var worst = expected[i].Zip(actual[i]).Max(p => Math.Abs(p.First - p.Second));
            Assert.True(worst <= 1e-4 * scale, $"parameter {i}: largest difference {worst:G3} against a gradient scale of {scale:G3}");
        }
    }
}
