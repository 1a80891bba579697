using OGan.Engine;

namespace OGan.Core.Tests.Distributed;

/// <summary>The default thread count of each process: all cores shared among the processes, unless mpirun bound each to its own.</summary>
public sealed class ThreadCountTests
{
    [Theory]
    [InlineData(16, 16, 16, 1, 16)] // one process, unbound: every core
    [InlineData(16, 16, 16, 2, 8)]  // mpirun --bind-to none -np 2 on 16 cores: half each
    [InlineData(8, 16, 8, 2, 8)]    // bound to 8 cores of 16 (--map-by socket): those 8, not 4
    [InlineData(1, 16, 1, 2, 1)]    // bound to one core, Open MPI's default for -np 2: that core
    [InlineData(1, 2, 1, 2, 1)]     // this 2-core machine, bound: one each, both cores in use
    [InlineData(2, 2, 2, 2, 1)]     // this 2-core machine, unbound: one each
    [InlineData(2, 2, 2, 4, 1)]     // more processes than cores: never none
    [InlineData(16, 16, 4, 2, 2)]   // a container's quota of 4 CPUs on 16 cores, unbound: the 4 shared
    public void Each_process_uses_its_share_of_the_cores_it_may_run_on(int affinity, int machine, int usable, int localRanks, int expected) =>
        Assert.Equal(expected, Runtime.DefaultThreads(affinity, machine, usable, localRanks));

    [Fact]
    public void The_machine_has_at_least_the_cores_this_process_may_use()
    {
        Assert.InRange(Runtime.UsableCores, 1, Runtime.MachineCores);
        Assert.InRange(Runtime.AffinityCores, 1, Runtime.MachineCores);
    }
}
