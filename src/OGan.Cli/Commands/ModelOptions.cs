using System.CommandLine;
using Microsoft.Extensions.Logging;
using OGan.Inference;
using OGan.MixedPrecision;
using static TorchSharp.torch;
using OGan.Training;

namespace OGan.Cli;

/// <summary>The options of every command that uses a trained model: --checkpoint, --device and --precision.</summary>
internal static class ModelOptions
{
    public static readonly Option<string> Checkpoint = new("--checkpoint", "-c")
    {
        Description = "Checkpoint file, or a run folder (its latest checkpoint)",
        DefaultValueFactory = _ => LatestRun(),
    };

    public static readonly Option<string> Device = new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };

    public static readonly Option<Precision> Precision = new("--precision")
    {
        Description = "What G and E compute in: auto (bf16 where the device computes it natively: AVX-512 BF16 or AMX CPUs, CUDA 8.0+; `ogan info` says which), fp32 or bf16",
        DefaultValueFactory = _ => MixedPrecision.Precision.Auto,
        CustomParser = EnumValues.Parse<Precision>,
    };

    /// <summary>The latest run under ./runs, the default checkpoint.</summary>
    public static string LatestRun() =>
        Directory.Exists("runs") && Directory.GetDirectories("runs").Order(StringComparer.Ordinal).LastOrDefault() is { } run ? run : "runs/<none yet>";

    public static Device ParseDevice(string text)
    {
        try
        {
            Engine.Devices.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new UserError($"--device {text}: {e.Message}", Guard.Usage);
        }

        try
        {
            return Engine.Devices.Resolve(text);
        }
        catch (ArgumentException e)
        {
            throw new UserError($"--device {e.Message}");
        }
    }

    public static OGanModel Load(ParseResult parse, ILogger log)
    {
        var device = ParseDevice(parse.GetValue(Device)!);
        Engine.Runtime.SetThreads();
        var path = ResolveCheckpoint(parse.GetValue(Checkpoint)!);
        if (parse.GetResult(Checkpoint) is null or { Implicit: true })
        {
            // The default moves to the newest run as soon as one starts: say which model this is.
            log.LogInformation("model: {Path} (the latest run under ./runs; give -c to choose another)", path);
        }

        var model = OGanModel.Load(path, device, parse.GetValue(Precision));
        WarnIfUnverified(log, path, model.IsVerified);
        return model;
    }

    /// <summary>The one warning for a checkpoint written before OGan added digests.</summary>
    public static void WarnIfUnverified(ILogger log, string path, bool isVerified)
    {
        if (!isVerified)
        {
            log.LogWarning("{Path} has no SHA-256 digest (written before OGan added them), so damage to it cannot be detected; checkpoints written from now on carry one", path);
        }
    }

    public static string ResolveCheckpoint(string path) =>
        Directory.Exists(path)
            ? RunFolder.LatestCheckpoint(path) ?? throw new UserError($"{path}: the folder holds no checkpoint-*.safetensors")
            : File.Exists(path) ? path : throw new UserError($"{path}: no such checkpoint file or run folder (train one with `ogan train`, or pass --checkpoint)");
}
