using System.CommandLine;
using Microsoft.Extensions.Logging;
using OGan.Training;

namespace OGan.Cli;

/// <summary>What ogan train says about defaults: those that changed since 0.2, and the photo defaults a run takes.</summary>
internal static partial class TrainCommand
{
    /// <summary>
    /// Names, once, the options whose defaults changed since OGan 0.2: those a new run takes without being given
    /// them, or those a resumed run keeps at 0.2's value (<paramref name="resumed"/>: the resumed run's options).
    /// </summary>
    private static void TellChangedDefaults(ILogger log, ParseResult parse, TrainingOptions? resumed, TrainingOptions current)
    {
        var changed = DefaultedOptions.Where(d => !Equals(d.Value(PreviousDefaults.Options), d.Value(current))).ToList();
        if (resumed is null)
        {
            var taken = changed.Where(d => parse.GetResult(d.Option) is null or { Implicit: true }).ToList();
            if (taken.Count > 0)
            {
                log.LogInformation(
                    "defaults changed since OGan {Version} (docs/results.md section 9); this run uses {Changes}; give the old values to train as {Version} did",
                    PreviousDefaults.Version, string.Join(", ", taken.Select(d => $"{d.Option.Name} {Show(d.Value(current))} (was {Show(d.Value(PreviousDefaults.Options))})")), PreviousDefaults.Version);
            }
        }
        else
        {
            var kept = changed.Where(d => !Equals(d.Value(resumed), d.Value(current))).ToList();
            if (kept.Count > 0)
            {
                log.LogInformation(
                    "this run keeps the options it was trained with, though the defaults changed since OGan {Version}: {Kept}",
                    PreviousDefaults.Version, string.Join(", ", kept.Select(d => $"{d.Option.Name} {Show(d.Value(resumed))} (now {Show(d.Value(current))})")));
            }
        }
    }

    /// <summary>Names, once, the photo defaults a new run on photos takes without being given them.</summary>
    private static void TellPhotoDefaults(ILogger log, ParseResult parse, Trainer trainer)
    {
        bool Taken(Option option) => parse.GetResult(option) is null or { Implicit: true };
        var (model, options) = (trainer.Config, trainer.Options);
        var taken = new (Option Option, object? Value)[]
        {
            (Width, model.MaxChannels), (MinChannels, model.MinChannels), (ZDim, model.LatentDim), (Batch, options.BatchSize), (Flip, options.Flip), (Lr, options.EffectiveLearningRate),
            (LrDecay, options.LearningRateDecay), (ScheduleSteps, options.ScheduleSteps), (Ema, options.EmaDecay),
        }.Where(t => Taken(t.Option) && !(options.GrowFrom is not null && (t.Option == Width || t.Option == ZDim))) // a grown model's shape is its smaller model's
            .Select(t => $"{t.Option.Name} {Show(t.Value)}").ToList();
        if (taken.Count > 0)
        {
            log.LogInformation("photo defaults at {Size} px (docs/results.md sections 10 and 11): {Taken}; give an option to change it", model.ImageSize, string.Join(", ", taken));
        }
    }
}
