using OGan.Native;

namespace OGan.Tensors;

/// <summary>Elementwise arithmetic, comparisons, reductions and matmul; every kernel is libtorch's.</summary>
public sealed partial class Tensor
{
#pragma warning disable CS1591 // The operators and one-line math methods say what they do.
    public static Tensor operator +(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Add);
    public static Tensor operator -(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Sub);
    public static Tensor operator *(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Mul);
    public static Tensor operator /(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Div);
    public static Tensor operator +(Tensor a, double b) => a.Binary(b, BinaryOp.Add);
    public static Tensor operator -(Tensor a, double b) => a.Binary(b, BinaryOp.Sub);
    public static Tensor operator *(Tensor a, double b) => a.Binary(b, BinaryOp.Mul);
    public static Tensor operator /(Tensor a, double b) => a.Binary(b, BinaryOp.Div);
    public static Tensor operator +(double a, Tensor b) => b.Binary(a, BinaryOp.Add);
    public static Tensor operator *(double a, Tensor b) => b.Binary(a, BinaryOp.Mul);

    public static Tensor operator -(double a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        using var negated = b.Neg();
        return negated.Binary(a, BinaryOp.Add);
    }

    public static Tensor operator -(Tensor a) => a.Neg();

    public Tensor Add(Tensor other) => Binary(other, BinaryOp.Add);
    public Tensor Sub(Tensor other) => Binary(other, BinaryOp.Sub);
    public Tensor Mul(Tensor other) => Binary(other, BinaryOp.Mul);
    public Tensor Div(Tensor other) => Binary(other, BinaryOp.Div);
    public Tensor Pow(double exponent) => Binary(exponent, BinaryOp.Pow);
    public Tensor Pow(Tensor exponent) => Binary(exponent, BinaryOp.Pow);
    public Tensor Maximum(Tensor other) => Binary(other, BinaryOp.Maximum);
    public Tensor Minimum(Tensor other) => Binary(other, BinaryOp.Minimum);
    public Tensor Eq(Tensor other) => Binary(other, BinaryOp.Eq);
    public Tensor Ne(Tensor other) => Binary(other, BinaryOp.Ne);
    public Tensor Lt(Tensor other) => Binary(other, BinaryOp.Lt);
    public Tensor Le(Tensor other) => Binary(other, BinaryOp.Le);
    public Tensor Gt(Tensor other) => Binary(other, BinaryOp.Gt);
    public Tensor Ge(Tensor other) => Binary(other, BinaryOp.Ge);
    public Tensor Eq(double other) => Binary(other, BinaryOp.Eq);
    public Tensor Ne(double other) => Binary(other, BinaryOp.Ne);
    public Tensor Lt(double other) => Binary(other, BinaryOp.Lt);
    public Tensor Le(double other) => Binary(other, BinaryOp.Le);
    public Tensor Gt(double other) => Binary(other, BinaryOp.Gt);
    public Tensor Ge(double other) => Binary(other, BinaryOp.Ge);

    public Tensor Neg() => Unary(UnaryOp.Neg);
    public Tensor Exp() => Unary(UnaryOp.Exp);
    public Tensor Log() => Unary(UnaryOp.Log);
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor Abs() => Unary(UnaryOp.Abs);
    public Tensor Square() => Unary(UnaryOp.Square);
    public Tensor Relu() => Unary(UnaryOp.Relu);
    public Tensor Tanh() => Unary(UnaryOp.Tanh);
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor Sign() => Unary(UnaryOp.Sign);
    public Tensor Floor() => Unary(UnaryOp.Floor);
    public Tensor Round() => Unary(UnaryOp.Round);
    public Tensor IsFinite() => Unary(UnaryOp.IsFinite);
    public Tensor Softplus() => Unary(UnaryOp.Softplus);
    public Tensor LogicalNot() => Unary(UnaryOp.LogicalNot);
#pragma warning restore CS1591

    /// <summary>LeakyReLU: x where x &gt; 0, else slope * x.</summary>
    public Tensor LeakyRelu(double negativeSlope = 0.01) => Wrap(NativeMethods.ogan_nn_leaky_relu(Handle, negativeSlope));

    /// <summary>Clamps to [min, max]; a null bound is open.</summary>
    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(NativeMethods.ogan_math_clamp(Handle, min ?? 0, max ?? 0, min.HasValue ? 1 : 0, max.HasValue ? 1 : 0));

    /// <summary>The values sorted along <paramref name="dim"/>.</summary>
    public Tensor Sort(long dim, bool descending = false) => Wrap(NativeMethods.ogan_math_sort(Handle, dim, descending ? 1 : 0));

