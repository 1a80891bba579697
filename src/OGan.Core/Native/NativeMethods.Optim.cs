using System.Runtime.InteropServices;

namespace OGan.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static unsafe partial int ogan_optim_adam_step(IntPtr* parameters, IntPtr* expAvg, IntPtr* expAvgSq, int count, long step, double lr, double beta1, double beta2, double eps, double weightDecay);

    [LibraryImport(Lib)]
    internal static unsafe partial int ogan_optim_rmsprop_step(IntPtr* parameters, IntPtr* squareAvg, int count, double lr, double alpha, double eps, double weightDecay);
}
