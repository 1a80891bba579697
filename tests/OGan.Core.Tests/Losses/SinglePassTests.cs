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
        using var scope = NewDisposeScope();
        var config = new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 };
        using var init = new torch.Generator(3);
        using var generator = new Generator(config, init);
        using var encoder = new Encoder(config, init);
        var loss = new OGanLoss(GanObjective.Create(kind), lambdaRho: 0.5);
        var z = randn([6, 8], generator: init);
        var real = rand([6, 1, 32, 32], generator: init) * 2.0 - 1.0;

        var fake = generator.call(z);
        var stopped = fake.detach();
        loss.SinglePass(z, encoder.call(real), encoder.call(fake), encoder.call(stopped), real, stopped).Total.backward();
        var combinedE = Gradients(encoder);
        var combinedG = Gradients(generator);

        encoder.zero_grad();
        generator.zero_grad();
        var fixedFake = generator.call(z).detach();
        loss.Encoder(z, encoder.call(real), encoder.call(fixedFake), real, fixedFake).Total.backward();
        AssertClose(Gradients(encoder), combinedE);

        encoder.zero_grad();
        loss.Generator(z, encoder.call(generator.call(z))).Total.backward();
        AssertClose(Gradients(generator), combinedG);
    }

    private static float[][] Gradients(nn.Module module) =>
        module.parameters().Select(p => p.grad?.data<float>().ToArray() ?? throw new InvalidOperationException("a parameter got no gradient")).ToArray();

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
