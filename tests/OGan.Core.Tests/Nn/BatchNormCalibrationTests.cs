using OGan.Nn;

namespace OGan.Core.Tests.Nn;

public sealed class BatchNormCalibrationTests
{
    [Fact]
    public void Recalibration_averages_the_statistics_of_all_batches_and_restores_the_module()
    {
        using var scope = DisposeScope.Enter();
        using var norm = new BatchNorm2d(2);
        norm.Eval();
        using var random = new RandomGenerator(4);
        var batches = new[] { Torch.Randn([4, 2, 3, 3], random) * 2.0 + 1.0, Torch.Randn([5, 2, 3, 3], random) - 3.0 };
        var expectedMean = new double[2];
        var expectedVar = new double[2];
        foreach (var batch in batches)
        {
            var values = batch.ToArray<float>();
            var (n, area) = (batch.Size(0), 9);
            for (var c = 0; c < 2; c++)
            {
                var channel = Enumerable.Range(0, (int)n).SelectMany(i => values.Skip((int)((i * 2 + c) * area)).Take(area)).Select(v => (double)v).ToArray();
                var mean = channel.Average();
                expectedMean[c] += mean / batches.Length;
                expectedVar[c] += channel.Sum(v => (v - mean) * (v - mean)) / (channel.Length - 1) / batches.Length;
            }
        }

        var used = BatchNormCalibration.Recalibrate(norm, batches.Select(b => b.Clone()));

        Assert.Equal(2, used);
        var runningMean = norm.RunningMean.ToArray<float>();
        var runningVar = norm.RunningVar.ToArray<float>();
        for (var c = 0; c < 2; c++)
        {
            Assert.Equal(expectedMean[c], runningMean[c], 4);
            Assert.Equal(expectedVar[c], runningVar[c], 4);
        }

        Assert.Equal(0.1, norm.Momentum);
        Assert.False(norm.Training);
        Assert.Equal(2, norm.NumBatchesTracked.Item());
    }
}
