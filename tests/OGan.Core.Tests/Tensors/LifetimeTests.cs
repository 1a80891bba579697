using System.Diagnostics;

namespace OGan.Core.Tests.Tensors;

// Counts native tensors process-wide, so it must not run beside other tests.
[Collection(nameof(LifetimeTests))]
[CollectionDefinition(nameof(LifetimeTests), DisableParallelization = true)]
public sealed class LifetimeTests
{
    [Theory]
    [InlineData(OGan.Training.Formulation.Alternating)]
    [InlineData(OGan.Training.Formulation.SinglePass)]
    public void Training_steps_leave_no_tensor_behind(OGan.Training.Formulation formulation)
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 256);
        var settings = new OGan.Training.RunSettings(
            new OGan.Models.OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 },
            new OGan.Training.TrainingOptions { BatchSize = 16, Steps = 100, LogEvery = 5, EmaDecay = 0.9, Formulation = formulation },
            "fashion-mnist");
        using var trainer = new OGan.Training.Trainer(settings, data);
        for (var i = 0; i < 5; i++)
        {
            trainer.TrainStep();
        }

        Settle();
        var baseline = Torch.LiveTensorCount;
        for (var i = 0; i < 40; i++)
        {
            trainer.TrainStep();
        }

        Settle();
        Assert.Equal(baseline, Torch.LiveTensorCount);
    }

    [Fact]
    public void A_hundred_thousand_temporaries_in_scopes_leave_memory_flat()
    {
        using var weights = Torch.Randn([64, 64]).DetachFromScope();
        void Round()
        {
            for (var i = 0; i < 1000; i++)
            {
                using var scope = DisposeScope.Enter();
                var x = Torch.Randn([16, 64]);
                var y = x.Matmul(weights).Tanh() * 0.5 + 1.0; // 5 temporaries with x
                Assert.Equal(5, scope.Count);
                _ = y;
            }
        }

        Round(); // warm up the allocator and the JIT
        Settle();
        var baselineTensors = Torch.LiveTensorCount;
        var baselineRss = CurrentRss();
        for (var round = 0; round < 20; round++)
        {
            Round(); // 20 x 1000 x 5 = 100,000 temporaries
        }

        Assert.True(Torch.LiveTensorCount <= baselineTensors, $"{Torch.LiveTensorCount - baselineTensors} tensors leaked");
        var growth = CurrentRss() - baselineRss;
        Assert.True(growth < 32L << 20, $"resident memory grew by {growth >> 20} MiB over 100,000 scoped temporaries");
    }

    [Fact]
    public void Dispose_frees_once_even_when_called_twice()
    {
        Settle();
        var before = Torch.LiveTensorCount;
        var t = Torch.Ones([3]);
        Assert.Equal(before + 1, Torch.LiveTensorCount);
        t.Dispose();
        t.Dispose();
        Assert.Equal(before, Torch.LiveTensorCount);
        Assert.True(t.IsDisposed);
    }

    [Fact]
    public void The_garbage_collector_frees_an_unreferenced_tensor_once()
    {
        Settle();
        var before = Torch.LiveTensorCount;
        var weak = CreateAndDrop();
        for (var i = 0; i < 10 && (weak.IsAlive || Torch.LiveTensorCount != before); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(weak.IsAlive);
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    [Fact]
    public void A_scope_frees_its_tensors_but_not_those_moved_out()
    {
        Settle();
        var before = Torch.LiveTensorCount;
        Tensor kept;
        Tensor outerKept;
        using (var outer = DisposeScope.Enter())
        {
            using (DisposeScope.Enter())
            {
                _ = Torch.Ones([2]) + 1;
                kept = (Torch.Ones([2]) * 3).DetachFromScope();
                outerKept = Torch.Zeros([1]).MoveToOuterScope();
            }

            Assert.Equal(1, outer.Count);
            Assert.False(outerKept.IsDisposed);
            outer.Dispose();
            outer.Dispose();
        }

        Assert.True(outerKept.IsDisposed);
        Assert.Equal([3f, 3f], kept.ToArray<float>());
        kept.Dispose();
        Assert.Equal(before, Torch.LiveTensorCount);
        Assert.Null(DisposeScope.Current);
    }

    // Other tests' garbage is finalized at unpredictable times; clear it before counting.
    private static void Settle()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    private static WeakReference CreateAndDrop()
    {
        var t = Torch.Ones([1000]);
        return new WeakReference(t);
    }

    private static long CurrentRss()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
