using static TorchSharp.torch;

namespace OGan.Distributed;

/// <summary>The native memory of a contiguous tensor, as MPI and NCCL take it: an address and a count of elements.</summary>
internal static class TensorMemory
{
    /// <summary>The address of the first element (host or device memory).</summary>
    public static nint Address(Tensor tensor)
    {
        var start = tensor.dtype switch
        {
            ScalarType.Float32 => tensor.storage<float>().data_ptr(),
            ScalarType.Float64 => tensor.storage<double>().data_ptr(),
            ScalarType.Int64 => tensor.storage<long>().data_ptr(),
            ScalarType.Byte => tensor.storage<byte>().data_ptr(),
            _ => throw new NotSupportedException($"no native address for {tensor.dtype} tensors"),
        };
        return start + (nint)(tensor.storage_offset() * tensor.element_size());
    }

    /// <summary>The tensor's elements in pieces of at most int.MaxValue (MPI's counts are ints).</summary>
    public static IEnumerable<(nint Address, int Count)> Chunks(Tensor tensor)
    {
        var address = Address(tensor);
        var size = tensor.element_size();
        for (long done = 0, total = tensor.numel(); done < total;)
        {
            var count = (int)Math.Min(int.MaxValue, total - done);
            yield return (address + (nint)(done * size), count);
            done += count;
        }
    }
}
