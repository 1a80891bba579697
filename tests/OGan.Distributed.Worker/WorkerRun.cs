using OGan.Checkpoints;
using OGan.MixedPrecision;
using OGan.Models;
using OGan.Training;
using static TorchSharp.torch;

namespace OGan.Distributed.Worker;

/// <summary>The run every worker process makes, which the tests repeat in one process.</summary>
public static class WorkerRun
{
    /// <summary>Training images (the first of Fashion-MNIST's training set).</summary>
    public const int Images = 256;

    /// <summary>A small fp32 model at 32 px, a global batch of 8, no calibration, on $OGAN_WORKER_DEVICE (default cpu; bench/gpu/distributed.sh sets cuda).</summary>
    public static RunSettings Settings(long steps) => new(
        new OGanConfig { ImageSize = 32, Channels = 1, Width = 32, ZDim = 16 },
        new TrainingOptions
        {
            BatchSize = 8, Steps = steps, Seed = 5, Precision = OGan.MixedPrecision.Precision.Fp32, CalibrationImages = 0, LogEvery = 5, EmaDecay = 0.9,
            Device = Environment.GetEnvironmentVariable("OGAN_WORKER_DEVICE") is { Length: > 0 } device ? device : "cpu",
        },
        "fashion-mnist");

    /// <summary>The first <see cref="Images"/> of Fashion-MNIST's training set, or of the test set in $OGAN_WORKER_DATA (what bench/gpu/pack.sh carries to a GPU machine).</summary>
    public static OGan.Data.ImageSet Data() => Environment.GetEnvironmentVariable("OGAN_WORKER_DATA") is { Length: > 0 } folder
        ? OGan.Data.FashionMnist.Load(train: false, folder, Images)
        : OGan.Data.FashionMnist.Load(train: true, limit: Images);

    /// <summary>
    /// What a run's last digits depend on besides the code: the CPU (its model and instruction sets), the thread
    /// count and OGan's probe of oneDNN (which pads thin convolutions); the device when it is not the CPU.
    /// </summary>
    public static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo") : [];
        string Field(string name) => cpu.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var flags = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Field("flags"))))[..12];
        return $"{Field("model name")}, flags {flags}, {get_num_threads()} threads, device {Settings(1).Training.Device}; " +
               $"fp32 thin convolutions padded: grey {Padded(ThinConvolutionProbe.Result.GreyFp32Error)}, colour {Padded(ThinConvolutionProbe.Result.ColourFp32Error)}";
    }

    private static bool Padded(double fp32Error) => !(fp32Error < ThinConvolutionProbe.Fp32Tolerance);

    /// <summary>Writes <paramref name="select"/> of every parameter of G and E, named "generator.*" and "encoder.*".</summary>
    public static void Write(string path, TrainingState state, Func<TorchSharp.Modules.Parameter, Tensor> select)
    {
        var tensors = state.Generator.named_parameters().Select(p => ("generator." + p.name, select(p.parameter)))
            .Concat(state.Encoder.named_parameters().Select(p => ("encoder." + p.name, select(p.parameter))))
            .Concat(state.Ema!.named_parameters().Select(p => ("ema." + p.name, (Tensor)p.parameter)))
            .Select(t => (t.Item1, t.Item2.detach().cpu().contiguous()))
            .ToList();
        SafeTensors.Save(path, tensors, new Dictionary<string, string>());
    }
}

/// <summary>Losses of every iteration (L_E, L_G, critic gap, rho), and <see cref="WorkerRun.Machine"/> where they ran.</summary>
public sealed record StoredLosses(string Machine, List<double[]> Losses);

/// <summary>Calls back on the training thread (Progress&lt;T&gt; would post to another).</summary>
public sealed class StepRecorder(Action<TrainingProgress> record) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => record(value);
}
