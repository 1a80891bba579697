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

        var output = parse.GetValue(Output)!;
        Write(output, images, "sample");
        log.LogInformation("wrote {Count} samples of step {Step} to {Output}", images.shape[0], model.Step, output);
        return 0;
    }

    /// <summary>Writes images as a grid (.png/.jpg/.webp), a .npy, or one PNG each into a folder.</summary>
    public static void Write(string output, Tensor images, string stem)
    {
        var extension = Path.GetExtension(output).ToLowerInvariant();
        if (extension == ".npy")
        {
            Npy.Write(output, images);
        }
        else if (extension is ".png" or ".jpg" or ".jpeg" or ".webp")
        {
            ImageGrid.Save(output, images, (int)Math.Ceiling(Math.Sqrt(images.shape[0])));
        }
        else
        {
            Directory.CreateDirectory(output);
            var paths = Enumerable.Range(0, (int)images.shape[0]).Select(i => Path.Combine(output, $"{stem}-{i:D4}.png")).ToList();
            ImageGrid.SaveEach(paths, images);
        }
    }
}
