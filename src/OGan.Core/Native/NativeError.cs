using System.Runtime.InteropServices;

using OGan.Tensors;

namespace OGan.Native;

/// <summary>Turns the native side's failure results into <see cref="TorchException"/>s.</summary>
internal static class NativeError
{
    internal static TensorHandle Check(TensorHandle handle)
    {
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw Last();
        }

        return handle;
    }

    internal static int Check(int result)
    {
        if (result < 0)
        {
            throw Last();
        }

        return result;
    }

    internal static long Check(long result)
    {
        if (result < 0)
        {
            throw Last();
        }

        return result;
    }

    private static TorchException Last()
    {
        var pointer = NativeMethods.ogan_last_error();
        var message = pointer == IntPtr.Zero
            ? "a native call failed without a message"
            : Marshal.PtrToStringUTF8(pointer) ?? "a native call failed";
        NativeMethods.ogan_clear_error();
        return new TorchException(message.Trim());
    }
}
