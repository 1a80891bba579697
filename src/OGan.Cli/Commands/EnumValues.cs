using System.CommandLine.Parsing;

namespace OGan.Cli;

/// <summary>Parses enum options as users type them (lower case) and rejects others in one line that lists the choices.</summary>
internal static class EnumValues
{
    public static T Parse<T>(ArgumentResult result)
        where T : struct, Enum
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!text.All(char.IsDigit) && Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value))
        {
            return value;
        }

        var option = result.Parent is OptionResult parent ? parent.Option.Name : "value";
        var names = Enum.GetNames<T>().Select(name => name.ToLowerInvariant()).ToArray();
        result.AddError($"{option} {text}: must be {string.Join(", ", names[..^1])} or {names[^1]}");
        return default;
    }
}
