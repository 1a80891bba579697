using OGan.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Bench;

/// <summary>An NCCL communicator of the processes of this job (one, without mpirun) all-reduces a CUDA tensor: each rank adds rank + 1 times 0..n-1.</summary>
internal static class NcclCheck
{
    public static int Run(int values)
    {
        using var group = ProcessGroup.FromEnvironment();
        var device = new Device(DeviceType.CUDA, (int)(MpiLaunch.LocalRank % Math.Max(1, cuda.device_count())));
        using var watchdog = new CollectiveWatchdog(group.Rank, CollectiveWatchdog.ConfiguredTimeout());
        var (nccl, whyNot) = NcclCommunicator.TryCreate(group, device, watchdog);
        if (nccl is null)
        {
            Console.WriteLine($"nccl: not used: {whyNot} (set OGAN_NCCL_LIBRARY to libnccl.so.2)");
            return 1;
        }

        using var ncclToDispose = nccl;

        using var buffer = arange(values, dtype: ScalarType.Float32, device: device) * (group.Rank + 1);
        nccl.AllReduce(buffer, ReduceOperation.Sum);
        var factor = group.Size * (group.Size + 1) / 2;
        var worst = (buffer.cpu() - arange(values, dtype: ScalarType.Float32) * factor).abs().max().item<float>();
        if (group.IsMain)
        {
            Console.WriteLine($"nccl: {group.Size} rank(s), {values} values on {device}: largest error {worst} ({(worst == 0 ? "correct" : "WRONG")})");
        }

        return worst == 0 ? 0 : 1;
    }
}
