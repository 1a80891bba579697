using System.Text.Json;
using System.Text.Json.Serialization;
using OGan.Models;

namespace OGan.Training;

/// <summary>A run's model config and training options together, as options.json and checkpoint metadata hold them.</summary>
public sealed record RunSettings(OGanConfig Model, TrainingOptions Training, string Data)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>As indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads settings written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not such settings.</exception>
    public static RunSettings FromJson(string json)
    {
        try
        {
            var settings = JsonSerializer.Deserialize<RunSettings>(json, Json) ?? throw new InvalidDataException("empty settings");
            return settings.Model is null || settings.Training is null || settings.Data is null
                ? throw new InvalidDataException("run settings need model, training and data")
                : settings;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"unreadable run settings: {e.Message}", e);
        }
    }
}
