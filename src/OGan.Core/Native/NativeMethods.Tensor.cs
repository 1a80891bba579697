using System.Runtime.InteropServices;

namespace OGan.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static unsafe partial TensorHandle ogan_tensor_from_blob(void* data, long[] shape, int ndim, int dtype);

    [LibraryImport(Lib)]
    internal static partial void ogan_tensor_free(IntPtr t);

    [LibraryImport(Lib)]
    internal static unsafe partial TensorHandle ogan_tensor_from_data(void* data, long nbytes, long[] shape, int ndim, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Lib)]
    internal static unsafe partial int ogan_tensor_copy_to(TensorHandle t, void* dst, long nbytes);

    [LibraryImport(Lib)]
    internal static partial int ogan_tensor_ndim(TensorHandle t);

    [LibraryImport(Lib)]
    internal static partial int ogan_tensor_shape(TensorHandle t, [Out] long[] shapeOut, int capacity);

    [LibraryImport(Lib)]
    internal static partial int ogan_tensor_dtype(TensorHandle t);

    [LibraryImport(Lib)]
    internal static partial int ogan_tensor_device(TensorHandle t, out int type, out int index);

    [LibraryImport(Lib)]
    internal static partial long ogan_tensor_numel(TensorHandle t);

    [LibraryImport(Lib)]
    internal static partial int ogan_tensor_item(TensorHandle t, out double value);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_tensor_to(TensorHandle t, int dtype, int deviceType, int deviceIndex, int nonBlocking);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_tensor_pin_memory(TensorHandle t);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_tensor_clone(TensorHandle t);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_tensor_detach(TensorHandle t);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_tensor_contiguous(TensorHandle t);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_tensor_full(long[] shape, int ndim, double value, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_tensor_arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Lib)]
    internal static partial int ogan_tensor_copy_(TensorHandle dst, TensorHandle src);

    [LibraryImport(Lib)]
    internal static partial int ogan_tensor_fill_(TensorHandle t, double value);

    [LibraryImport(Lib)]
    internal static partial int ogan_tensor_set_data(TensorHandle t, TensorHandle src);
}
