using System.Globalization;

namespace OGan.Files;

/// <summary>Files named KIND-N.EXTENSION (checkpoint-000500.safetensors, samples-001000.png), ordered by N.</summary>
internal static class NumberedFiles
{
    /// <summary>The files KIND-N.EXTENSION of <paramref name="folder"/> ordered by N (numbers, not names: step 1,000,000 has 7 digits), ignoring names without a number there.</summary>
    public static IReadOnlyList<string> ByNumber(string folder, string kind, string extension) =>
        Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, $"{kind}-*{extension}")
                .Select(path => (path, number: NumberOf(Path.GetFileName(path), kind, extension)))
                .Where(f => f.number is not null)
                .OrderBy(f => f.number)
                .Select(f => f.path)]
            : [];

    /// <summary>N of a file named KIND-N.EXTENSION (a run writes N with at least 6 digits), or null for any other name.</summary>
    public static long? NumberOf(string fileName, string kind, string extension)
    {
        if (!fileName.StartsWith(kind + "-", StringComparison.Ordinal) || !fileName.EndsWith(extension, StringComparison.Ordinal) ||
            fileName.Length < kind.Length + 1 + extension.Length)
        {
            return null;
        }

        var number = fileName[(kind.Length + 1)..^extension.Length];
        return number.Length is >= 1 and <= 18 && number.All(char.IsAsciiDigit) ? long.Parse(number, CultureInfo.InvariantCulture) : null;
    }
}
