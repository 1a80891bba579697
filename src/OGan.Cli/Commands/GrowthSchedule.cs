using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace OGan.Cli;

/// <summary>
/// `ogan train --res 128 --grow 64`: one command that trains at the smaller sizes first and grows the model to
/// --res (Trainer.Grow), each stage an ordinary run of its own folder, the budget (--time-limit, else --steps)
/// shared out: <see cref="Share"/> of it at the smaller sizes, evenly, the rest at --res.
/// </summary>
internal static class GrowthSchedule
{
    /// <summary>The options a stage sets for itself; the others pass to every stage as given.</summary>
    private static readonly string[] StageOptions = ["--res", "--time-limit", "--steps", "--images", "--grow", "--grow-share", "--grow-from", "--dry-run"];

    /// <summary>The sizes of the stages below <paramref name="finalSize"/>, checked: each twice the one before, the last half of <paramref name="finalSize"/>.</summary>
    /// <exception cref="UserError">Not such a list.</exception>
    public static int[] Sizes(string text, int finalSize)
    {
        var sizes = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : -1).ToArray();
        var expected = Enumerable.Range(1, sizes.Length).Select(i => finalSize >> (sizes.Length - i + 1)).ToArray();
        return sizes.Length > 0 && sizes.SequenceEqual(expected) && expected[0] >= 32
            ? sizes
            : throw new UserError($"--grow {text}: give the sizes below --res {finalSize} it grows through, each half the next (e.g. --grow {finalSize / 2} or --grow {finalSize / 4},{finalSize / 2}), none below 32", Guard.Usage) { Agreed = true };
    }

    /// <summary>The share of the budget at the smaller sizes: must lie in (0, 1).</summary>
    public static double Share(double share) => share is > 0 and < 1
        ? share
        : throw new UserError($"--grow-share {share.ToString(CultureInfo.InvariantCulture)}: give the share of the budget spent below --res, between 0 and 1 (e.g. 0.8)", Guard.Usage) { Agreed = true };

    /// <summary>
    /// Runs the stages: the first a new run at <paramref name="sizes"/>[0], each next one `--grow-from` the one
    /// before, the last at <paramref name="finalSize"/>, each with the options given and <paramref name="shared"/>.
    /// <paramref name="train"/> runs one `ogan train` command line (and logs the note once it trains) and returns its
    /// exit code; <paramref name="lastRun"/> gives the run folder it made.
    /// </summary>
    public static int Run(ParseResult parse, ILogger log, int[] sizes, int finalSize, double share, TimeSpan? timeLimit, long steps, string[] shared, Func<ParseResult, string, int> train, Func<string?> lastRun)
    {
        List<string> kept = [.. KeptArguments(parse), .. shared];
        var stages = sizes.Append(finalSize).ToArray();
        string? previous = null;
        for (var i = 0; i < stages.Length; i++)
        {
            var part = i < sizes.Length ? share / sizes.Length : 1 - share;
            var budget = timeLimit is { } limit
                ? new[] { "--time-limit", $"{Math.Max(1, (int)Math.Round(limit.TotalSeconds * part)).ToString(CultureInfo.InvariantCulture)}s", "--steps", "1000000000" }
                : ["--steps", Math.Max(1, (long)Math.Round(steps * part)).ToString(CultureInfo.InvariantCulture)];
            string[] stage = previous is null
                ? ["train", .. kept, "--res", stages[i].ToString(CultureInfo.InvariantCulture), .. budget]
                : ["train", .. kept, "--grow-from", previous, "--res", stages[i].ToString(CultureInfo.InvariantCulture), .. budget];
            // Said by the stage once its data and networks are ready: a stage that fails says only why.
            var note = $"growth schedule, stage {i + 1} of {stages.Length}: {stages[i]} px for {string.Join(' ', budget.Take(2))}{(previous is null ? "" : $", grown from {previous}")}";
            var code = train(parse.RootCommandResult.Command.Parse(stage), note);
            var folder = lastRun();
            if (code != 0)
            {
                if (code == 130 && folder is not null && i < sizes.Length)
                {
                    log.LogInformation("the schedule stopped at {Size} px: finish that stage with --resume {Folder}, then go on with --grow-from {Folder}", stages[i], folder, folder);
                }

                return code;
            }

            previous = folder ?? throw new UserError("the growth schedule's stage wrote no run folder (only rank 0 writes one; run schedules in one process)");
        }

        return 0;
    }

    // Every option token the user gave, with its values, but those each stage sets itself.
    private static List<string> KeptArguments(ParseResult parse)
    {
        var kept = new List<string>();
        var skipping = false;
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.Option)
            {
                skipping = StageOptions.Contains(token.Value);
            }
            else if (token.Type is not TokenType.Argument)
            {
                continue; // the command itself
            }

            if (!skipping)
            {
                kept.Add(token.Value);
            }
        }

        return kept;
    }
}
