using OGan.Tensors;
using OGan.Training;

namespace OGan.Checkpoints;

/// <summary>An OGan checkpoint's contents: tensors (by state_dict name) and the settings in its metadata. Disposing frees the tensors.</summary>
public sealed record CheckpointMetadata(Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata, RunSettings Settings, long Step) : IDisposable
{
    /// <summary>Metadata key of the format marker.</summary>
    public const string FormatKey = "format";

    /// <summary>The format marker's value.</summary>
    public const string Format = "ogan-checkpoint/1";

    /// <summary>Metadata key of the settings JSON (model config, training options, data).</summary>
    public const string SettingsKey = "settings";

    /// <summary>Metadata key of the step.</summary>
    public const string StepKey = "step";

    /// <summary>The tensors whose names start with <paramref name="prefix"/>, keyed by the rest of the name.</summary>
    public Dictionary<string, Tensor> Part(string prefix) =>
        Tensors.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(t => t.Key[prefix.Length..], t => t.Value);

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        foreach (var tensor in Tensors.Values)
        {
            tensor.Dispose();
        }
    }

    /// <summary>Reads and checks an OGan checkpoint; dispose the result to free its tensors.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not an OGan checkpoint (or a damaged one); the message names the file.</exception>
    public static CheckpointMetadata Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"checkpoint {path} does not exist", path);
        }

        var (tensors, metadata) = SafeTensors.Load(path);
        try
        {
            if (!metadata.TryGetValue(FormatKey, out var format) || format != Format)
            {
                throw new InvalidDataException($"{path} is a safetensors file but not an OGan checkpoint (no '{Format}' marker)");
            }

            var settings = RunSettings.FromJson(metadata.GetValueOrDefault(SettingsKey) ?? throw new InvalidDataException($"{path} has no settings"));
            var step = long.Parse(metadata.GetValueOrDefault(StepKey) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            return new CheckpointMetadata(tensors, metadata, settings, step);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or OverflowException)
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw e is InvalidDataException ? e : new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
