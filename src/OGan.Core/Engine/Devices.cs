using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Engine;

/// <summary>Device names as the command line and options give them: cpu, cuda, cuda:N.</summary>
public static class Devices
{
    /// <summary>Parses <paramref name="name"/> without touching the GPU (unless "cuda" in a job of several processes on this machine: then local rank N takes GPU N).</summary>
    /// <exception cref="ArgumentException">Not cpu, cuda or cuda:N.</exception>
    public static Device Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = name.Trim().ToLowerInvariant();
        if (text == "cpu")
        {
            return CPU;
        }

        if (text == "cuda")
        {
            // Processes an MPI launcher started on one machine take its GPUs in turn (sharing them when there are fewer).
            var local = Distributed.MpiLaunch.LocalRank;
            return new Device(DeviceType.CUDA, local == 0 ? 0 : local % Math.Max(1, cuda.device_count()));
        }

        if (text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text[5..], out var index) && index >= 0)
        {
            return new Device(DeviceType.CUDA, index);
        }

        throw new ArgumentException($"device must be cpu, cuda or cuda:N, got '{name}'");
    }

    /// <summary>Parses <paramref name="name"/> and checks that the device is there.</summary>
    /// <exception cref="ArgumentException">Not a device name, or a CUDA device this machine lacks; the message says what to do.</exception>
    public static Device Resolve(string name)
    {
        var device = Parse(name);
        if (device.type == DeviceType.CUDA)
        {
            if (!cuda.is_available())
            {
                throw new ArgumentException(
                    $"device {name}: no CUDA device is visible to libtorch {Runtime.LibTorchVersion} ({Runtime.Backend} backend); " +
                    "build with -p:OGanBackend=cuda-linux (or cuda-windows) on a machine with an NVIDIA driver, or use --device cpu");
            }

            if (device.index >= cuda.device_count())
            {
                throw new ArgumentException($"device {name}: this machine has {cuda.device_count()} CUDA device(s)");
            }
        }

        return device;
    }
}
