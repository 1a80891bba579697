using System.Text.Json;

namespace OGan.Training;

/// <summary>Observes a run by appending each log interval's averaged losses to stats.jsonl, one JSON object a line.</summary>
public sealed class StatsLog(string path) : IProgress<TrainingProgress>
{
    /// <summary>The file written.</summary>
    public string Path { get; } = path ?? throw new ArgumentNullException(nameof(path));

    /// <inheritdoc/>
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var line = JsonSerializer.Serialize(new
        {
            step = value.Step,
            loss_e = value.EncoderLoss,
            loss_g = value.GeneratorLoss,
            delta = value.Delta,
            rho = value.Rho,
            images_per_s = value.ImagesPerSecond,
            seconds = value.ElapsedSeconds,
        });
        File.AppendAllText(Path, line + "\n");
    }
}
