using Microsoft.Extensions.Logging;
using OGan.Data;
using OGan.Imaging;
using OGan.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Cli;

/// <summary>Images named on the command line (files or folders), loaded at a model's size as (N, C, S, S) in [-1, 1].</summary>
internal static class ImageInputs
{
    /// <summary>Files as given; each folder expanded to its images, sorted.</summary>
    public static List<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = new ImageFolder(path).Files;
                if (found.Count == 0)
                {
                    throw new UserError($"{path}: the folder holds no .jpg, .jpeg, .png, .webp, .bmp or .gif images");
                }

                files.AddRange(found);
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new UserError($"{path}: no such image file or folder");
            }
        }

        return files;
    }

    /// <summary>
    /// <paramref name="files"/> for <paramref name="model"/>, <paramref name="batchSize"/> at a time, decoded ahead
    /// on all cores, so memory stays flat whatever the count. Each batch's tensor belongs to the caller's dispose
    /// scope. A bad file named on its own is an error; in a folder of many, bad files are skipped with a warning.
    /// </summary>
    public static IEnumerable<(Tensor Images, List<string> Files)> Batches(IReadOnlyList<string> files, OGanModel model, ILogger log, bool strict, int batchSize)
    {
        var config = model.Config;
        var pixels = new List<byte[]>();
        var names = new List<string>();
        var any = false;
        foreach (var image in ParallelDecoder.Decode(files.Select(EncodedImage.FromFile), config.Channels, config.ImageSize))
        {
            if (image.Pixels is null)
            {
                if (strict)
                {
                    throw new UserError($"{image.Name}: {image.Error}");
                }

                log.LogWarning("skipped {Name}: {Error}", image.Name, image.Error);
                continue;
            }

            if (image.Side < config.ImageSize)
            {
                log.LogWarning("{Name} is {Side} px across, smaller than the model's {Size} px: enlarged, so it looks blurred to the model", image.Name, image.Side, config.ImageSize);
            }

            pixels.Add(image.Pixels);
            names.Add(image.Name);
            if (pixels.Count == batchSize)
            {
                any = true;
                yield return (ToModel(pixels, model), names);
                (pixels, names) = ([], []);
            }
        }

        if (pixels.Count > 0)
        {
            yield return (ToModel(pixels, model), names);
        }
        else if (!any)
        {
            throw new UserError("none of the images could be read");
        }
    }

    /// <summary>Every file as one batch, for outputs that show them all at once (a grid).</summary>
    public static (Tensor Images, List<string> Files) Load(IReadOnlyList<string> files, OGanModel model, ILogger log, bool strict) =>
        Batches(files, model, log, strict, int.MaxValue).Single();

    private static Tensor ToModel(List<byte[]> loaded, OGanModel model) =>
        Pixels.ToModel(loaded, model.Config.Channels, model.Config.ImageSize, model.Device);
}
