using System.Text.Json;

namespace OGan.Cli.Serve;

/// <summary>JSON as people read it: quotes and non-ASCII letters as they are (the page never puts JSON into HTML unescaped).</summary>
internal static class JsonText
{
    public static System.Text.Encodings.Web.JavaScriptEncoder Encoder => System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static JsonSerializerOptions Options { get; } = new() { Encoder = Encoder };
}
