using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Training;

/// <summary>OGan's optimizer step (Scalars held through the native calls) computes what TorchSharp's own step does, bit for bit.</summary>
public sealed class OptimizerStepTests
{
    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.RMSprop)]
    public void Five_steps_leave_the_same_weights_and_state_as_torchsharps_step(OptimizerKind kind)
    {
        using var scope = NewDisposeScope();
        var config = new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 };
        var options = new TrainingOptions { BatchSize = 4, Steps = 5, Optimizer = kind, Beta1 = 0.5, Beta2 = 0.99, RmsAlpha = 0.9 };
        using var ours = new TrainingState(config, options, CPU, 16);
        using var theirs = new TrainingState(config, options, CPU, 16);
        using (no_grad())
        {
            foreach (var (a, b) in ours.Generator.parameters().Zip(theirs.Generator.parameters()))
            {
                b.copy_(a);
            }
        }

        var random = new torch.Generator(3);
        for (var step = 0; step < 5; step++)
        {
            var z = randn([4, 8], generator: random);
            foreach (var (state, ownStep) in new[] { (ours, true), (theirs, false) })
            {
                state.GeneratorOptimizer.zero_grad();
                state.Generator.call(z).square().mean().backward();
                if (ownStep)
                {
                    OptimizerStep.Run(state.GeneratorOptimizer, options);
                }
                else
                {
                    state.GeneratorOptimizer.step();
                }
            }
        }

        foreach (var ((name, a), (_, b)) in ours.Generator.named_parameters().Zip(theirs.Generator.named_parameters()))
        {
            Assert.True(a.Equals(b), $"{name} differs from TorchSharp's {kind} step");
        }
    }
}
