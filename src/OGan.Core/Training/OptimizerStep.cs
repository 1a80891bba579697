using OGan.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OGan.Training;

/// <summary>
/// One step of TorchSharp's Adam or RMSprop, computed by OGan on the optimizer's own state (so checkpoints and
/// results stay those of TorchSharp's step, bit for bit) with every Scalar held through its native call.
/// TorchSharp's own step passes numbers (betas, 1 - beta, the step size) as temporary Scalars that a collection
/// on another thread can finalize while libtorch reads them: under forced collections it stopped training within
/// seconds (GcStressTests). The algorithms are PyTorch's, with OGan's options: no weight decay, AMSGrad,
/// momentum or centring; eps 1e-8.
/// </summary>
internal static class OptimizerStep
{
    private const double Epsilon = 1e-8;

    // Each optimizer's per-parameter states, read once: state_dict() builds a new list every call.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<optim.Optimizer, IList<OptimizerState>> States = [];

    /// <summary>Updates every parameter of <paramref name="optimizer"/> that has a gradient, at its group's learning rate.</summary>
    public static void Run(optim.Optimizer optimizer, TrainingOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var states = States.GetValue(optimizer, o => ((OptimizerHelper)o).state_dict().State); // live, in parameter order, as OptimizerStates saves them
        var index = 0;
        foreach (var group in optimizer.ParamGroups.Cast<ParamGroup>())
        {
            foreach (var parameter in group.Parameters)
            {
                var state = states[index++];
                if (parameter.grad is not { } gradient)
                {
                    continue;
                }

                switch (state)
                {
                    case Adam.State adam:
                        AdamUpdate(parameter, gradient, adam, group.LearningRate, options.Beta1, options.Beta2);
                        break;
                    case RMSProp.State rms:
                        RmsPropUpdate(parameter, gradient, rms, group.LearningRate, options.RmsAlpha);
                        break;
                    default:
                        throw new NotSupportedException($"OGan does not step {state.GetType().Name}");
                }
            }
        }
    }

    private static void AdamUpdate(Tensor parameter, Tensor gradient, Adam.State state, double rate, double beta1, double beta2)
    {
        state.step += 1;
        var correction1 = 1 - Math.Pow(beta1, state.step);
        var correction2 = 1 - Math.Pow(beta2, state.step);
        using Scalar b1 = beta1.ToScalar(), rest1 = (1 - beta1).ToScalar(), b2 = beta2.ToScalar(), rest2 = (1 - beta2).ToScalar();
        using Scalar root2 = Math.Sqrt(correction2).ToScalar(), epsilon = Epsilon.ToScalar(), one = 1.ToScalar(), stepSize = (-rate / correction1).ToScalar();
        state.exp_avg.mul_(b1).add_(gradient, rest1);
        state.exp_avg_sq.mul_(b2).addcmul_(gradient, gradient, rest2);
        var denominator = state.exp_avg_sq.sqrt().div(root2).add_(epsilon, one);
        parameter.addcdiv_(state.exp_avg, denominator, stepSize);
    }

    private static void RmsPropUpdate(Tensor parameter, Tensor gradient, RMSProp.State state, double rate, double alpha)
    {
        state.step += 1;
        using Scalar a = alpha.ToScalar(), rest = (1 - alpha).ToScalar(), epsilon = Epsilon.ToScalar(), one = 1.ToScalar(), stepSize = (-rate).ToScalar();
        state.square_avg.mul_(a).addcmul_(gradient, gradient, rest);
        var average = state.square_avg.sqrt().add_(epsilon, one);
        parameter.addcdiv_(gradient, average, stepSize);
    }
}
