using System.Runtime.InteropServices;

namespace OGan.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_reshape(TensorHandle t, long[] shape, int ndim);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_view(TensorHandle t, long[] shape, int ndim);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_permute(TensorHandle t, long[] dims, int ndim);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_flatten(TensorHandle t, long startDim, long endDim);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_transpose(TensorHandle t, long dim0, long dim1);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_unsqueeze(TensorHandle t, long dim);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_squeeze(TensorHandle t, long dim);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_expand(TensorHandle t, long[] shape, int ndim);

    [LibraryImport(Lib)]
    internal static unsafe partial TensorHandle ogan_shape_cat(IntPtr* ts, int count, long dim);

    [LibraryImport(Lib)]
    internal static unsafe partial TensorHandle ogan_shape_stack(IntPtr* ts, int count, long dim);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_slice(TensorHandle t, long dim, long start, long end, long step);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_index_select(TensorHandle t, long dim, TensorHandle index);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_flip(TensorHandle t, long[] dims, int ndims);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_pad(TensorHandle t, long[] pads, int npads, double value);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_shape_to_channels_last(TensorHandle t);
}
