using OGan.Tensors;

namespace OGan.Nn;

/// <summary>Parameter initialisation (torch.nn.init), in place and outside autograd.</summary>
public static class Init
{
    /// <summary>Fills with N(mean, std) samples.</summary>
    public static void Normal(Tensor tensor, double mean = 0, double std = 1, RandomGenerator? generator = null) =>
        Torch.NormalInPlace(tensor, mean, std, generator);

    /// <summary>Fills with U(low, high) samples.</summary>
    public static void Uniform(Tensor tensor, double low, double high, RandomGenerator? generator = null) =>
        Torch.UniformInPlace(tensor, low, high, generator);

    /// <summary>Fills with zeros.</summary>
    public static void Zeros(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Fill(0);
    }

    /// <summary>Fills with ones.</summary>
    public static void Ones(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Fill(1);
    }

    /// <summary>
    /// PyTorch's default for Linear and convolutions: U(-1/√fanIn, 1/√fanIn), which is kaiming_uniform with
    /// a = √5 for the weight and the bias rule for the bias.
    /// </summary>
    public static void DefaultUniform(Tensor tensor, long fanIn, RandomGenerator? generator = null)
    {
        var bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
        Uniform(tensor, -bound, bound, generator);
    }
}
