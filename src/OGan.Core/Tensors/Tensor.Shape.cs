using OGan.Native;

namespace OGan.Tensors;

/// <summary>Views and rearrangements.</summary>
public sealed partial class Tensor
{
    /// <summary>The same elements in a new shape (one size may be -1); a view when possible.</summary>
    public Tensor Reshape(params long[] shape) => Wrap(NativeMethods.ogan_shape_reshape(Handle, shape, shape.Length));

    /// <summary>A view with a new shape; fails when the memory layout does not allow one.</summary>
    public Tensor View(params long[] shape) => Wrap(NativeMethods.ogan_shape_view(Handle, shape, shape.Length));

    /// <summary>The dimensions in a new order.</summary>
    public Tensor Permute(params long[] dims) => Wrap(NativeMethods.ogan_shape_permute(Handle, dims, dims.Length));

    /// <summary>Dimensions <paramref name="startDim"/> to <paramref name="endDim"/> merged into one.</summary>
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(NativeMethods.ogan_shape_flatten(Handle, startDim, endDim));

    /// <summary>Two dimensions swapped.</summary>
    public Tensor Transpose(long dim0, long dim1) => Wrap(NativeMethods.ogan_shape_transpose(Handle, dim0, dim1));

    /// <summary>A size-1 dimension inserted at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(long dim) => Wrap(NativeMethods.ogan_shape_unsqueeze(Handle, dim));

    /// <summary>Dimension <paramref name="dim"/> removed if its size is 1.</summary>
    public Tensor Squeeze(long dim) => Wrap(NativeMethods.ogan_shape_squeeze(Handle, dim));

    /// <summary>Size-1 dimensions broadcast to <paramref name="shape"/> (-1 keeps a size), without copying.</summary>
    public Tensor Expand(params long[] shape) => Wrap(NativeMethods.ogan_shape_expand(Handle, shape, shape.Length));

    /// <summary>Elements start, start+step, ... below end along <paramref name="dim"/>.</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) => Wrap(NativeMethods.ogan_shape_slice(Handle, dim, start, end, step));

    /// <summary>The entries along <paramref name="dim"/> at <paramref name="index"/> (an int64 tensor).</summary>
    public Tensor IndexSelect(long dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return Wrap(NativeMethods.ogan_shape_index_select(Handle, dim, index.Handle));
    }

    /// <summary>Reversed along <paramref name="dims"/>.</summary>
    public Tensor Flip(params long[] dims) => Wrap(NativeMethods.ogan_shape_flip(Handle, dims, dims.Length));

    /// <summary>Constant padding, pairs (before, after) from the last dimension backwards, as torch.nn.functional.pad.</summary>
    public Tensor Pad(long[] pads, double value = 0)
    {
        ArgumentNullException.ThrowIfNull(pads);
        return Wrap(NativeMethods.ogan_shape_pad(Handle, pads, pads.Length, value));
    }

    /// <summary>The same values in NHWC (channels-last) memory order.</summary>
    public Tensor ToChannelsLast() => Wrap(NativeMethods.ogan_shape_to_channels_last(Handle));
}
