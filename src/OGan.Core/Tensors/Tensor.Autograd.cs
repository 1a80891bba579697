using OGan.Native;

namespace OGan.Tensors;

/// <summary>Autograd: gradients flow through libtorch's own engine.</summary>
public sealed partial class Tensor
{
    /// <summary>Whether autograd records operations on this tensor (a leaf that wants a gradient).</summary>
    public bool RequiresGrad
    {
        get => NativeError.Check(NativeMethods.ogan_autograd_requires_grad(Handle)) != 0;
        set => NativeError.Check(NativeMethods.ogan_autograd_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>The accumulated gradient, or null before any backward pass reached this tensor.</summary>
    public Tensor? Grad
    {
        get
        {
            NativeError.Check(NativeMethods.ogan_autograd_grad(Handle, out var grad));
            if (grad.IsInvalid)
            {
                grad.Dispose();
                return null;
            }

            return new Tensor(grad);
        }
    }

    /// <summary>Back-propagates from this scalar (or with <paramref name="gradient"/> for a non-scalar).</summary>
    /// <exception cref="TorchException">The tensor is not in a graph, or is not a scalar and no gradient was given.</exception>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        NativeError.Check(NativeMethods.ogan_autograd_backward(Handle, HandleOf(gradient), retainGraph ? 1 : 0));

    /// <summary>Drops the gradient (the next backward pass writes a fresh one).</summary>
    public void ZeroGrad() => NativeError.Check(NativeMethods.ogan_autograd_zero_grad(Handle));
}
