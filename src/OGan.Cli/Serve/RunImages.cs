using OGan.Data;
using OGan.Imaging;
using static TorchSharp.torch;

namespace OGan.Cli.Serve;

/// <summary>A run's own training images, read for the page's principal directions.</summary>
internal static class RunImages
{
    /// <summary>Up to 500 training images of the run in <paramref name="runFolder"/> as model input on the CPU (the caller disposes them), or null when its data is not on this machine.</summary>
    public static Tensor? Load(string runFolder, Models.OGanConfig config)
    {
        try
        {
            var data = Training.RunSettings.FromJson(File.ReadAllText(Path.Combine(runFolder, "options.json"))).Data;
            if (data.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase))
            {
                using var fashion = FashionMnist.Load(train: true, limit: 500);
                return fashion.First(500, CPU);
            }

            var pixels = DataSets.Source(data, config.ImageSize).Images().Take(500)
                .Select(image => { try { return Preprocess.Square(image.Load(), config.Channels, config.ImageSize); } catch (InvalidDataException) { return null; } })
                .OfType<byte[]>().ToList();
            if (pixels.Count < 2)
            {
                return null;
            }

            return Pixels.ToModel(pixels, config.Channels, config.ImageSize, CPU);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
        {
            return null; // the data is elsewhere: directions come from samples
        }
    }
}
