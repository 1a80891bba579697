namespace OGan.Models;

/// <summary>State shapes of the layers G and E share, as TorchSharp names them.</summary>
internal static class Layers
{
    /// <summary>BatchNorm2d over <paramref name="channels"/>: weight, bias, running_mean, running_var and the scalar num_batches_tracked.</summary>
    public static IEnumerable<(string Name, long[] Shape)> BatchNormShapes(string name, long channels) =>
    [
        ($"{name}.weight", [channels]), ($"{name}.bias", [channels]),
        ($"{name}.running_mean", [channels]), ($"{name}.running_var", [channels]),
        ($"{name}.num_batches_tracked", []),
    ];
}
