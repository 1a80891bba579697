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
    private static readonly Option<string?> Separate = new("--separate") { Description = "Folder that receives one <name>.png reconstruction per input instead of the grid (inputs of the same name get -2, -3, ...)" };
    private static readonly Option<bool> GeneratedOnly = new("--generated-only") { Description = "Leave the originals out of the grid: only the reconstructions (pictures to share where the photos may not be)" };
    private static readonly Option<int> Batch = new("--batch") { Description = "Images reconstructed at once with --separate: memory stays flat whatever the number of images", DefaultValueFactory = _ => 256 };
    private const int MaxGridImages = 1024;

    public static Command Create()
    {
        var command = new Command("reconstruct", "Encode images and decode them again: G(N(E(x)))")
        {
            Images, ModelOptions.Checkpoint, Scale, Output, GeneratedOnly, Separate, Batch, ModelOptions.Device, ModelOptions.Precision,
        };
        command.SetAction(parse => Guard.Run(parse, log => Run(parse, log)));
        return command;
    }

    private static int Run(ParseResult parse, ILogger log)
    {
        var inputs = parse.GetValue(Images)!;
        var batch = parse.GetValue(Batch);
        if (batch is < 1 or > 65536)
        {
            throw new UserError($"--batch must be between 1 and 65536, got {batch}", Guard.Usage);
        }

        var separate = parse.GetValue(Separate);
        var output = parse.GetValue(Output)!;
        if (separate is not null)
        {
            OutputPaths.Of("--separate", separate, OutputPaths.Kind.Folder);
        }
        else
        {
            OutputPaths.Of("--output", output, OutputPaths.Kind.Image);
        }

        var files = ImageInputs.Expand(inputs); // a missing file is named before libtorch loads
        if (separate is null && files.Count > MaxGridImages)
        {
            throw new UserError($"{files.Count} images make too large a grid (at most {MaxGridImages}); write one file each with --separate FOLDER", Guard.Usage);
        }

        var scale = parse.GetValue(Scale);
        var strict = inputs.All(File.Exists);
        using var model = ModelOptions.Load(parse, log);
        if (separate is not null)
        {
            Directory.CreateDirectory(separate);
            var taken = new HashSet<string>(StringComparer.Ordinal);
            var count = 0;
            foreach (var (images, names) in ImageInputs.Batches(files, model, log, strict, batch))
            {
                using (images)
                using (NewDisposeScope())
                {
                    ImageGrid.SaveEach(OutputPaths.Distinct(separate, names, ".png", taken), model.Reconstruct(images, scale));
                }

                count += names.Count;
            }

            log.LogInformation("wrote {Count} reconstructions into {Folder}", count, separate);
            return 0;
        }

        var (all, _) = ImageInputs.Load(files, model, log, strict);
        using (all)
        using (NewDisposeScope())
        {
            var count = all.shape[0];
            var reconstructions = model.Reconstruct(all, scale);
            if (parse.GetValue(GeneratedOnly))
            {
                ImageGrid.Save(output, reconstructions, (int)Math.Min(8, count));
                log.LogInformation("wrote {Count} reconstructions, without their originals, to {Output}", count, output);
            }
            else
            {
                ImageGrid.Save(output, ImageGrid.Interleave(all, reconstructions), (int)Math.Min(16, 2 * count));
                log.LogInformation("wrote {Count} {Originals} beside their reconstructions to {Output}", count, count == 1 ? "original" : "originals", output);
            }
        }

        return 0;
    }
}
