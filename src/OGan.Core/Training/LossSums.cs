using OGan.Distributed;
using OGan.Engine;
using static TorchSharp.torch;

namespace OGan.Training;

/// <summary>
/// The losses of the iterations since the last log line, summed where they were computed (reading each would
/// make the host wait for the device), and their means over every process of the job.
/// </summary>
internal sealed class LossSums(Device device) : IDisposable
{
    private readonly Tensor sums = zeros(4, device: device).DetachFromDisposeScope();

    /// <summary>Iterations summed since the last <see cref="TakeMeans"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Adds one iteration's losses (inside the caller's dispose scope).</summary>
    public void Add(StepLosses losses)
    {
        using (no_grad())
        {
            sums.PlusInPlace(stack([losses.EncoderLoss, losses.GeneratorLoss, losses.Delta, losses.Rho]));
        }

        Count++;
    }

    /// <summary>Whether every sum is finite.</summary>
    public bool AreFinite() => sums.isfinite().all().item<bool>();

    /// <summary>
    /// The job's means of L_E, L_G, the critic gap and rho since the last call (one all-reduce: every process
    /// gets the same, so all stop together on a NaN), and how many iterations this process summed; then starts over.
    /// </summary>
    public (double[] Means, int Count) TakeMeans(ProcessGroup group)
    {
        double[] means;
        using (NewDisposeScope())
        {
            group.AllReduce(sums);
            means = [.. sums.cpu().data<float>().ToArray().Select(s => (double)s / Count / group.Size)];
            sums.zero_();
        }

        var count = Count;
        Count = 0;
        return (means, count);
    }

    public void Dispose() => sums.Dispose();
}
