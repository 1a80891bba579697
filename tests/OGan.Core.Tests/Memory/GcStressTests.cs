using OGan.Core.Tests.Cli;
using OGan.Core.Tests.Distributed;

namespace OGan.Core.Tests.Memory;

/// <summary>
/// Training survives collections forced without pause on another thread (ScalarTemporariesTests says why it might
/// not): 300 steps, in a child process so that an abort fails this test and not the test run.
/// </summary>
public sealed class GcStressTests
{
    [Fact]
    public void Three_hundred_steps_survive_collections_forced_throughout()
    {
        var result = Ogan.RunDll(Fixtures.TemporaryFolder(), Mpirun.WorkerDll, ["gc-stress", "300"]);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}: {result.Output}{result.Error}");
        Assert.Contains("trained 300 steps", result.Output, StringComparison.Ordinal);
    }
}
