using OGan.Nn;
using OGan.Tensors;

namespace OGan.Models;

/// <summary>The DCGAN initialisation of the author's code: weights N(0, 0.02), biases 0, BatchNorm 1 and 0.</summary>
internal static class DcganInit
{
    public static void Apply(Module module, RandomGenerator? generator)
    {
        foreach (var (name, tensor) in module.NamedParameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal))
            {
                Init.Zeros(tensor);
            }
            else if (name.Contains("bn", StringComparison.Ordinal))
            {
                Init.Ones(tensor);
            }
            else
            {
                Init.Normal(tensor, 0, 0.02, generator);
            }
        }
    }
}
