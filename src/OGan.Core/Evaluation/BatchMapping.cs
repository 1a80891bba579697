using OGan.Data;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>A function of image batches applied over a set, 500 images at a time, concatenated on the CPU.</summary>
internal static class BatchMapping
{
    public static Tensor MapBatches(this ImageSet images, int count, Func<Tensor, Tensor> f)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        foreach (var batch in images.Batches(count, 500, CPU))
        {
            using (batch)
            {
                parts.Add(f(batch).cpu());
            }
        }

        return cat(parts).MoveToOuterDisposeScope();
    }
}
