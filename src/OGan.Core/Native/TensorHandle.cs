using System.Runtime.InteropServices;

namespace OGan.Native;

/// <summary>Owns one native tensor handle; releasing it (Dispose or the GC) frees it exactly once.</summary>
internal sealed class TensorHandle : SafeHandle
{
    /// <summary>A handle that stands for "no tensor" in optional arguments; never released.</summary>
    internal static readonly TensorHandle Null = new();

    public TensorHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.ogan_tensor_free(handle);
        return true;
    }
}

/// <summary>Owns one native random generator.</summary>
internal sealed class GeneratorHandle : SafeHandle
{
    internal static readonly GeneratorHandle Null = new();

    public GeneratorHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.ogan_generator_free(handle);
        return true;
    }
}
