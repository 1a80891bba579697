using System.CommandLine;

namespace OGan.Cli;

/// <summary>The one line a failed parse prints: the real cause first, the parser's messages after it.</summary>
internal static class UsageErrors
{
    /// <summary>
    /// An option given without its value (`--data --res 64`: the parser takes --res as --data's missing value's
    /// place and then complains about "64") is named first; then the parser's own messages, joined by "; ".
    /// </summary>
    public static string Describe(ParseResult parsed, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(args);
        var options = parsed.CommandResult.Command.Options.Concat(parsed.RootCommandResult.Command.Options).ToList();
        Option? Named(string token) => options.FirstOrDefault(o => o.Name == token || o.Aliases.Contains(token));
        var messages = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (Named(args[i]) is { Arity.MinimumNumberOfValues: > 0 } option && (i + 1 == args.Count || Named(args[i + 1]) is not null))
            {
                messages.Add(i + 1 == args.Count ? $"{option.Name} needs a value" : $"{option.Name} needs a value (the next word, {args[i + 1]}, is an option)");
                return string.Join("; ", messages); // the parser's messages about what followed only repeat this
            }
        }

        messages.AddRange(parsed.Errors.Select(e => e.Message.Trim().TrimEnd('.')));
        return string.Join("; ", messages.Distinct());
    }
}
