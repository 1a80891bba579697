using System.Runtime.InteropServices;

namespace OGan.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial GeneratorHandle ogan_generator_new(ulong seed);

    [LibraryImport(Lib)]
    internal static partial void ogan_generator_free(IntPtr gen);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_generator_get_state(GeneratorHandle gen);

    [LibraryImport(Lib)]
    internal static partial int ogan_generator_set_state(GeneratorHandle gen, TensorHandle state);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_random_randn(long[] shape, int ndim, int dtype, int deviceType, int deviceIndex, GeneratorHandle gen);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_random_rand(long[] shape, int ndim, int dtype, int deviceType, int deviceIndex, GeneratorHandle gen);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_random_randperm(long n, GeneratorHandle gen);

    [LibraryImport(Lib)]
    internal static partial int ogan_random_normal_(TensorHandle t, double mean, double std, GeneratorHandle gen);

    [LibraryImport(Lib)]
    internal static partial int ogan_random_uniform_(TensorHandle t, double low, double high, GeneratorHandle gen);
}
