using System.Runtime.InteropServices;

namespace OGan.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int ogan_autograd_set_requires_grad(TensorHandle t, int requiresGrad);

    [LibraryImport(Lib)]
    internal static partial int ogan_autograd_requires_grad(TensorHandle t);

    [LibraryImport(Lib)]
    internal static partial int ogan_autograd_grad(TensorHandle t, out TensorHandle grad);

    [LibraryImport(Lib)]
    internal static partial int ogan_autograd_zero_grad(TensorHandle t);

    [LibraryImport(Lib)]
    internal static partial int ogan_autograd_backward(TensorHandle t, TensorHandle grad, int retainGraph);

    [LibraryImport(Lib)]
    internal static partial int ogan_autograd_set_grad_enabled(int enabled);

    [LibraryImport(Lib)]
    internal static partial int ogan_autograd_is_grad_enabled();
}
