using System.CommandLine;
using OGan.Imaging;
using OGan.Inference;
using OGan.Tensors;
using OGan.Training;

namespace OGan.Cli;

/// <summary>ogan sample: a grid of images generated from seeded latents.</summary>
internal static class SampleCommand
{
    private static readonly Option<string> Checkpoint = new("--checkpoint") { Description = "Checkpoint file, or a run folder (its latest)", Required = true };
    private static readonly Option<int> Count = new("--count") { Description = "Number of images", DefaultValueFactory = _ => 64 };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "Seed of the latents", DefaultValueFactory = _ => 0UL };
    private static readonly Option<string> Output = new("--output", "-o") { Description = "PNG file of the grid", DefaultValueFactory = _ => "samples.png" };
    private static readonly Option<string> DeviceOption = new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };

    public static Command Create()
    {
        var command = new Command("sample", "Generate images from a trained checkpoint") { Checkpoint, Count, Seed, Output, DeviceOption };
        command.SetAction(parse => Guard.Run(() =>
        {
            var count = parse.GetValue(Count);
            if (count is < 1 or > 4096)
            {
                throw new UserError($"--count must be between 1 and 4096, got {count}", Guard.Usage);
            }

            using var model = OGanModel.Load(ResolveCheckpoint(parse.GetValue(Checkpoint)!), Device.Parse(parse.GetValue(DeviceOption)!));
            using var scope = DisposeScope.Enter();
            var output = parse.GetValue(Output)!;
            ImageGrid.Save(output, model.Sample(count, parse.GetValue(Seed)), (int)Math.Ceiling(Math.Sqrt(count)));
            Console.WriteLine($"ogan: wrote {count} samples (step {model.Step}) to {output}");
            return 0;
        }));
        return command;
    }

    public static string ResolveCheckpoint(string path) =>
        Directory.Exists(path)
            ? RunFolder.LatestCheckpoint(path) ?? throw new UserError($"{path}: the folder holds no checkpoint-*.safetensors")
            : File.Exists(path) ? path : throw new UserError($"{path}: no such checkpoint file or run folder");
}
