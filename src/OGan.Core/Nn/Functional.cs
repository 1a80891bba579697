using OGan.Native;
using OGan.Tensors;

namespace OGan.Nn;

/// <summary>Interpolation modes of <see cref="Functional.Interpolate"/>.</summary>
public enum InterpolationMode
{
    /// <summary>Nearest neighbour.</summary>
    Nearest = 0,

    /// <summary>Bilinear.</summary>
    Bilinear = 1,

    /// <summary>Bicubic.</summary>
    Bicubic = 2,

    /// <summary>Averages over areas (adaptive average pooling).</summary>
    Area = 3,
}

/// <summary>The stateless network functions (torch.nn.functional).</summary>
public static class Functional
{
    /// <summary>x · weightᵀ + bias.</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        return Tensor.Wrap(NativeMethods.ogan_nn_linear(input.Handle, weight.Handle, Tensor.HandleOf(bias)));
    }

    /// <summary>2-d convolution; weight is (out, in / groups, kH, kW).</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        return Tensor.Wrap(NativeMethods.ogan_nn_conv2d(
            input.Handle, weight.Handle, Tensor.HandleOf(bias), [stride, stride], [padding, padding], [dilation, dilation], groups));
    }

    /// <summary>2-d transposed convolution; weight is (in, out / groups, kH, kW).</summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long outputPadding = 0, long dilation = 1, long groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        return Tensor.Wrap(NativeMethods.ogan_nn_conv_transpose2d(
            input.Handle, weight.Handle, Tensor.HandleOf(bias), [stride, stride], [padding, padding], [outputPadding, outputPadding], [dilation, dilation], groups));
    }

    /// <summary>
    /// Batch normalisation. In training it normalises with the batch's statistics and updates the running
    /// ones in place (running = (1 - momentum) * running + momentum * batch, variance unbiased), as PyTorch.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Tensor.Wrap(NativeMethods.ogan_nn_batch_norm(
            input.Handle, Tensor.HandleOf(weight), Tensor.HandleOf(bias), Tensor.HandleOf(runningMean), Tensor.HandleOf(runningVar), training ? 1 : 0, momentum, eps));
    }

    /// <summary>Resizes (N, C, H, W) images; antialias low-pass filters when shrinking (bilinear, bicubic).</summary>
    public static Tensor Interpolate(Tensor input, long height, long width, InterpolationMode mode = InterpolationMode.Bilinear, bool alignCorners = false, bool antialias = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Tensor.Wrap(NativeMethods.ogan_nn_interpolate(input.Handle, height, width, (int)mode, alignCorners ? 1 : 0, antialias ? 1 : 0));
    }

    /// <summary>log(softmax(x)) along <paramref name="dim"/>.</summary>
    public static Tensor LogSoftmax(Tensor input, long dim)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Tensor.Wrap(NativeMethods.ogan_nn_log_softmax(input.Handle, dim));
    }

    /// <summary>Mean cross-entropy of (N, classes) logits against int64 class indices.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        return Tensor.Wrap(NativeMethods.ogan_nn_cross_entropy(logits.Handle, targets.Handle));
    }

    /// <summary>Average pooling with a square window.</summary>
    public static Tensor AvgPool2d(Tensor input, long kernel, long stride)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Tensor.Wrap(NativeMethods.ogan_nn_avg_pool2d(input.Handle, kernel, stride));
    }
}