    /// <summary>Matrix product with PyTorch's broadcasting rules.</summary>
    public Tensor Matmul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.ogan_math_matmul(Handle, other.Handle));
    }

    /// <summary>In place, outside autograd's knowledge: this += other.</summary>
    public void AddInPlace(Tensor other) => BinaryInPlace(other, BinaryOp.Add);

    /// <summary>In place: this += alpha * other.</summary>
    public void AddInPlace(Tensor other, double alpha)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeError.Check(NativeMethods.ogan_math_add_scaled_(Handle, other.Handle, alpha));
    }

    /// <summary>In place: this += value.</summary>
    public void AddInPlace(double value) => NativeError.Check(NativeMethods.ogan_math_binary_scalar_(Handle, value, BinaryOp.Add));

    /// <summary>In place: this -= other.</summary>
    public void SubInPlace(Tensor other) => BinaryInPlace(other, BinaryOp.Sub);

    /// <summary>In place: this *= other.</summary>
    public void MulInPlace(Tensor other) => BinaryInPlace(other, BinaryOp.Mul);

    /// <summary>In place: this *= value.</summary>
    public void MulInPlace(double value) => NativeError.Check(NativeMethods.ogan_math_binary_scalar_(Handle, value, BinaryOp.Mul));

    /// <summary>In place: this += weight * (end - this), e.g. an exponential moving average.</summary>
    public void LerpInPlace(Tensor end, double weight)
    {
        ArgumentNullException.ThrowIfNull(end);
        NativeError.Check(NativeMethods.ogan_math_lerp_(Handle, end.Handle, weight));
    }

    /// <summary>Sum of all elements.</summary>
    public Tensor Sum() => Reduce(ReduceOp.Sum, null, false);

    /// <summary>Sum over <paramref name="dims"/>.</summary>
    public Tensor Sum(long[] dims, bool keepDim = false) => Reduce(ReduceOp.Sum, dims, keepDim);

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Reduce(ReduceOp.Mean, null, false);

    /// <summary>Mean over <paramref name="dims"/>.</summary>
    public Tensor Mean(long[] dims, bool keepDim = false) => Reduce(ReduceOp.Mean, dims, keepDim);

    /// <summary>Standard deviation of all elements (unbiased by default, as in PyTorch).</summary>
    public Tensor Std(bool unbiased = true) => Reduce(ReduceOp.Std, null, false, unbiased);

    /// <summary>Standard deviation over <paramref name="dims"/>.</summary>
    public Tensor Std(long[] dims, bool keepDim = false, bool unbiased = true) => Reduce(ReduceOp.Std, dims, keepDim, unbiased);

    /// <summary>Variance of all elements.</summary>
    public Tensor Var(bool unbiased = true) => Reduce(ReduceOp.Var, null, false, unbiased);

    /// <summary>Variance over <paramref name="dims"/>.</summary>
    public Tensor Var(long[] dims, bool keepDim = false, bool unbiased = true) => Reduce(ReduceOp.Var, dims, keepDim, unbiased);

    /// <summary>Euclidean norm of all elements.</summary>
    public Tensor Norm() => Reduce(ReduceOp.Norm, null, false);

    /// <summary>Euclidean norm over <paramref name="dims"/>.</summary>
    public Tensor Norm(long[] dims, bool keepDim = false) => Reduce(ReduceOp.Norm, dims, keepDim);

    /// <summary>Largest element.</summary>
    public Tensor Max() => Reduce(ReduceOp.Max, null, false);

    /// <summary>Largest elements over <paramref name="dims"/>.</summary>
    public Tensor Max(long[] dims, bool keepDim = false) => Reduce(ReduceOp.Max, dims, keepDim);

    /// <summary>Smallest element.</summary>
    public Tensor Min() => Reduce(ReduceOp.Min, null, false);

    /// <summary>Smallest elements over <paramref name="dims"/>.</summary>
    public Tensor Min(long[] dims, bool keepDim = false) => Reduce(ReduceOp.Min, dims, keepDim);

    /// <summary>Index of the largest element along <paramref name="dim"/>.</summary>
    public Tensor Argmax(long dim, bool keepDim = false) => Reduce(ReduceOp.Argmax, [dim], keepDim);

    private Tensor Unary(UnaryOp op) => Wrap(NativeMethods.ogan_math_unary(Handle, op));

    private Tensor Binary(Tensor other, BinaryOp op)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.ogan_math_binary(Handle, other.Handle, op));
    }

    private Tensor Binary(double other, BinaryOp op) => Wrap(NativeMethods.ogan_math_binary_scalar(Handle, other, op));

    private void BinaryInPlace(Tensor other, BinaryOp op)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeError.Check(NativeMethods.ogan_math_binary_(Handle, other.Handle, op));
    }

    private Tensor Reduce(ReduceOp op, long[]? dims, bool keepDim, bool unbiased = false) =>
        Wrap(NativeMethods.ogan_math_reduce(Handle, op, dims, dims?.Length ?? 0, keepDim ? 1 : 0, unbiased ? 1 : 0));
}
