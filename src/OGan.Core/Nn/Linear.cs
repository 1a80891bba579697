using OGan.Tensors;

namespace OGan.Nn;

/// <summary>y = x · Wᵀ + b, with W of shape (out, in) as in torch.nn.Linear.</summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer with PyTorch's default initialisation.</summary>
    public Linear(long inFeatures, long outFeatures, bool bias = true, Device? device = null)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Torch.Zeros([outFeatures, inFeatures], device: device));
        Init.DefaultUniform(Weight, inFeatures);
        if (bias)
        {
            Bias = RegisterParameter("bias", Torch.Zeros([outFeatures], device: device));
            Init.DefaultUniform(Bias, inFeatures);
        }
    }

    /// <summary>Input features.</summary>
    public long InFeatures { get; }

    /// <summary>Output features.</summary>
    public long OutFeatures { get; }

    /// <summary>(out, in).</summary>
    public Tensor Weight { get; }

    /// <summary>(out), or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
}
