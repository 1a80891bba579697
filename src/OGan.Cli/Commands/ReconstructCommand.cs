using System.CommandLine;
using Microsoft.Extensions.Logging;
using OGan.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Cli;

/// <summary>ogan reconstruct: G(N(E(x))) for images, beside their originals or as separate files.</summary>
internal static class ReconstructCommand
{
    private static readonly Argument<string[]> Images = new("images") { Description = "Image files and/or folders", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<double> Scale = new("--scale") { Description = "Factor on N(E(x)) before G (the author's code used 0.9)", DefaultValueFactory = _ => 1.0 };
    private static readonly Option<string> Output = new("--output", "-o") { Description = "Grid PNG: each original beside its reconstruction", DefaultValueFactory = _ => "reconstructions.png" };
    private static readonly Option<string?> Separate = new("--separate") { Description = "Folder that receives one <name>.png reconstruction per input instead of the grid" };

    public static Command Create()
    {
        var command = new Command("reconstruct", "Encode images and decode them again: G(N(E(x)))")
        {
            Images, ModelOptions.Checkpoint, Scale, Output, Separate, ModelOptions.Device, ModelOptions.Precision,
        };
        command.SetAction(parse => Guard.Run(parse, log => Run(parse, log)));
        return command;
    }

    private static int Run(ParseResult parse, ILogger log)
    {
        var inputs = parse.GetValue(Images)!;
        var files = ImageInputs.Expand(inputs); // a missing file is named before libtorch loads
        using var model = ModelOptions.Load(parse, log);
        using var scope = NewDisposeScope();
        var (images, kept) = ImageInputs.Load(files, model, log, strict: inputs.All(File.Exists));
        var reconstructions = model.Reconstruct(images, parse.GetValue(Scale));
        if (parse.GetValue(Separate) is { } folder)
        {
            Directory.CreateDirectory(folder);
            var paths = kept.Select(f => Path.Combine(folder, Path.GetFileNameWithoutExtension(f) + ".png")).ToList();
            ImageGrid.SaveEach(paths, reconstructions);
            log.LogInformation("wrote {Count} reconstructions into {Folder}", paths.Count, folder);
            return 0;
        }

        var output = parse.GetValue(Output)!;
        var count = images.shape[0];
        ImageGrid.Save(output, ImageGrid.Interleave(images, reconstructions), (int)Math.Min(16, 2 * count));
        log.LogInformation("wrote {Count} originals beside their reconstructions to {Output}", count, output);
        return 0;
    }
}
