namespace OGan.Tensors;

/// <summary>Element types, numbered as libtorch's ScalarType.</summary>
public enum DType
{
    /// <summary>8-bit unsigned integer (pixels).</summary>
    UInt8 = 0,

    /// <summary>32-bit signed integer.</summary>
    Int32 = 3,

    /// <summary>64-bit signed integer (indices, labels).</summary>
    Int64 = 4,

    /// <summary>IEEE half precision.</summary>
    Float16 = 5,

    /// <summary>32-bit float, the default.</summary>
    Float32 = 6,

    /// <summary>64-bit float (gradient checks).</summary>
    Float64 = 7,

    /// <summary>Boolean (results of comparisons).</summary>
    Bool = 11,

    /// <summary>bfloat16 (mixed precision on GPUs).</summary>
    BFloat16 = 15,
}

/// <summary>Sizes and the mapping from .NET element types.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.UInt8 or DType.Bool => 1,
        DType.Float16 or DType.BFloat16 => 2,
        DType.Int32 or DType.Float32 => 4,
        DType.Int64 or DType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>The dtype that holds elements of type <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException">T has no tensor dtype.</exception>
    public static DType Of<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(long)) return DType.Int64;
        if (typeof(T) == typeof(int)) return DType.Int32;
        if (typeof(T) == typeof(byte)) return DType.UInt8;
        if (typeof(T) == typeof(bool)) return DType.Bool;
        if (typeof(T) == typeof(Half)) return DType.Float16;
        throw new NotSupportedException($"no tensor dtype holds {typeof(T).Name}");
    }
}
