using System.Globalization;

namespace OGan.Cli;

/// <summary>Durations as people type them on a command line: 90s, 20m, 1.5h.</summary>
internal static class Duration
{
    /// <summary>The duration <paramref name="text"/> names, or null when it is null.</summary>
    /// <exception cref="UserError">The text is not a positive number followed by s, m or h.</exception>
    public static TimeSpan? Parse(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        var trimmed = text.Trim();
        double? seconds = trimmed.Length < 2 ? null : trimmed[^1] switch
        {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => null,
        };
        if (seconds is null || !double.TryParse(trimmed[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !(number > 0) || !double.IsFinite(number))
        {
            throw new UserError($"{option} {text}: give a positive duration with a unit, such as 90s, 20m or 1.5h", Guard.Usage);
        }

        return TimeSpan.FromSeconds(number * seconds.Value);
    }
}
