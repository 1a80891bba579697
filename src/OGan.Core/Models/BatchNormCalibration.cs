using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OGan.Models;

/// <summary>
/// Recomputes the running statistics of every BatchNorm in a module from chosen data. O-GAN's encoder sees
/// real and fake batches apart during training, so its running statistics fit neither; recalibrated on
/// real images, eval-mode encoding matches batch-mode encoding again.
/// </summary>
public static class BatchNormCalibration
{
    /// <summary>
    /// Runs <paramref name="batches"/> through <paramref name="module"/> in training mode without gradients,
    /// each BatchNorm averaging the statistics of all batches equally; restores the module's mode and momenta.
    /// Each batch is disposed after use, so that a lazy sequence holds one batch at a time.
    /// </summary>
    /// <returns>The number of batches used.</returns>
    public static int Recalibrate(nn.Module<Tensor, Tensor> module, IEnumerable<Tensor> batches)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(batches);
        var norms = module.modules().OfType<BatchNorm2d>().ToArray();
        var momenta = norms.Select(n => n.Momentum).ToArray();
        var training = module.training;
        var count = 0;
        try
        {
            foreach (var norm in norms)
            {
                norm.ResetRunningStatistics();
                norm.Momentum = null;
            }

            module.train();
            using var noGrad = no_grad();
            foreach (var batch in batches)
            {
                using (batch)
                using (NewDisposeScope())
                {
                    module.call(batch);
                }

                count++;
            }
        }
        finally
        {
            for (var i = 0; i < norms.Length; i++)
            {
                norms[i].Momentum = momenta[i];
            }

            module.train(training);
        }

        return count;
    }
}
