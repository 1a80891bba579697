using TorchSharp;
using static TorchSharp.torch;

namespace OGan.MixedPrecision;

/// <summary>The precision a run or a model uses on a device, and why: what <see cref="Precision.Auto"/> turns into.</summary>
/// <param name="Precision">Fp32 or Bf16, never Auto.</param>
/// <param name="Reason">One sentence for logs and `ogan info`.</param>
public sealed record PrecisionChoice(Precision Precision, string Reason)
{
    /// <summary>CUDA devices compute bf16 on tensor cores from compute capability 8.0 (A100) on.</summary>
    public static (int Major, int Minor) MinimumCudaCapability { get; } = (8, 0);

    /// <summary>
    /// The policy the networks take for this choice: bf16 lays feature maps out channels-last, which made a bf16
    /// iteration faster on the CPU while fp32 was faster without it (bench/README.md, mixed precision).
    /// </summary>
    public AutocastPolicy Policy => AutocastPolicy.For(Precision, channelsLast: Precision == Precision.Bf16);

    /// <summary>
    /// Resolves <paramref name="requested"/> on <paramref name="device"/>: auto is bf16 where the device computes
    /// it natively (a CPU with AVX-512 BF16 or AMX; CUDA compute capability 8.0 or more) and fp32 elsewhere.
    /// fp32 and bf16 stay as asked (bf16 without native support is emulated, and slow).
    /// </summary>
    /// <param name="requested">What the user asked for.</param>
    /// <param name="device">Where the networks run.</param>
    /// <param name="hardware">The machine's facts; <see cref="Bf16Hardware.Detect"/> when null.</param>
    public static PrecisionChoice Resolve(Precision requested, Device device, Bf16Hardware? hardware = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        var (native, facts) = NativeBf16(device, hardware ?? Bf16Hardware.Detect());
        return requested switch
        {
            Precision.Fp32 => new(Precision.Fp32, "fp32, as asked"),
            Precision.Bf16 => new(Precision.Bf16, native ? $"bf16, as asked ({facts})" : $"bf16, as asked, though {facts}: it is emulated there and slower than fp32"),
            _ => native ? new(Precision.Bf16, $"auto: bf16, because {facts}") : new(Precision.Fp32, $"auto: fp32, because {facts}"),
        };
    }

    private static (bool Native, string Facts) NativeBf16(Device device, Bf16Hardware hardware)
    {
        if (device.type == DeviceType.CUDA)
        {
            var index = Math.Max(device.index, 0);
            if (hardware.CudaCapability(index) is not { } capability)
            {
                return (false, $"the compute capability of CUDA device {index} could not be read");
            }

            var native = capability.CompareTo(MinimumCudaCapability) >= 0;
            return (native, $"CUDA device {index} has compute capability {capability.Major}.{capability.Minor} ({(native ? "bf16 tensor cores" : "bf16 tensor cores need 8.0")})");
        }

        if (hardware.CpuFlags is null)
        {
            return (false, $"the CPU's features cannot be read on {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
        }

        var found = Bf16Hardware.Bf16CpuFlags.Where(hardware.CpuFlags.Contains).ToArray();
        return found.Length > 0
            ? (true, $"{hardware.CpuName} has {string.Join(" and ", found)}")
            : (false, $"{hardware.CpuName} has neither avx512_bf16 nor amx_bf16");
    }
}
