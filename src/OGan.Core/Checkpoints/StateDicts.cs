using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Checkpoints;

/// <summary>Copies named tensors into a module's parameters and buffers, checking every name and shape first.</summary>
internal static class StateDicts
{
    /// <summary>
    /// Loads <paramref name="state"/> (names as <c>module.state_dict()</c> gives them) into <paramref name="module"/>,
    /// on the module's device. Every entry of the module must be present with its shape; extra entries are refused.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is missing, unexpected or of the wrong shape; the message names it.</exception>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(state);
        var targets = module.state_dict();
        foreach (var (name, target) in targets)
        {
            if (!state.TryGetValue(name, out var source))
            {
                throw new ArgumentException($"'{name}' is missing");
            }

            if (!source.shape.SequenceEqual(target.shape))
            {
                throw new ArgumentException($"'{name}' has shape [{string.Join(", ", source.shape)}], the model needs [{string.Join(", ", target.shape)}]");
            }
        }

        if (state.Keys.FirstOrDefault(k => !targets.ContainsKey(k)) is { } extra)
        {
            throw new ArgumentException($"'{extra}' belongs to no part of the model");
        }

        using var noGrad = no_grad();
        foreach (var (name, target) in targets)
        {
            target.copy_(state[name]);
        }
    }
}
