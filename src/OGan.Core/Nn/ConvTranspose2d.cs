using OGan.Tensors;

namespace OGan.Nn;

/// <summary>
/// 2-d transposed convolution with a square kernel, as torch.nn.ConvTranspose2d; weight (in, out, k, k).
/// Output size: (in - 1) * stride - 2 * padding + k + outputPadding.
/// </summary>
public sealed class ConvTranspose2d : Module
{
    /// <summary>Creates the layer with PyTorch's default initialisation.</summary>
    public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long outputPadding = 0, bool bias = true, Device? device = null)
    {
        Stride = stride;
        Padding = padding;
        OutputPadding = outputPadding;

        // PyTorch computes fan-in from weight.size(1): the output channels of a transposed convolution.
        var fanIn = outChannels * kernelSize * kernelSize;
        Weight = RegisterParameter("weight", Torch.Zeros([inChannels, outChannels, kernelSize, kernelSize], device: device));
        Init.DefaultUniform(Weight, fanIn);
        if (bias)
        {
            Bias = RegisterParameter("bias", Torch.Zeros([outChannels], device: device));
            Init.DefaultUniform(Bias, fanIn);
        }
    }

    /// <summary>Upsampling factor.</summary>
    public long Stride { get; }

    /// <summary>Implicit padding removed from each side.</summary>
    public long Padding { get; }

    /// <summary>Extra size added to one side of the output.</summary>
    public long OutputPadding { get; }

    /// <summary>(in, out, k, k).</summary>
    public Tensor Weight { get; }

    /// <summary>(out), or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding);
}
