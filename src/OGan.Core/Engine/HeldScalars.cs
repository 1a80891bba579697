using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Engine;

/// <summary>
/// Tensor arithmetic whose Scalars live until libtorch has read them. Given a number where it takes a
/// Scalar (clamp_min(1e-8), t * 0.5, lerp_(x, 0.01)), TorchSharp makes a temporary Scalar that nothing holds during
/// the native call, so a collection on another thread can run its finalizer while libtorch reads it: "Expected
/// false to be true" from Scalar::toFloat stopped a run at step ~420. Each method here disposes its Scalar after
/// the call returns, which keeps it alive through the call. The training step uses these.
/// </summary>
internal static class HeldScalars
{
    private static readonly Scalar One = 1.ToScalar();
    private static readonly Scalar Two = 2.ToScalar();

    /// <summary>tensor², element-wise (TorchSharp's square() is pow(2) with a temporary 2).</summary>
    public static Tensor Squared(this Tensor tensor) => tensor.pow(Two);

    /// <summary>tensor + other (TorchSharp's Tensor + Tensor passes a temporary alpha of 1).</summary>
    public static Tensor Plus(this Tensor tensor, Tensor other) => tensor.add(other, One);

    /// <summary>tensor += other, in place.</summary>
    public static Tensor PlusInPlace(this Tensor tensor, Tensor other) => tensor.add_(other, One);

    /// <summary>tensor · factor.</summary>
    public static Tensor Times(this Tensor tensor, double factor)
    {
        using var scalar = factor.ToScalar();
        return tensor.mul(scalar);
    }

    /// <summary>tensor + value.</summary>
    public static Tensor Plus(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.add(scalar, One);
    }

    /// <summary>max(tensor, minimum), element-wise.</summary>
    public static Tensor AtLeast(this Tensor tensor, double minimum)
    {
        using var scalar = minimum.ToScalar();
        return tensor.clamp_min(scalar);
    }

    /// <summary>tensor /= divisor, in place.</summary>
    public static Tensor DivideInPlace(this Tensor tensor, double divisor)
    {
        using var scalar = divisor.ToScalar();
        return tensor.div_(scalar);
    }

    /// <summary>tensor · factor, in place.</summary>
    public static Tensor TimesInPlace(this Tensor tensor, double factor)
    {
        using var scalar = factor.ToScalar();
        return tensor.mul_(scalar);
    }

    /// <summary>tensor + value, in place.</summary>
    public static Tensor PlusInPlace(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.add_(scalar, One);
    }

    /// <summary>tensor clamped to [minimum, maximum], element-wise.</summary>
    public static Tensor Clamped(this Tensor tensor, double minimum, double maximum)
    {
        using Scalar low = minimum.ToScalar(), high = maximum.ToScalar();
        return tensor.clamp(low, high);
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/>.</summary>
    public static Tensor Full(long[] shape, double value, ScalarType dtype)
    {
        using var scalar = value.ToScalar();
        return full(shape, scalar, dtype);
    }

    /// <summary>Every element set to value, in place.</summary>
    public static Tensor FillInPlace(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.fill_(scalar);
    }
}
