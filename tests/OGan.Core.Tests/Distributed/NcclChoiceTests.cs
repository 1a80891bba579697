using OGan.Distributed;

namespace OGan.Core.Tests.Distributed;

/// <summary>When CUDA tensors go through NCCL, and when they fall back to MPI with one line that says why.</summary>
public sealed class NcclChoiceTests
{
    [Fact]
    public void Processes_on_their_own_GPUs_use_NCCL() =>
        Assert.Null(NcclChoice.WhyNot(switchedOff: false, missingSomewhere: false, [11, 22, 33, 44]));

    [Fact]
    public void Two_processes_on_one_GPU_fall_back_to_MPI_and_are_named()
    {
        var why = NcclChoice.WhyNot(switchedOff: false, missingSomewhere: false, [11, 22, 33, 22]);
        Assert.NotNull(why);
        Assert.Contains("processes 1 and 3 share one GPU", why);
        Assert.Contains("MPI", why);
        Assert.DoesNotContain('\n', why);
    }

    [Fact]
    public void Every_process_on_one_GPU_falls_back_naming_the_first_pair() =>
        Assert.Contains("processes 0 and 1 share", NcclChoice.WhyNot(false, false, [7, 7, 7]));

    [Fact]
    public void Switched_off_or_missing_somewhere_falls_back_whatever_the_GPUs()
    {
        Assert.Contains("OGAN_NCCL=0", NcclChoice.WhyNot(switchedOff: true, missingSomewhere: true, []));
        Assert.Contains("could not be loaded", NcclChoice.WhyNot(switchedOff: false, missingSomewhere: true, []));
    }

    [Fact]
    public void One_process_alone_uses_NCCL() => Assert.Null(NcclChoice.WhyNot(false, false, [5]));
}
