using System.CommandLine;
using Microsoft.Extensions.Logging;
using OGan.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Cli;

/// <summary>ogan interpolate: the path from one image to another through the latent space.</summary>
internal static class InterpolateCommand
{
    private static readonly Argument<string> From = new("a") { Description = "First image" };
    private static readonly Argument<string> To = new("b") { Description = "Second image" };
    private static readonly Option<int> Steps = new("--steps") { Description = "Frames from a to b, both ends included", DefaultValueFactory = _ => 8 };
    private static readonly Option<bool> Slerp = new("--slerp") { Description = "Along the great circle instead of a straight line" };
    private static readonly Option<string> Output = new("--output", "-o") { Description = "Strip PNG: a, the frames, b", DefaultValueFactory = _ => "interpolation.png" };
    private static readonly Option<bool> GeneratedOnly = new("--generated-only") { Description = "Leave a and b out of the strip: only the frames G made (pictures to share where the photos may not be)" };
    private static readonly Option<string?> Frames = new("--frames") { Description = "Folder that also receives one PNG per frame (frame-000.png ...)" };

    public static Command Create()
    {
        var command = new Command("interpolate", "Interpolate between two images: G along the line from N(E(a)) to N(E(b))")
        {
            From, To, ModelOptions.Checkpoint, Steps, Slerp, Output, GeneratedOnly, Frames, ModelOptions.Device, ModelOptions.Precision,
        };
        command.SetAction(parse => Guard.Run(parse, log => Run(parse, log)));
        return command;
    }

    private static int Run(ParseResult parse, ILogger log)
    {
        var steps = parse.GetValue(Steps);
        if (steps is < 2 or > 256)
        {
            throw new UserError($"--steps must be between 2 and 256, got {steps}", Guard.Usage);
        }

        var files = ImageInputs.Expand([parse.GetValue(From)!, parse.GetValue(To)!]);
        if (files.Count != 2)
        {
            throw new UserError("interpolate takes two image files, not folders", Guard.Usage);
        }

        OutputPaths.Of("--output", parse.GetValue(Output)!, OutputPaths.Kind.Image);
        if (parse.GetValue(Frames) is { } frameFolder)
        {
            OutputPaths.Of("--frames", frameFolder, OutputPaths.Kind.Folder);
        }

        using var model = ModelOptions.Load(parse, log);
        using var scope = NewDisposeScope();
        var (images, _) = ImageInputs.Load(files, model, log, strict: true);
        var a = images[..1];
        var b = images[1..2];
        var frames = model.Interpolate(a, b, steps, parse.GetValue(Slerp));
        var output = parse.GetValue(Output)!;
        if (parse.GetValue(GeneratedOnly))
        {
            ImageGrid.Save(output, frames, steps);
            log.LogInformation("wrote {Output}: {Steps} frames from {A} to {B}, without them", output, steps, files[0], files[1]);
        }
        else
        {
            ImageGrid.Save(output, cat([a, frames, b]), steps + 2);
            log.LogInformation("wrote {Output}: {A}, {Steps} frames, {B}", output, files[0], steps, files[1]);
        }
        if (parse.GetValue(Frames) is { } folder)
        {
            Directory.CreateDirectory(folder);
            ImageGrid.SaveEach(Enumerable.Range(0, steps).Select(i => Path.Combine(folder, $"frame-{i:D3}.png")).ToList(), frames);
            log.LogInformation("wrote {Steps} frames into {Folder}", steps, folder);
        }

        return 0;
    }
}
