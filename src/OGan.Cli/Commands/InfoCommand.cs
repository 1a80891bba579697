using System.CommandLine;
using OGan.Checkpoints;
using OGan.Tensors;

namespace OGan.Cli;

/// <summary>ogan info: the runtime (libtorch, threads, CUDA) and, given one, a checkpoint's settings.</summary>
internal static class InfoCommand
{
    private static readonly Argument<string?> Checkpoint = new("checkpoint") { Description = "Checkpoint file or run folder", Arity = ArgumentArity.ZeroOrOne };

    public static Command Create()
    {
        var command = new Command("info", "Show the libtorch runtime and a checkpoint's config, step and size") { Checkpoint };
        command.SetAction(parse => Guard.Run(parse, _ =>
        {
            Console.WriteLine($"libtorch {Torch.Version}, {Torch.NumThreads} CPU threads, CUDA devices: {Torch.CudaDeviceCount}");
            if (parse.GetValue(Checkpoint) is { } path)
            {
                var file = ModelOptions.ResolveCheckpoint(path);
                using var checkpoint = CheckpointMetadata.Read(file);
                var parameters = checkpoint.Tensors.Where(t => t.Key.StartsWith("generator.", StringComparison.Ordinal) || t.Key.StartsWith("encoder.", StringComparison.Ordinal)).Sum(t => t.Value.NumEl);
                Console.WriteLine($"{file}: step {checkpoint.Step}, {new FileInfo(file).Length / 1e6:F1} MB, {parameters:N0} values in G and E");
                Console.WriteLine(checkpoint.Settings.ToJson());
            }

            return 0;
        }));
        return command;
    }
}
