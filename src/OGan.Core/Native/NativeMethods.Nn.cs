using System.Runtime.InteropServices;

namespace OGan.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_nn_linear(TensorHandle input, TensorHandle weight, TensorHandle bias);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_nn_conv2d(TensorHandle input, TensorHandle weight, TensorHandle bias, long[] stride, long[] padding, long[] dilation, long groups);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_nn_conv_transpose2d(TensorHandle input, TensorHandle weight, TensorHandle bias, long[] stride, long[] padding, long[] outputPadding, long[] dilation, long groups);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_nn_batch_norm(TensorHandle input, TensorHandle weight, TensorHandle bias, TensorHandle runningMean, TensorHandle runningVar, int training, double momentum, double eps);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_nn_leaky_relu(TensorHandle input, double negativeSlope);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_nn_interpolate(TensorHandle input, long outH, long outW, int mode, int alignCorners, int antialias);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_nn_log_softmax(TensorHandle input, long dim);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_nn_cross_entropy(TensorHandle logits, TensorHandle targets);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_nn_avg_pool2d(TensorHandle input, long kernel, long stride);
}
