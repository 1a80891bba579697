using static TorchSharp.torch;

namespace OGan.Distributed;

/// <summary>How <see cref="ProcessGroup.AllReduce"/> combines the processes' values.</summary>
public enum ReduceOperation
{
    /// <summary>The sum over all processes.</summary>
    Sum,

    /// <summary>The largest value.</summary>
    Max,
}

/// <summary>
/// The processes that train one model together, with the collective operations data-parallel training needs.
/// <see cref="Single"/> is one process on its own; <see cref="FromEnvironment"/> joins the job of an MPI launcher
/// (<c>mpirun</c>, <c>srun</c>). Every process must call each collective operation, in the same order.
/// </summary>
public abstract class ProcessGroup : IDisposable
{
    /// <summary>One process on its own: every collective operation leaves the values as they are.</summary>
    public static ProcessGroup Single { get; } = new SingleProcess();

    /// <summary>This process's number, from 0.</summary>
    public abstract int Rank { get; }

    /// <summary>How many processes there are.</summary>
    public abstract int Size { get; }

    /// <summary>Whether this is rank 0, the process that writes checkpoints, grids and logs.</summary>
    public bool IsMain => Rank == 0;

    /// <summary>What carries the bytes, e.g. "Open MPI v5.0.7" or "one process".</summary>
    public abstract string Backend { get; }

    /// <summary>
    /// The group this process was launched into: MPI's world when an MPI launcher started it (see
    /// <see cref="MpiLaunch"/>), else <see cref="Single"/>. Dispose it at the end (that finalizes MPI).
    /// </summary>
    /// <exception cref="DllNotFoundException">Launched by mpirun or srun, but Open MPI's library cannot be loaded.</exception>
    /// <exception cref="CommunicationException">MPI failed to start, or sees another job than the launcher started.</exception>
    public static ProcessGroup FromEnvironment() => MpiLaunch.IsLaunched ? MpiProcessGroup.Initialize() : Single;

    /// <summary>Replaces <paramref name="tensor"/> (contiguous: float32, float64 or int64) by the combination of every process's.</summary>
    public abstract void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum);

    /// <summary>Replaces <paramref name="tensor"/> (contiguous) on every process by <paramref name="root"/>'s.</summary>
    public abstract void Broadcast(Tensor tensor, int root = 0);

    /// <summary>Waits until every process has called it.</summary>
    public abstract void Barrier();

    // Every process waits until rank 0 has finished its work alone (see RunOnMain).
    private protected virtual void WaitForMain(string work) => Barrier();

    /// <summary>
    /// Runs <paramref name="work"/> on rank 0 alone (writing a checkpoint, grids, metrics) and returns on every
    /// process once rank 0 is done. The others' wait is work, not a hang: under MPI it is watched by the limit of
    /// OGAN_MAIN_WORK_TIMEOUT (an hour by default), not by OGAN_COLLECTIVE_TIMEOUT's.
    /// </summary>
    /// <param name="what">What rank 0 does, in words for the watchdog's message ("write a checkpoint").</param>
    /// <param name="work">The work; called on rank 0 only.</param>
    public void RunOnMain(string what, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (IsMain)
        {
            work();
        }

        WaitForMain(what);
    }

    /// <summary>Ends every process of the job with <paramref name="exitCode"/> (for an error that only some processes see, which would otherwise leave the rest waiting).</summary>
    public abstract void Abort(int exitCode);

    /// <summary>Whether any process says so (an all-reduce of one flag): how processes agree to stop together.</summary>
    public bool Any(bool value)
    {
        if (Size == 1)
        {
            return value;
        }

        using var flag = tensor(value ? 1L : 0L);
        AllReduce(flag, ReduceOperation.Max);
        return flag.item<long>() != 0;
    }

    /// <summary>
    /// Checks that every process agrees with rank 0 on each of <paramref name="facts"/> (what a job's collectives and
    /// results depend on: settings, data, tensor shapes) before they are used: each fact's SHA-256 is compared with
    /// rank 0's, and the processes that differ are counted in one all-reduce, so that every process learns the same.
    /// </summary>
    /// <param name="facts">What each is (for the message) and its value on this process.</param>
    /// <exception cref="ProcessesDisagreeException">Some process differs from rank 0 on a fact (thrown by every process alike).</exception>
    public void CheckAgreement(IReadOnlyList<(string What, string Value)> facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (Size == 1 || facts.Count == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        var mine = facts.Select(fact => BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(fact.Value)), 0)).ToArray();
        var main = tensor(mine);
        Broadcast(main);
        var differs = tensor(mine.Zip(main.data<long>().ToArray(), (a, b) => a == b ? 0L : 1L).ToArray());
        AllReduce(differs);
        var counts = differs.data<long>().ToArray();
        var first = Array.FindIndex(counts, count => count > 0);
        if (first >= 0)
        {
            throw new ProcessesDisagreeException(
                $"the processes disagree: {counts[first]} of {Size} have other {facts[first].What} than rank 0; give every process the same options and the same files");
        }
    }

    /// <summary>Leaves the group (MPI: finalizes).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees what the group holds.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    private sealed class SingleProcess : ProcessGroup
    {
        public override int Rank => 0;

        public override int Size => 1;

        public override string Backend => "one process";

        public override void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum)
        {
        }

        public override void Broadcast(Tensor tensor, int root = 0)
        {
        }

        public override void Barrier()
        {
        }

        public override void Abort(int exitCode) => Environment.Exit(exitCode);
    }
}
