using System.Diagnostics;
using OGan.Nn;
using OGan.Tensors;

namespace OGan.Bench;

/// <summary>
/// One DCGAN layer stack, forward and backward, batch 64: conv_transpose2d (k5, s2, 'same') + batch_norm
/// + relu + conv2d (k5, s2). The same shapes as bench/layer_stack.py.
/// </summary>
internal static class LayerStack
{
    public static double SecondsPerIteration(int channels, int size, int iterations, int warmup)
    {
        using var deconv = new ConvTranspose2d(channels, channels / 2, 5, stride: 2, padding: 2, outputPadding: 1);
        using var bn = new BatchNorm2d(channels / 2);
        using var conv = new Conv2d(channels / 2, channels, 5, stride: 2, padding: 2);
        using var input = Torch.Randn([64, channels, size, size]).DetachFromScope();

        void Iteration()
        {
            using var scope = DisposeScope.Enter();
            var h = bn.Forward(deconv.Forward(input)).Relu();
            conv.Forward(h).Mean().Backward();
        }

        for (var i = 0; i < warmup; i++)
        {
            Iteration();
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            Iteration();
        }

        return clock.Elapsed.TotalSeconds / iterations;
    }
}
