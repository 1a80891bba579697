using static TorchSharp.torch;

namespace OGan.Models;

/// <summary>State shapes of the layers G and E share, as TorchSharp names them, and the resampling between sizes.</summary>
internal static class Layers
{
    /// <summary>(N, C, H, W) images at twice the size, each pixel repeated 2x2 (nearest neighbour).</summary>
    public static Tensor Upsample(Tensor images) => images.repeat_interleave(2, 2).repeat_interleave(2, 3);

    /// <summary>BatchNorm2d over <paramref name="channels"/>: weight, bias, running_mean, running_var and the scalar num_batches_tracked.</summary>
    public static IEnumerable<(string Name, long[] Shape)> BatchNormShapes(string name, long channels) =>
    [
        ($"{name}.weight", [channels]), ($"{name}.bias", [channels]),
        ($"{name}.running_mean", [channels]), ($"{name}.running_var", [channels]),
        ($"{name}.num_batches_tracked", []),
    ];
}
