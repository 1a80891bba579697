namespace OGan.Training;

/// <summary>Averages over one log interval, as written to stats.jsonl.</summary>
public sealed record TrainingProgress(
    long Step,
    long TotalSteps,
    double EncoderLoss,
    double GeneratorLoss,
    double Delta,
    double Rho,
    double ImagesPerSecond,
    double ElapsedSeconds);

/// <summary>Training produced a NaN or infinite loss; the run stopped without overwriting good checkpoints.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
