namespace OGan.Training;

/// <summary>
/// The training defaults of OGan 0.2, before the long-run study of docs/results.md section 9 changed them
/// (0.3 turned on the moving average of G, and a cosine decay of the learning rates with λ₂ growing over the
/// first 10,000 iterations): `ogan train` names the options whose defaults changed, and
/// settings written by 0.2, which lack the keys added since, read those keys as 0.2 trained, so that an old
/// run resumes as it was trained.
/// </summary>
public static class PreviousDefaults
{
    /// <summary>The version whose defaults these are.</summary>
    public const string Version = "0.2";

    /// <summary>0.2's training options.</summary>
    public static TrainingOptions Options { get; } = new()
    {
        EmaDecay = 0,
        LearningRateDecay = LearningRateDecay.None,
        ScheduleSteps = 0,
        LambdaRhoGrowth = 1,
    };

    /// <summary>The keys of options.json's "training" that 0.2 did not write.</summary>
    internal static IReadOnlyList<string> AddedKeys { get; } =
        ["encoder_learning_rate", "generator_learning_rate", "learning_rate_decay", "learning_rate_floor", "schedule_steps", "lambda_rho_growth"];
}
