using System.Text.RegularExpressions;
using OGan.Checkpoints;
using OGan.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = OGan.Models.Generator;

namespace OGan.Training;

/// <summary>
/// A model grown to twice its resolution from a trained one (ProGAN): G and E are stacks of stride-2 blocks, so
/// a 128 px model is a 64 px model with one more block at G's output and at E's input. Every layer of the smaller
/// model keeps its weights, BatchNorm statistics and optimizer state under its new name (E's blocks move up one);
/// its image layers (G's "out", E's "conv0") become the <see cref="Fade"/> the new blocks fade in from.
/// </summary>
internal static partial class Growth
{
    /// <summary>Why a model of <paramref name="smaller"/> cannot grow into one of <paramref name="larger"/>, or null when it can.</summary>
    public static string? WhyNot(OGanConfig smaller, OGanConfig larger)
    {
        ArgumentNullException.ThrowIfNull(smaller);
        ArgumentNullException.ThrowIfNull(larger);
        if (larger.ImageSize != 2 * smaller.ImageSize)
        {
            return $"a {smaller.ImageSize} px model grows into a {2 * smaller.ImageSize} px one, not {larger.ImageSize} px (grow one size at a time)";
        }

        if (larger.Channels != smaller.Channels)
        {
            return $"it has {smaller.Channels} channel(s), the data {larger.Channels}";
        }

        if (larger.MaxChannels != smaller.MaxChannels)
        {
            return $"it has width {smaller.MaxChannels}, the new model {larger.MaxChannels}: give --width {smaller.MaxChannels}";
        }

        if (larger.LatentDim != smaller.LatentDim)
        {
            return $"it has z {smaller.LatentDim}, the new model {larger.LatentDim}: give --zdim {smaller.LatentDim}";
        }

        return larger.KernelSize != smaller.KernelSize
            ? $"it has kernel {smaller.KernelSize}, the new model {larger.KernelSize}: give --kernel {smaller.KernelSize}"
            : null;
    }

    /// <summary>The name in the grown G of each entry of the smaller G; null for its output layer, which becomes the fade.</summary>
    public static string? GeneratorName(string name) => name.StartsWith("out.", StringComparison.Ordinal) ? null : name;

    /// <summary>The name in the grown E of each entry of the smaller E ("conv{i}" to "conv{i+1}", "bn{i}" to "bn{i+1}"); null for its first convolution, which becomes the fade.</summary>
    public static string? EncoderName(string name)
    {
        if (name.StartsWith("conv0.", StringComparison.Ordinal))
        {
            return null;
        }

        var block = BlockName().Match(name);
        return block.Success ? $"{block.Groups[1].Value}{int.Parse(block.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) + 1}.{block.Groups[3].Value}" : name;
    }

    /// <summary>Puts the smaller model of <paramref name="from"/> into the grown <paramref name="state"/>: weights, statistics, fades and the optimizers' moments.</summary>
    /// <exception cref="InvalidDataException">The checkpoint's model cannot grow into the state's.</exception>
    public static void Apply(Checkpoint from, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(state);
        var smaller = from.Settings.Model;
        if (WhyNot(smaller, state.Generator.Config) is { } why)
        {
            throw new InvalidDataException($"{from.Path} cannot grow into this model: {why}");
        }

        if (from.IsFading)
        {
            throw new InvalidDataException($"{from.Path} was written while its own new layers faded in: grow from a checkpoint after the fade");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var hasEma = from.HasEma;
        Copy(from.Part(Checkpoint.GeneratorPrefix), state.Generator, state.Generator.Fade, GeneratorName);
        Copy(from.Part(Checkpoint.EncoderPrefix), state.Encoder, state.Encoder.Fade, EncoderName);
        if (state.Ema is not null)
        {
            Copy(from.Part(hasEma ? Checkpoint.EmaPrefix : Checkpoint.GeneratorPrefix), state.Ema, state.Ema.Fade, GeneratorName);
        }

        using var smallerGenerator = new Generator(smaller);
        using var smallerEncoder = new Encoder(smaller);
        OptimizerStates.Carry(state.GeneratorOptimizer, from.Part(Checkpoint.GeneratorOptimizerPrefix), Sources(smallerGenerator, state.Generator, GeneratorName));
        OptimizerStates.Carry(state.EncoderOptimizer, from.Part(Checkpoint.EncoderOptimizerPrefix), Sources(smallerEncoder, state.Encoder, EncoderName));
    }

    // Every entry of the smaller network into the grown one (renamed) or into its fade; the new blocks keep their initialisation.
    private static void Copy(IReadOnlyDictionary<string, Tensor> smaller, nn.Module grown, Fade? fade, Func<string, string?> rename)
    {
        var targets = grown.state_dict();
        var fadeTargets = fade?.Layer.state_dict();
        foreach (var (name, source) in smaller)
        {
            var target = rename(name) is { } newName
                ? targets.GetValueOrDefault(newName) ?? throw new InvalidDataException($"'{name}' has no place in the grown model")
                : fadeTargets?.GetValueOrDefault(name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..]);
            if (target is null)
            {
                continue; // no fade: the old image layer is dropped
            }

            if (!target.shape.SequenceEqual(source.shape))
            {
                throw new InvalidDataException($"'{name}' has shape [{string.Join(", ", source.shape)}], its place in the grown model [{string.Join(", ", target.shape)}]");
            }

            target.copy_(source);
        }
    }

    // For each parameter of the grown network (in optimizer order), the index of the smaller network's parameter it came from.
    private static int?[] Sources(nn.Module smaller, nn.Module grown, Func<string, string?> rename)
    {
        var indices = smaller.named_parameters().Select((p, i) => (Name: rename(p.name), Index: i))
            .Where(p => p.Name is not null).ToDictionary(p => p.Name!, p => p.Index);
        return [.. grown.named_parameters().Select(p => indices.TryGetValue(p.name, out var i) ? i : (int?)null)];
    }

    [GeneratedRegex(@"^(conv|bn)(\d+)\.(.+)$")]
    private static partial Regex BlockName();
}
