using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OGan.Checkpoints;

/// <summary>
/// An optimizer's state as named tensors, as PyTorch's optimizer state_dict names them: "step" (int64) and
/// "state.{i}.{buffer}" with i indexing the parameters in order (Adam: exp_avg, exp_avg_sq; RMSprop: square_avg).
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

            SetStep(states[i], step.item<long>());
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
