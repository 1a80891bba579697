namespace OGan.Cli;

/// <summary>
/// The static page of <c>ogan export --web</c>: index.html and ogan-web.js (embedded in ogan), onnxruntime-web's
/// WebAssembly build (beside ogan.dll, from npm at build time), and the exported model, in one folder that any
/// static file server can serve. No server code, nothing fetched from elsewhere.
/// </summary>
internal static class WebPage
{
    private static readonly string[] PageFiles = ["index.html", "ogan-web.js"];
    private static readonly string[] RuntimeFiles = ["ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"];

    /// <summary>Writes the page and onnxruntime-web into <paramref name="folder"/>, beside an exported model there.</summary>
    public static void Write(string folder)
    {
        var runtime = Path.Combine(AppContext.BaseDirectory, "onnxruntime-web");
        if (RuntimeFiles.FirstOrDefault(f => !File.Exists(Path.Combine(runtime, f))) is { } missing)
        {
            throw new UserError($"{Path.Combine(runtime, missing)}: missing, so this build of ogan cannot write the web page; build it where npm is installed");
        }

        Directory.CreateDirectory(Path.Combine(folder, "onnxruntime-web"));
        foreach (var file in RuntimeFiles)
        {
            File.Copy(Path.Combine(runtime, file), Path.Combine(folder, "onnxruntime-web", file), overwrite: true);
        }

        foreach (var file in PageFiles)
        {
            using var resource = typeof(WebPage).Assembly.GetManifestResourceStream($"export-web/{file}")
                ?? throw new InvalidOperationException($"export-web/{file} is not embedded in ogan");
            using var output = File.Create(Path.Combine(folder, file));
            resource.CopyTo(output);
        }
    }
}
