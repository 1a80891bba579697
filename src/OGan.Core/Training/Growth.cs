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
/// model keeps its weights, BatchNorm statistics and optimizer state under its new name (E's blocks move up one).
/// Its image layers (G's "out", E's "conv0") become either the <see cref="Fade"/> the new blocks fade in from, or,
/// growing by skips (the grown model has one more <see cref="OGanConfig.Skips"/>), the grown model's skip1 for good
/// (its skip{j} move up one), and the new blocks start silent: G's new "out" at zero, E's new "bn1" at gain zero,
/// so that the grown model starts as the smaller one at twice the size and the new blocks add what they learn.
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

        if (Enumerable.Range(0, smaller.NumLayers + 1).Any(i => larger.GeneratorChannels(i) != smaller.GeneratorChannels(i)))
        {
            return $"its hidden layers have {HiddenChannels(smaller, smaller.NumLayers)} channels, the new model's {HiddenChannels(larger, smaller.NumLayers)}: give --min-channels {smaller.MinChannels}";
        }

        if (larger.LatentDim != smaller.LatentDim)
        {
            return $"it has z {smaller.LatentDim}, the new model {larger.LatentDim}: give --zdim {smaller.LatentDim}";
        }

        if (larger.KernelSize != smaller.KernelSize)
        {
            return $"it has kernel {smaller.KernelSize}, the new model {larger.KernelSize}: give --kernel {smaller.KernelSize}";
        }

        return larger.Skips == smaller.Skips + 1 || (smaller.Skips == 0 && larger.Skips == 0)
            ? null
            : $"it has {smaller.Skips} skip(s), so it grows into a model of {smaller.Skips + 1} by skips{(smaller.Skips == 0 ? " or of 0 by fading" : "")}, not {larger.Skips}: give --grow-by skip";
    }

    // G's hidden layers 0..last, as "128, 64, 32, 16".
    private static string HiddenChannels(OGanConfig config, int last) => string.Join(", ", Enumerable.Range(0, last + 1).Select(config.GeneratorChannels));

    /// <summary>Whether a model of <paramref name="smaller"/> grows into one of <paramref name="larger"/> by skips (else by fading).</summary>
    public static bool BySkips(OGanConfig smaller, OGanConfig larger) => larger.Skips > smaller.Skips;

    /// <summary>The name in the grown G of each entry of the smaller G: its output layer becomes skip1 (by skips) or the fade (null).</summary>
    public static string? GeneratorName(string name, bool bySkips) =>
        name.StartsWith("out.", StringComparison.Ordinal) ? (bySkips ? $"skip1.{name[4..]}" : null) : bySkips ? SkipMovedUp(name) : name;

    /// <summary>
    /// The name in the grown E of each entry of the smaller E ("conv{i}" to "conv{i+1}", "bn{i}" to "bn{i+1}"); its
    /// first convolution becomes skip1 (by skips) or the fade (null).
    /// </summary>
    public static string? EncoderName(string name, bool bySkips)
    {
        if (name.StartsWith("conv0.", StringComparison.Ordinal))
        {
            return bySkips ? $"skip1.{name[6..]}" : null;
        }

        var block = BlockName().Match(name);
        return block.Success ? $"{block.Groups[1].Value}{Next(block.Groups[2].Value)}.{block.Groups[3].Value}" : SkipMovedUp(name);
    }

    // "skip{j}.x" to "skip{j+1}.x"; any other name as it is.
    private static string SkipMovedUp(string name) => SkipName().Match(name) is { Success: true } skip ? $"skip{Next(skip.Groups[1].Value)}.{skip.Groups[2].Value}" : name;

    private static int Next(string index) => int.Parse(index, System.Globalization.CultureInfo.InvariantCulture) + 1;

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
        var bySkips = BySkips(smaller, state.Generator.Config);
        string? Generated(string name) => GeneratorName(name, bySkips);
        string? Encoded(string name) => EncoderName(name, bySkips);
        Generator[] generators = state.Ema is null ? [state.Generator] : [state.Generator, state.Ema];
        Copy(from.Part(Checkpoint.GeneratorPrefix), state.Generator, state.Generator.Fade, Generated);
        Copy(from.Part(Checkpoint.EncoderPrefix), state.Encoder, state.Encoder.Fade, Encoded);
        if (state.Ema is not null)
        {
            Copy(from.Part(hasEma ? Checkpoint.EmaPrefix : Checkpoint.GeneratorPrefix), state.Ema, state.Ema.Fade, Generated);
        }

        if (bySkips)
        {
            foreach (var generator in generators)
            {
                Silence(generator, "out.weight", "out.bias");
            }

            Silence(state.Encoder, "bn1.weight");
        }

        using var smallerGenerator = new Generator(smaller);
        using var smallerEncoder = new Encoder(smaller);
        OptimizerStates.Carry(state.GeneratorOptimizer, from.Part(Checkpoint.GeneratorOptimizerPrefix), Sources(smallerGenerator, state.Generator, Generated));
        OptimizerStates.Carry(state.EncoderOptimizer, from.Part(Checkpoint.EncoderOptimizerPrefix), Sources(smallerEncoder, state.Encoder, Encoded));
    }

    // Zeroes the named entries: a new block that adds nothing until it has learnt something.
    private static void Silence(nn.Module network, params string[] names)
    {
        var entries = network.state_dict();
        foreach (var name in names)
        {
            entries[name].zero_();
        }
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

    [GeneratedRegex(@"^skip(\d+)\.(.+)$")]
    private static partial Regex SkipName();
}
