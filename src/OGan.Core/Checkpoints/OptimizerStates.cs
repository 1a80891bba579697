using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OGan.Checkpoints;

/// <summary>
/// An optimizer's state as named tensors, as PyTorch's optimizer state_dict names them: "step" (int64) and
/// "state.{i}.{buffer}" with i indexing the parameters in order (Adam: exp_avg, exp_avg_sq; RMSprop: square_avg),
/// and "state.{i}.step" for a parameter whose step count differs from the first's (after <see cref="Carry"/>: a
/// grown model's new layers count their steps from 0).
/// </summary>
internal static class OptimizerStates
{
    public static IEnumerable<KeyValuePair<string, Tensor>> Save(optim.Optimizer optimizer)
    {
        var states = ((OptimizerHelper)optimizer).state_dict().State;
        var step = states.Count == 0 ? 0 : Step(states[0]);
        yield return new("step", tensor(step));
        for (var i = 0; i < states.Count; i++)
        {
            foreach (var (name, buffer) in Buffers(states[i]))
            {
                yield return new($"state.{i}.{name}", buffer);
            }

            if (Step(states[i]) != step)
            {
                yield return new($"state.{i}.step", tensor(Step(states[i])));
            }
        }
    }

    /// <exception cref="ArgumentException">An entry is missing or of the wrong shape.</exception>
    public static void Load(optim.Optimizer optimizer, IReadOnlyDictionary<string, Tensor> saved)
    {
        var states = ((OptimizerHelper)optimizer).state_dict().State;
        if (!saved.TryGetValue("step", out var step) || step.dtype != ScalarType.Int64 || step.numel() != 1 || step.item<long>() < 0)
        {
            throw new ArgumentException("optimizer state has no 'step' (one non-negative int64)");
        }

        using var noGrad = no_grad();
        for (var i = 0; i < states.Count; i++)
        {
            foreach (var (name, buffer) in Buffers(states[i]))
            {
                var key = $"state.{i}.{name}";
                if (!saved.TryGetValue(key, out var source) || !source.shape.SequenceEqual(buffer.shape) || !source.is_floating_point())
                {
                    throw new ArgumentException($"optimizer state '{key}' is missing or of the wrong shape (another optimizer or model?)");
                }

                buffer.copy_(source);
            }

            var own = saved.TryGetValue($"state.{i}.step", out var count) && count.dtype == ScalarType.Int64 && count.numel() == 1 ? count.item<long>() : step.item<long>();
            SetStep(states[i], own);
        }
    }

    /// <summary>
    /// Copies the moments of another model's optimizer state (<paramref name="saved"/>, as <see cref="Save"/> names it)
    /// into <paramref name="optimizer"/>: parameter i takes those of saved parameter <paramref name="sources"/>[i] and its
    /// step count; a parameter without a source keeps its fresh state (step 0, so Adam's bias correction starts over for it).
    /// </summary>
    /// <exception cref="ArgumentException">A source's entry is missing or of another shape.</exception>
    public static void Carry(optim.Optimizer optimizer, IReadOnlyDictionary<string, Tensor> saved, IReadOnlyList<int?> sources)
    {
        var states = ((OptimizerHelper)optimizer).state_dict().State;
        if (states.Count != sources.Count)
        {
            throw new ArgumentException($"the optimizer has {states.Count} parameters, the map {sources.Count}");
        }

        var step = saved.TryGetValue("step", out var stored) && stored.numel() == 1 ? stored.item<long>() : 0;
        using var noGrad = no_grad();
        for (var i = 0; i < states.Count; i++)
        {
            if (sources[i] is not { } source)
            {
                continue;
            }

            foreach (var (name, buffer) in Buffers(states[i]))
            {
                var key = $"state.{source}.{name}";
                if (!saved.TryGetValue(key, out var value) || !value.shape.SequenceEqual(buffer.shape))
                {
                    throw new ArgumentException($"optimizer state '{key}' is missing or of another shape than its parameter's");
                }

                buffer.copy_(value);
            }

            SetStep(states[i], step);
        }
    }

    private static IEnumerable<(string Name, Tensor Buffer)> Buffers(OptimizerState state) => state switch
    {
        Adam.State adam => [("exp_avg", adam.exp_avg), ("exp_avg_sq", adam.exp_avg_sq)],
        RMSProp.State rms => [("square_avg", rms.square_avg)],
        _ => throw new NotSupportedException($"optimizer state {state.GetType().Name} is not saved by OGan"),
    };

    private static long Step(OptimizerState state) => state switch
    {
        Adam.State adam => adam.step,
        RMSProp.State rms => rms.step,
        _ => 0,
    };

    private static void SetStep(OptimizerState state, long step)
    {
        switch (state)
        {
            case Adam.State adam:
                adam.step = step;
                break;
            case RMSProp.State rms:
                rms.step = step;
                break;
        }
    }
}
