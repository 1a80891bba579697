using OGan.MixedPrecision;

namespace OGan.Core.Tests.MixedPrecision;

public sealed class PrecisionChoiceTests
{
    private const string EpycWithoutBf16 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B12\nflags\t\t: fpu vme sse sse2 avx avx2 avx512f avx512bw avx512_vnni\n\nprocessor\t: 1\n";
    private const string EpycWithBf16 = "processor\t: 0\nmodel name\t: AMD EPYC 9B14\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n";
    private const string XeonWithAmx = "processor\t: 0\nmodel name\t: Intel Xeon Platinum 8480+\nflags\t\t: fpu avx512f amx_bf16 amx_tile amx_int8\n";

    [Fact]
    public void Auto_picks_fp32_on_a_cpu_without_bf16_instructions_and_says_why()
    {
        var choice = PrecisionChoice.Resolve(Precision.Auto, CPU, Bf16Hardware.FromCpuInfo(EpycWithoutBf16));
        Assert.Equal(Precision.Fp32, choice.Precision);
        Assert.Equal("auto: fp32, because AMD EPYC 7B12 has neither avx512_bf16 nor amx_bf16", choice.Reason);
    }

    [Theory]
    [InlineData(EpycWithBf16, "avx512_bf16")]
    [InlineData(XeonWithAmx, "amx_bf16")]
    public void Auto_picks_bf16_on_a_cpu_with_avx512_bf16_or_amx(string cpuInfo, string flag)
    {
        var choice = PrecisionChoice.Resolve(Precision.Auto, CPU, Bf16Hardware.FromCpuInfo(cpuInfo));
        Assert.Equal(Precision.Bf16, choice.Precision);
        Assert.Contains(flag, choice.Reason, StringComparison.Ordinal);
        Assert.True(choice.Policy.ChannelsLast, "bf16 lays feature maps out channels-last");
    }

    [Theory]
    [InlineData(7, 5, Precision.Fp32)] // T4
    [InlineData(8, 0, Precision.Bf16)] // A100
    [InlineData(9, 0, Precision.Bf16)] // H100, H200
    public void Auto_on_cuda_follows_the_compute_capability(int major, int minor, Precision expected)
    {
        var hardware = new Bf16Hardware { CudaCapability = index => index == 1 ? (major, minor) : null };
        var choice = PrecisionChoice.Resolve(Precision.Auto, new Device(DeviceType.CUDA, 1), hardware);
        Assert.Equal(expected, choice.Precision);
        Assert.Contains($"CUDA device 1 has compute capability {major}.{minor}", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_is_fp32_when_the_hardware_cannot_be_read()
    {
        Assert.Equal(Precision.Fp32, PrecisionChoice.Resolve(Precision.Auto, CPU, new Bf16Hardware()).Precision);
        Assert.Equal(Precision.Fp32, PrecisionChoice.Resolve(Precision.Auto, new Device(DeviceType.CUDA, 0), new Bf16Hardware()).Precision);
    }

    [Fact]
    public void Fp32_and_bf16_stay_as_asked_and_bf16_without_native_support_says_it_is_slow()
    {
        var hardware = Bf16Hardware.FromCpuInfo(EpycWithoutBf16);
        Assert.Equal(Precision.Fp32, PrecisionChoice.Resolve(Precision.Fp32, CPU, Bf16Hardware.FromCpuInfo(EpycWithBf16)).Precision);
        var bf16 = PrecisionChoice.Resolve(Precision.Bf16, CPU, hardware);
        Assert.Equal(Precision.Bf16, bf16.Precision);
        Assert.Contains("emulated", bf16.Reason, StringComparison.Ordinal);
        Assert.False(PrecisionChoice.Resolve(Precision.Fp32, CPU, hardware).Policy.ChannelsLast);
        Assert.Throws<ArgumentException>(() => AutocastPolicy.For(Precision.Auto));
    }

    [SkippableFact]
    public void This_machines_cpu_flags_are_read_on_linux()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "/proc/cpuinfo is Linux's");
        var hardware = Bf16Hardware.Detect();
        Assert.NotNull(hardware.CpuFlags);
        Assert.NotEmpty(hardware.CpuFlags);
        var native = Bf16Hardware.Bf16CpuFlags.Any(hardware.CpuFlags.Contains);
        Assert.Equal(native ? Precision.Bf16 : Precision.Fp32, PrecisionChoice.Resolve(Precision.Auto, CPU).Precision);
    }
}
