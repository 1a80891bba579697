using System.Runtime.InteropServices;

namespace OGan.MixedPrecision;

/// <summary>
/// What a machine offers for bf16 arithmetic, the facts <see cref="PrecisionChoice"/> decides on: the CPU's
/// feature flags and the CUDA devices' compute capabilities. <see cref="Detect"/> reads this machine;
/// tests and tools can describe another.
/// </summary>
public sealed record Bf16Hardware
{
    /// <summary>The CPU flags that mean native bf16: AVX-512 BF16 and AMX BF16.</summary>
    public static IReadOnlyList<string> Bf16CpuFlags { get; } = ["avx512_bf16", "amx_bf16"];

    /// <summary>The CPU's feature flags (as /proc/cpuinfo spells them); null when they cannot be read on this system.</summary>
    public IReadOnlySet<string>? CpuFlags { get; init; }

    /// <summary>The CPU's model name, for messages.</summary>
    public string CpuName { get; init; } = "this CPU";

    /// <summary>The compute capability (major, minor) of CUDA device N, or null when it cannot be read.</summary>
    public Func<int, (int Major, int Minor)?> CudaCapability { get; init; } = _ => null;

    /// <summary>This machine: /proc/cpuinfo on Linux, the CUDA driver for GPUs.</summary>
    public static Bf16Hardware Detect()
    {
        const string cpuInfo = "/proc/cpuinfo";
        var hardware = new Bf16Hardware { CudaCapability = CudaDriver.ComputeCapability };
        return OperatingSystem.IsLinux() && File.Exists(cpuInfo) ? FromCpuInfo(File.ReadAllText(cpuInfo)) with { CudaCapability = CudaDriver.ComputeCapability } : hardware;
    }

    /// <summary>The CPU as the text of a Linux /proc/cpuinfo describes it (the first processor's "flags" or "Features" line).</summary>
    public static Bf16Hardware FromCpuInfo(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? Field(string name) => text.Split('\n')
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim() == name)
            .Select(parts => parts[1].Trim())
            .FirstOrDefault();
        var flags = Field("flags") ?? Field("Features") ?? "";
        return new Bf16Hardware
        {
            CpuFlags = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
            CpuName = Field("model name") ?? "this CPU",
        };
    }

    /// <summary>The CUDA driver API's compute capability query, loaded when first asked (libcuda.so.1 or nvcuda.dll).</summary>
    private static unsafe class CudaDriver
    {
        private const int ComputeCapabilityMajor = 75;
        private const int ComputeCapabilityMinor = 76;

        public static (int Major, int Minor)? ComputeCapability(int device)
        {
            var name = OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1";
            if (!NativeLibrary.TryLoad(name, out var library)
                || !NativeLibrary.TryGetExport(library, "cuInit", out var init)
                || !NativeLibrary.TryGetExport(library, "cuDeviceGet", out var get)
                || !NativeLibrary.TryGetExport(library, "cuDeviceGetAttribute", out var attribute))
            {
                return null;
            }

            int handle = 0, major = 0, minor = 0;
            var ok = ((delegate* unmanaged<uint, int>)init)(0) == 0
                && ((delegate* unmanaged<int*, int, int>)get)(&handle, device) == 0
                && ((delegate* unmanaged<int*, int, int, int>)attribute)(&major, ComputeCapabilityMajor, handle) == 0
                && ((delegate* unmanaged<int*, int, int, int>)attribute)(&minor, ComputeCapabilityMinor, handle) == 0;
            return ok ? (major, minor) : null;
        }
    }
}
