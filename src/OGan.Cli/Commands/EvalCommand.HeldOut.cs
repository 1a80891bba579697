using System.CommandLine;
using Microsoft.Extensions.Logging;
using OGan.Data;

namespace OGan.Cli;

/// <summary>ogan eval: the images a checkpoint is measured against, and training images for the floor.</summary>
internal static partial class EvalCommand
{
    /// <summary>
    /// The images to measure against and, for the floor, training images: --eval-data and the run's data (its
    /// training part), else the part of the data held back by the run's --holdout and the rest, else the data itself.
    /// </summary>
    private static (ImageSet HeldOut, ImageSet? Training) OpenHeldOut(ParseResult parse, ILogger log, string data, double holdout, Models.OGanConfig config)
    {
        ImageSet Open(string what, Holdout? part) =>
            DataSets.Open(what, config.ImageSize, config.Channels, parse.GetValue(DataOptions.DataRoot), log: m => log.LogInformation("{Message}", m), holdout: part);

        var split = holdout > 0 && !File.Exists(data);
        if (parse.GetValue(EvalData) is { } evalData)
        {
            var heldOut = Open(evalData, null);
            try
            {
                return (heldOut, Open(data, split ? new Holdout(holdout, HoldoutPart.Training) : null));
            }
            catch
            {
                heldOut.Dispose();
                throw;
            }
        }

        if (split)
        {
            var heldOut = Open(data, new Holdout(holdout, HoldoutPart.HeldOut));
            try
            {
                return (heldOut, Open(data, new Holdout(holdout, HoldoutPart.Training)));
            }
            catch
            {
                heldOut.Dispose();
                throw;
            }
        }

        log.LogWarning("{Data} has no held-out part (the run trained without --holdout): measuring against images it trained on; give --eval-data DIR for unseen ones", data);
        return (Open(data, null), null);
    }
}
