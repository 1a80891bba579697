using System.Text.Json;
using System.Text.Json.Nodes;
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
            var settings = JsonNode.Parse(json) is JsonObject { } root
                ? WithPreviousDefaults(root).Deserialize<RunSettings>(Json) ?? throw new InvalidDataException("empty settings")
                : throw new InvalidDataException("run settings must be a JSON object");
            return settings.Model is null || settings.Training is null || settings.Data is null
                ? throw new InvalidDataException("run settings need model, training and data")
                : settings;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"unreadable run settings: {e.Message}", e);
        }
    }

    // Settings from before an option existed trained without it: its missing key reads as OGan 0.2 trained.
    private static JsonObject WithPreviousDefaults(JsonObject root)
    {
        if (root["training"] is JsonObject training)
        {
            var previous = JsonSerializer.SerializeToNode(PreviousDefaults.Options, Json)!.AsObject();
            foreach (var key in PreviousDefaults.AddedKeys.Where(key => !training.ContainsKey(key)))
            {
                training[key] = previous[key]?.DeepClone();
            }
        }

        return root;
    }
}
