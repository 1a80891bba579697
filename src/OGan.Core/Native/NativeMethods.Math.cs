using System.Runtime.InteropServices;

namespace OGan.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_math_unary(TensorHandle t, UnaryOp op);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_math_binary(TensorHandle a, TensorHandle b, BinaryOp op);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_math_binary_scalar(TensorHandle a, double b, BinaryOp op);

    [LibraryImport(Lib)]
    internal static partial int ogan_math_binary_(TensorHandle a, TensorHandle b, BinaryOp op);

    [LibraryImport(Lib)]
    internal static partial int ogan_math_binary_scalar_(TensorHandle a, double b, BinaryOp op);

    [LibraryImport(Lib)]
    internal static partial int ogan_math_add_scaled_(TensorHandle a, TensorHandle b, double alpha);

    [LibraryImport(Lib)]
    internal static partial int ogan_math_lerp_(TensorHandle a, TensorHandle b, double weight);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_math_clamp(TensorHandle t, double min, double max, int hasMin, int hasMax);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_math_where(TensorHandle condition, TensorHandle a, TensorHandle b);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_math_reduce(TensorHandle t, ReduceOp op, long[]? dims, int ndims, int keepdim, int correction);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_math_matmul(TensorHandle a, TensorHandle b);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_math_sort(TensorHandle t, long dim, int descending);
}

/// <summary>ogan_unary_op in the header.</summary>
internal enum UnaryOp
{
    Neg, Exp, Log, Sqrt, Rsqrt, Abs, Square, Relu, Tanh, Sigmoid, Sign, Floor, Round, IsFinite, Softplus, LogicalNot,
}

/// <summary>ogan_binary_op in the header.</summary>
internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge,
}

/// <summary>ogan_reduce_op in the header.</summary>
internal enum ReduceOp
{
    Sum, Mean, Std, Var, Norm, Max, Min, Argmax,
}
