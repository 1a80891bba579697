using OGan.Engine;
using OGan.Distributed;
using OGan.Training;

namespace OGan.Core.Tests.Distributed;

/// <summary>
/// Pooling BatchNorm's running statistics across processes gives what one process would have measured over
/// every process's batches, also when the shards' means differ (where averaging the variances falls short).
/// </summary>
public sealed class PooledStatisticsTests
{
    [Fact]
    public void Pooled_running_variance_is_the_variance_of_all_shards_together()
    {
        using var scope = NewDisposeScope();
        var generator = new torch.Generator(3);
        var first = randn([64, 4, 8, 8], generator: generator);
        var second = randn([64, 4, 8, 8], generator: generator).Times(2.0).Plus(3.0); // another mean and spread
        using var rank0 = Measured(first);
        using var rank1 = Measured(second);
        using var whole = Measured(cat([first, second], 0));

        // Rank 1's side of the all-reduce, as the buffers look there after ToSecondMoment.
        rank1.ToSecondMoment();
        var other = cat(rank1.buffers().Where(b => b.is_floating_point()).Select(b => b.flatten()).ToArray());
        new DataParallel(new TwoRanks(other)).AverageBuffers(rank0);

        var pooled = Buffers(rank0);
        var expected = Buffers(whole);
        Assert.True(pooled.Mean.allclose(expected.Mean, rtol: 1e-5, atol: 1e-5), "running means");
        // Unbiased variances of two halves against one of the whole differ by n/(n-1) factors only (n = 4,096 values a channel).
        Assert.True(pooled.Variance.allclose(expected.Variance, rtol: 1e-3, atol: 1e-4), $"pooled [{string.Join(", ", pooled.Variance.data<float>().ToArray())}] against [{string.Join(", ", expected.Variance.data<float>().ToArray())}]");
        var averaged = (Buffers(Measured(first)).Variance + Buffers(Measured(second)).Variance) / 2;
        Assert.False(averaged.allclose(expected.Variance, rtol: 0.1), "averaging the variances would have been as good: the test lost its point");
    }

    // A BatchNorm whose running statistics are exactly those of one batch.
    private static OGan.Models.BatchNorm2d Measured(Tensor batch)
    {
        var norm = new OGan.Models.BatchNorm2d(batch.shape[1]) { Momentum = null };
        norm.ResetRunningStatistics();
        norm.train();
        using (no_grad())
        {
            norm.call(batch).Dispose();
        }

        return norm;
    }

    private static (Tensor Mean, Tensor Variance) Buffers(OGan.Models.BatchNorm2d norm)
    {
        var state = norm.state_dict();
        return (state["running_mean"], state["running_var"]);
    }

    /// <summary>Rank 0 of two, whose all-reduce adds what rank 1 would send.</summary>
    private sealed class TwoRanks(Tensor other) : ProcessGroup
    {
        public override int Rank => 0;

        public override int Size => 2;

        public override string Backend => "two ranks in one test";

        public override void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum)
        {
            Assert.Equal(ReduceOperation.Sum, operation);
            tensor.add_(other);
        }

        public override void Broadcast(Tensor tensor, int root = 0) => throw new NotSupportedException();

        public override void Barrier()
        {
        }

        public override void Abort(int exitCode) => throw new NotSupportedException();
    }
}
