using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OGan.MixedPrecision;

/// <summary>
/// A convolution or linear layer with fp32 parameters "weight" and "bias" whose arithmetic follows its
/// <see cref="Policy"/>. The casts are part of the autograd graph, so gradients reach the parameters as fp32,
/// and nothing cast is kept from one call to the next: the optimizer's update is always what the next call sees.
/// </summary>
public abstract class AutocastLayer : Module<Tensor, Tensor>
{
    // Named as the state dict's keys: Module.to replaces parameters by field name.
    private Parameter weight;
    private Parameter bias;

    /// <summary>Parameters of <paramref name="weightShape"/> and (<paramref name="outputs"/>), drawn as PyTorch's defaults: U(±1/√fan_in).</summary>
    protected AutocastLayer(string name, long[] weightShape, long fanIn, long outputs)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(weightShape);
        var bound = 1 / Math.Sqrt(fanIn);
        weight = Parameter(empty(weightShape));
        bias = Parameter(empty(outputs));
        using (no_grad())
        {
            weight.uniform_(-bound, bound);
            bias.uniform_(-bound, bound);
        }

        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    /// <summary>What this layer computes in; the network sets it for all its layers.</summary>
    public AutocastPolicy Policy { get; set; } = AutocastPolicy.Fp32;

    /// <summary>The fp32 weight (the master copy the optimizer updates).</summary>
    public Parameter Weight => weight;

    /// <summary>The fp32 bias.</summary>
    public Parameter Bias => bias;

    /// <summary>The layer's operation on the input, weight and bias as the policy casts them.</summary>
    public sealed override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var policy = Policy;
        if (policy == AutocastPolicy.Fp32)
        {
            return Apply(input, weight, bias);
        }

        return Apply(policy.Layout(policy.Compute(input)), policy.Layout(policy.Compute(weight)), policy.Compute(bias));
    }

    /// <summary>The operation itself (functional conv2d, conv_transpose2d or linear).</summary>
    protected abstract Tensor Apply(Tensor input, Tensor weight, Tensor bias);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            weight.Dispose();
            bias.Dispose();
        }

        base.Dispose(disposing);
    }
}
