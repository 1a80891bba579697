using System.CommandLine;
using Microsoft.Extensions.Logging;
using OGan.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Cli;

/// <summary>ogan encode: images to latent vectors N(E(x)) (and E(x), E's last hidden layer) in .npy files.</summary>
internal static class EncodeCommand
{
    private static readonly Argument<string[]> Images = new("images") { Description = "Image files and/or folders (folders in sorted order)", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string> Output = new("--output", "-o") { Description = ".npy of N(E(x)), (N, z_dim): the latents that reconstruct the images", DefaultValueFactory = _ => "latents.npy" };
    private static readonly Option<string?> Raw = new("--raw") { Description = "Also write E(x), the raw codes (their mean is the critic's score), to this .npy" };
    private static readonly Option<string?> Hidden = new("--hidden") { Description = "Also write E's last hidden layer, (N, 16 x width) features, to this .npy: wider than the codes, for downstream models" };
    private static readonly Option<string?> Names = new("--names") { Description = "Also write the image paths, one per row of the .npy, to this text file" };

    public static Command Create()
    {
        var command = new Command("encode", "Encode images to latent vectors (.npy)")
        {
            Images, ModelOptions.Checkpoint, Output, Raw, Hidden, Names, ModelOptions.Device, ModelOptions.Precision,
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
        var output = parse.GetValue(Output)!;
        Npy.Write(output, model.Encode(images));
        log.LogInformation("wrote {Count} latents of {Dim} values to {Output}", kept.Count, model.Config.LatentDim, output);
        if (parse.GetValue(Raw) is { } raw)
        {
            Npy.Write(raw, model.EncodeRaw(images));
            log.LogInformation("wrote the raw codes E(x) to {Raw}", raw);
        }

        if (parse.GetValue(Hidden) is { } hidden)
        {
            var features = model.EncodeFeatures(images);
            Npy.Write(hidden, features);
            log.LogInformation("wrote E's last hidden layer ({Dim} features per image) to {Hidden}", features.shape[1], hidden);
        }

        if (parse.GetValue(Names) is { } names)
        {
            File.WriteAllLines(names, kept);
            log.LogInformation("wrote the image paths to {Names}", names);
        }

        return 0;
    }
}
