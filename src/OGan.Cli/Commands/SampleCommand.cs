using System.CommandLine;
using Microsoft.Extensions.Logging;
using OGan.Data;
using OGan.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Cli;

/// <summary>ogan sample: images generated from seeded or given latents, as a grid, a folder of PNGs, or .npy.</summary>
internal static class SampleCommand
{
    private static readonly Option<int> Count = new("--count", "-n") { Description = "Number of images (ignored with --latents)", DefaultValueFactory = _ => 64 };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "Seed of the latents", DefaultValueFactory = _ => 0UL };
    private static readonly Option<string?> Latents = new("--latents") { Description = "A .npy of (N, z_dim) latents to generate from, e.g. from `ogan encode`" };
    private static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "A .png (or .jpg) grid, a .npy of the images (N, C, S, S) in [-1, 1], or a folder that receives one PNG per image",
        DefaultValueFactory = _ => "samples.png",
    };

    public static Command Create()
    {
        var command = new Command("sample", "Generate images from a trained checkpoint")
        {
            ModelOptions.Checkpoint, Count, Seed, Latents, Output, ModelOptions.Device, ModelOptions.Precision,
        };
        command.SetAction(parse => Guard.Run(parse, log => Run(parse, log)));
        return command;
    }

    private static int Run(ParseResult parse, ILogger log)
    {
        var count = parse.GetValue(Count);
        if (count is < 1 or > 4096)
        {
            throw new UserError($"--count must be between 1 and 4096, got {count}", Guard.Usage);
        }

        var output = parse.GetValue(Output)!;
        OutputPaths.Of("--output", output, OutputPaths.Kind.Image, OutputPaths.Kind.Npy, OutputPaths.Kind.Folder);
        using var model = ModelOptions.Load(parse, log);
        using var scope = NewDisposeScope();
        Tensor images;
        if (parse.GetValue(Latents) is { } latentsPath)
        {
            var latents = Npy.Read(latentsPath);
            if (latents.dim() != 2 || latents.shape[1] != model.Config.LatentDim)
            {
                throw new UserError($"{latentsPath}: holds latents of shape [{string.Join(", ", latents.shape)}], the model takes (N, {model.Config.LatentDim})");
            }

            images = model.Sample(latents);
        }
        else
        {
            images = model.Sample(count, parse.GetValue(Seed));
        }

        Write(output, images, "sample");
        log.LogInformation("wrote {Count} samples of step {Step} to {Output}", images.shape[0], model.Step, output);
        return 0;
    }

    /// <summary>Writes images as a grid (an image file), a .npy, or one PNG each into a folder; any other extension is refused.</summary>
    public static void Write(string output, Tensor images, string stem)
    {
        switch (OutputPaths.Of("--output", output, OutputPaths.Kind.Image, OutputPaths.Kind.Npy, OutputPaths.Kind.Folder))
        {
            case OutputPaths.Kind.Npy:
                Npy.Write(output, images);
                break;
            case OutputPaths.Kind.Image:
                ImageGrid.Save(output, images, (int)Math.Ceiling(Math.Sqrt(images.shape[0])));
                break;
            default:
                Directory.CreateDirectory(output);
                ImageGrid.SaveEach([.. Enumerable.Range(0, (int)images.shape[0]).Select(i => Path.Combine(output, $"{stem}-{i:D4}.png"))], images);
                break;
        }
    }
}
