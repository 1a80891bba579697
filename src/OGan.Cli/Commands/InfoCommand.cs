using System.CommandLine;
using OGan.Checkpoints;
using OGan.Distributed;
using OGan.Engine;
using OGan.MixedPrecision;
using OGan.Training;
using TorchSharp;

namespace OGan.Cli;

/// <summary>ogan info: the runtime (TorchSharp, libtorch, CPU or CUDA, threads, the Debian 13 root) and, given one, a checkpoint's settings.</summary>
internal static class InfoCommand
{
    private static readonly Argument<string?> CheckpointPath = new("checkpoint") { Description = "Checkpoint file or run folder", Arity = ArgumentArity.ZeroOrOne };

    public static Command Create()
    {
        var command = new Command("info", "Show the TorchSharp runtime and a checkpoint's config, step and size") { CheckpointPath };
        command.SetAction(parse => Guard.Run(parse, _ =>
        {
            var threads = Runtime.SetThreads();
            var devices = torch.cuda.is_available() ? $"CUDA, {torch.cuda.device_count()} device(s)" : "CPU only (no CUDA device visible)";
            Console.WriteLine($"TorchSharp {Runtime.TorchSharpVersion}, libtorch {Runtime.LibTorchVersion}, {devices}, {threads} CPU threads");
            Console.WriteLine(Environment.GetEnvironmentVariable("OGAN_IN_DEBIAN13") == "1"
                ? "running in the Debian 13 root (this host's libstdc++ is older than TorchSharp needs)"
                : "running on the host directly");
            Console.WriteLine(MpiDescription());
            Console.WriteLine($"--precision auto on cpu: {PrecisionChoice.Resolve(Precision.Auto, torch.CPU).Reason}");
            Console.WriteLine($"bf16 on cpu: {ThinConvolutionProbe.Result.Describe()}");
            for (var index = 0; torch.cuda.is_available() && index < torch.cuda.device_count(); index++)
            {
                Console.WriteLine($"--precision auto on cuda:{index}: {PrecisionChoice.Resolve(Precision.Auto, new torch.Device(DeviceType.CUDA, index)).Reason}");
            }
            if (parse.GetValue(CheckpointPath) is { } path)
            {
                var file = ModelOptions.ResolveCheckpoint(path);
                using var checkpoint = Checkpoint.Read(file);
                Console.WriteLine($"{file}: step {checkpoint.Step}, {new FileInfo(file).Length / 1e6:F1} MB, " +
                    (checkpoint.IsVerified ? "SHA-256 digest verified" : "no SHA-256 digest (written before OGan added them; damage cannot be detected)"));
                foreach (var part in Checkpoint.Parts)
                {
                    Console.WriteLine($"  {part.Prefix,-22} {checkpoint.CountValues(part.Prefix),13:N0} values  {part.Description}");
                }

                Console.WriteLine(checkpoint.Settings.ToJson());
            }

            return 0;
        }));
        return command;
    }

    // Under mpirun or srun: the MPI library, this rank and the world size; otherwise whether train could use MPI here.
    private static string MpiDescription()
    {
        if (!MpiLaunch.IsLaunched)
        {
            return "MPI: not launched by mpirun or srun (one process); `mpirun -np N ogan train ...` trains one model with N processes";
        }

        using var group = ProcessGroup.FromEnvironment();
        return $"MPI: {group.Backend}, rank {group.Rank} of {group.Size} (local rank {MpiLaunch.LocalRank} of {MpiLaunch.LocalSize})";
    }
}
