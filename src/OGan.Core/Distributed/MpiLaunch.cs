using System.Globalization;

namespace OGan.Distributed;

/// <summary>
/// What the launcher told this process through its environment: Open MPI's mpirun (OMPI_COMM_WORLD_*), PMIx
/// (PMIX_RANK: Open MPI 5, srun --mpi=pmix), PMI (MPICH's hydra, srun --mpi=pmi2) and Slurm's srun (SLURM_*).
/// Read before MPI is initialized, so that a plain `ogan train` never loads MPI.
/// </summary>
public static class MpiLaunch
{
    /// <summary>Whether an MPI launcher started this process.</summary>
    public static bool IsLaunched =>
        Variable("OMPI_COMM_WORLD_SIZE") is not null || Variable("PMIX_RANK") is not null || Variable("PMI_RANK") is not null
        || (Variable("SLURM_STEP_ID") is not null && Number("SLURM_NTASKS") > 1);

    /// <summary>This process's rank as the launcher gave it (0 when not launched), known before MPI starts.</summary>
    public static int Rank => Number("OMPI_COMM_WORLD_RANK") ?? Number("PMIX_RANK") ?? Number("PMI_RANK") ?? Number("SLURM_PROCID") ?? 0;

    /// <summary>The processes the launcher started, when it says.</summary>
    public static int? WorldSize => Number("OMPI_COMM_WORLD_SIZE") ?? Number("PMI_SIZE") ?? (Variable("SLURM_STEP_ID") is null ? null : Number("SLURM_NTASKS"));

    /// <summary>This process's number among those on its machine (0 when not launched).</summary>
    public static int LocalRank => Number("OMPI_COMM_WORLD_LOCAL_RANK") ?? Number("MPI_LOCALRANKID") ?? Number("SLURM_LOCALID") ?? 0;

    /// <summary>The processes on this machine (1 when not launched).</summary>
    public static int LocalSize => Number("OMPI_COMM_WORLD_LOCAL_SIZE") ?? Number("MPI_LOCALNRANKS") ?? Number("SLURM_NTASKS_PER_NODE") ?? 1;

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static int? Number(string name) =>
        int.TryParse(Variable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
