using System.Diagnostics;
using OGan.Distributed;

namespace OGan.Core.Tests.Distributed;

/// <summary>
/// A collective that waits longer than OGAN_COLLECTIVE_TIMEOUT for the other processes ends the job with one
/// line, instead of hanging it forever (a process stuck, or a network gone: scripts/two-machines.sh cuts a link).
/// </summary>
public sealed class CollectiveTimeoutTests
{
    [SkippableFact]
    public void A_process_that_never_joins_the_all_reduce_ends_the_job_within_the_timeout()
    {
        Mpirun.SkipUnlessInstalled();
        var clock = Stopwatch.StartNew();
        var result = Mpirun.RunCommand(2, Fixtures.TemporaryFolder(), ["env", $"{CollectiveWatchdog.TimeoutVariable}=3", "dotnet", Mpirun.WorkerDll, "stall"]);
        var took = clock.Elapsed;
        Assert.NotEqual(0, result.ExitCode);
        var lines = result.Error.Split('\n').Where(l => l.Contains("waited", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, $"expected one line of the timeout, got:\n{result.Output}{result.Error}");
        Assert.Contains("process 0", lines[0], StringComparison.Ordinal);
        Assert.Contains("MPI_Allreduce", lines[0], StringComparison.Ordinal);
        Assert.True(took < TimeSpan.FromSeconds(60), $"the job took {took.TotalSeconds:F0} s to end");
    }

    [SkippableFact]
    public void Waiting_for_process_0_working_alone_is_not_a_hang_under_a_low_collective_timeout()
    {
        // As a large checkpoint's write on rank 0 under a cluster-style low OGAN_COLLECTIVE_TIMEOUT.
        Mpirun.SkipUnlessInstalled();
        var result = Mpirun.RunCommand(2, Fixtures.TemporaryFolder(), ["env", $"{CollectiveWatchdog.TimeoutVariable}=1", "dotnet", Mpirun.WorkerDll, "main-works", "4"]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}:\n{result.Output}{result.Error}");
        Assert.Contains("process 1 done: 4", result.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Process_0_working_alone_past_its_own_limit_ends_the_job_with_one_line()
    {
        Mpirun.SkipUnlessInstalled();
        var result = Mpirun.RunCommand(2, Fixtures.TemporaryFolder(),
            ["env", $"{CollectiveWatchdog.TimeoutVariable}=1", $"{CollectiveWatchdog.MainWorkTimeoutVariable}=3", "dotnet", Mpirun.WorkerDll, "main-works", "600"]);
        Assert.NotEqual(0, result.ExitCode);
        var lines = result.Error.Split('\n').Where(l => l.Contains("waited", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, $"expected one line of the timeout, got:\n{result.Output}{result.Error}");
        Assert.Contains("process 1", lines[0], StringComparison.Ordinal);
        Assert.Contains("process 0 is to sleep as if writing", lines[0], StringComparison.Ordinal);
        Assert.Contains(CollectiveWatchdog.MainWorkTimeoutVariable, lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("soon")]
    public void A_timeout_that_is_not_a_positive_number_of_seconds_is_refused(string value)
    {
        Environment.SetEnvironmentVariable(CollectiveWatchdog.TimeoutVariable, value);
        try
        {
            Assert.Contains(CollectiveWatchdog.TimeoutVariable, Assert.Throws<CommunicationException>(() => CollectiveWatchdog.ConfiguredTimeout()).Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(CollectiveWatchdog.TimeoutVariable, null);
        }
    }
}
