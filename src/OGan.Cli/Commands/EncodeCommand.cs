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
    private static readonly Option<int> Batch = new("--batch") { Description = "Images encoded at once: memory stays flat whatever the number of images", DefaultValueFactory = _ => 256 };

    public static Command Create()
    {
        var command = new Command("encode", "Encode images to latent vectors (.npy)")
        {
            Images, ModelOptions.Checkpoint, Output, Raw, Hidden, Names, Batch, ModelOptions.Device, ModelOptions.Precision,
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

        var output = parse.GetValue(Output)!;
        OutputPaths.Of("--output", output, OutputPaths.Kind.Npy);
        var (raw, hidden, names) = (parse.GetValue(Raw), parse.GetValue(Hidden), parse.GetValue(Names));
        _ = raw is null ? default : OutputPaths.Of("--raw", raw, OutputPaths.Kind.Npy);
        _ = hidden is null ? default : OutputPaths.Of("--hidden", hidden, OutputPaths.Kind.Npy);
        var files = ImageInputs.Expand(inputs); // a missing file is named before libtorch loads
        using var model = ModelOptions.Load(parse, log);
        var features = 16L * model.Config.MaxChannels;
        using var latents = new NpyWriter(output, model.Config.LatentDim);
        using var rawCodes = raw is null ? null : new NpyWriter(raw, model.Config.LatentDim);
        using var hiddenLayer = hidden is null ? null : new NpyWriter(hidden, features);
        var kept = new List<string>();
        foreach (var (images, batchFiles) in Batches(files, model, log, inputs.All(File.Exists), batch))
        {
            using var scope = NewDisposeScope();
            latents.Append(model.Encode(images));
            rawCodes?.Append(model.EncodeRaw(images));
            hiddenLayer?.Append(model.EncodeFeatures(images));
            kept.AddRange(batchFiles);
        }

        latents.Complete();
        log.LogInformation("wrote {Count} latents of {Dim} values to {Output}", kept.Count, model.Config.LatentDim, output);
        if (rawCodes is not null)
        {
            rawCodes.Complete();
            log.LogInformation("wrote the raw codes E(x) to {Raw}", raw);
        }

        if (hiddenLayer is not null)
        {
            hiddenLayer.Complete();
            log.LogInformation("wrote E's last hidden layer ({Dim} features per image) to {Hidden}", features, hidden);
        }

        if (names is not null)
        {
            File.WriteAllLines(names, kept);
            log.LogInformation("wrote the image paths to {Names}", names);
        }

        return 0;
    }

    // Each batch's images are freed when the next is taken.
    private static IEnumerable<(Tensor Images, List<string> Files)> Batches(IReadOnlyList<string> files, Inference.OGanModel model, ILogger log, bool strict, int size)
    {
        foreach (var (images, names) in ImageInputs.Batches(files, model, log, strict, size))
        {
            using (images)
            {
                yield return (images, names);
            }
        }
    }
}
