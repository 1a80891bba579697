namespace OGan.Distributed;

/// <summary>
/// Whether a job's CUDA tensors are all-reduced by NCCL or staged through host memory for MPI. Every process
/// decides from the same facts, gathered from all of them, so all take the same path: NCCL must be switched on
/// and loaded in every process, and no two processes may share a GPU (NCCL refuses that: "Duplicate GPU
/// detected"), as several processes per GPU do when a job is started with more processes than GPUs.
/// </summary>
internal static class NcclChoice
{
    /// <summary>
    /// Null where NCCL carries CUDA tensors; otherwise why MPI does, in one line.
    /// </summary>
    /// <param name="switchedOff">This process was told not to use NCCL (OGAN_NCCL=0).</param>
    /// <param name="missingSomewhere">NCCL is switched off or could not be loaded in at least one process.</param>
    /// <param name="gpus">Each process's GPU, by rank, as a key that is equal only for the same physical GPU.</param>
    public static string? WhyNot(bool switchedOff, bool missingSomewhere, IReadOnlyList<long> gpus)
    {
        ArgumentNullException.ThrowIfNull(gpus);
        if (switchedOff)
        {
            return $"{NcclCommunicator.SwitchVariable}=0: CUDA tensors are all-reduced by MPI through host memory";
        }

        if (missingSomewhere)
        {
            return "NCCL is switched off or could not be loaded in some process: CUDA tensors are all-reduced by MPI through host memory";
        }

        for (var rank = 0; rank < gpus.Count; rank++)
        {
            for (var other = 0; other < rank; other++)
            {
                if (gpus[other] == gpus[rank])
                {
                    return $"processes {other} and {rank} share one GPU, which NCCL refuses: CUDA tensors are all-reduced by MPI " +
                        "through host memory (start one process per GPU for NCCL)";
                }
            }
        }

        return null;
    }
}
