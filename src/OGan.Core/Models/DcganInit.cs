using OGan.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Models;

/// <summary>The DCGAN initialisation of the author's code: weights N(0, 0.02), biases 0, BatchNorm 1 and 0.</summary>
internal static class DcganInit
{
    public static void Apply(nn.Module module, torch.Generator? generator)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in module.named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
            else if (name.Contains("bn", StringComparison.Ordinal))
            {
                parameter.FillInPlace(1);
            }
            else
            {
                parameter.normal_(0, 0.02, generator);
            }
        }
    }
}
