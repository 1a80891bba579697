using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using OGan.Export;
using OGan.Inference;
using OGan.Onnx;
using static TorchSharp.torch;

namespace OGan.Bench;

/// <summary>
/// Inference on the CPU: TorchSharp (OGanModel, fp32) against ONNX Runtime (OGan.Onnx) on the graphs
/// `ogan export` writes, with BatchNorm as nodes and folded: encode 1 and 64 images, sample 64. The same
/// threads for both. Median of REPEATS after a warm-up.
/// </summary>
internal static class OnnxSpeed
{
    private static readonly bool[] FoldModes = [false, true];

    public static void Run(string checkpoint, int repeats, int threads)
    {
        var invariant = CultureInfo.InvariantCulture;
        using var model = OGanModel.Load(checkpoint, CPU, MixedPrecision.Precision.Fp32);
        var config = model.Config;
        var folders = FoldModes.Select(fold =>
        {
            var folder = Path.Combine(Path.GetTempPath(), $"ogan-bench-onnx-{Environment.ProcessId}-{fold}");
            OnnxExport.Write(checkpoint, folder, fold);
            return (Fold: fold, Folder: folder);
        }).ToArray();

        using var latents64 = model.Latents(64, 1);
        using var images64 = model.Sample(latents64);
        using var image1 = images64[..1].contiguous();
        var latentValues = latents64.data<float>().ToArray();
        var imageValues64 = images64.contiguous().data<float>().ToArray();
        var imageValues1 = image1.data<float>().ToArray();

        var rows = new List<(string Runtime, double Encode1, double Encode64, double Sample64)>
        {
            ("TorchSharp", Time(repeats, () => Dispose(model.EncodeRaw(image1))), Time(repeats, () => Dispose(model.EncodeRaw(images64))), Time(repeats, () => Dispose(model.Sample(latents64)))),
        };
        foreach (var (fold, folder) in folders)
        {
            using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
            using var onnx = OnnxModel.Load(folder, options);
            rows.Add(($"ONNX Runtime, BatchNorm {(fold ? "folded" : "as nodes")}",
                Time(repeats, () => onnx.EncodeValues(imageValues1)), Time(repeats, () => onnx.EncodeValues(imageValues64)), Time(repeats, () => onnx.Generate(latentValues))));
            Directory.Delete(folder, recursive: true);
        }

        Console.WriteLine(string.Create(invariant, $"{config.ImageSize} px, {config.Channels} channels, width {config.MaxChannels}, z {config.LatentDim}, {threads} threads, median of {repeats} (ms; ratio: TorchSharp's time / this one's)"));
        Console.WriteLine("| runtime | encode 1 | encode 64 | sample 64 |");
        Console.WriteLine("| --- | --- | --- | --- |");
        var torch = rows[0];
        foreach (var row in rows)
        {
            Console.WriteLine(string.Create(invariant,
                $"| {row.Runtime} | {row.Encode1:F2} ({torch.Encode1 / row.Encode1:F2}x) | {row.Encode64:F1} ({torch.Encode64 / row.Encode64:F2}x) | {row.Sample64:F1} ({torch.Sample64 / row.Sample64:F2}x) |"));
        }
    }

    private static void Dispose(Tensor tensor) => tensor.Dispose();

    // Milliseconds, the median of repeats after three warm-up calls.
    private static double Time(int repeats, Action action)
    {
        for (var i = 0; i < 3; i++)
        {
            action();
        }

        var times = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[repeats / 2];
    }
}
