using OGan.Distributed;
using static TorchSharp.torch;

namespace OGan.Training;

/// <summary>
/// This process's share of a batch. Every process draws the random numbers of the whole batch (indices, flips,
/// latents), so that their random generators stay the same, and keeps the rows of its rank: the batch of one
/// process, cut into equal shares in rank order.
/// </summary>
internal static class BatchShare
{
    /// <summary>The indices of this process's images among <paramref name="whole"/>.</summary>
    public static ReadOnlySpan<long> Of(ReadOnlySpan<long> whole, ProcessGroup group)
    {
        var size = whole.Length / group.Size;
        return whole.Slice(group.Rank * size, size);
    }

    /// <summary>This process's rows of <paramref name="whole"/> (the tensor itself for one process).</summary>
    public static Tensor Of(Tensor whole, ProcessGroup group)
    {
        if (group.Size == 1)
        {
            return whole;
        }

        var size = whole.shape[0] / group.Size;
        return whole.narrow(0, group.Rank * size, size);
    }
}
