using OGan.Tensors;

namespace OGan.Nn;

/// <summary>2-d convolution with a square kernel, as torch.nn.Conv2d; weight (out, in, k, k).</summary>
public sealed class Conv2d : Module
{
    /// <summary>Creates the layer with PyTorch's default initialisation.</summary>
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true, Device? device = null)
    {
        Stride = stride;
        Padding = padding;
        var fanIn = inChannels * kernelSize * kernelSize;
        Weight = RegisterParameter("weight", Torch.Zeros([outChannels, inChannels, kernelSize, kernelSize], device: device));
        Init.DefaultUniform(Weight, fanIn);
        if (bias)
        {
            Bias = RegisterParameter("bias", Torch.Zeros([outChannels], device: device));
            Init.DefaultUniform(Bias, fanIn);
        }
    }

    /// <summary>Step between windows.</summary>
    public long Stride { get; }

    /// <summary>Zero padding on each side.</summary>
    public long Padding { get; }

    /// <summary>(out, in, k, k).</summary>
    public Tensor Weight { get; }

    /// <summary>(out), or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, Stride, Padding);
}
