using System.CommandLine;
using Microsoft.Extensions.Logging;
using OGan.Export;
using OGan.Inference;
using OGan.Onnx;
using static TorchSharp.torch;

namespace OGan.Cli;

/// <summary>
/// ogan export: G and E as ONNX graphs with a model.json, for ONNX Runtime (the OGan.Onnx package, or any
/// other runtime) without libtorch; checked by ONNX Runtime against TorchSharp before it says done.
/// </summary>
internal static class ExportCommand
{
    // The parity bounds: images within 1e-5, codes within 1e-4 (codes are sums of thousands of products).
    private const double ImageTolerance = 1e-5, CodeTolerance = 1e-4;
    private const int CheckCount = 8;

    private static readonly Option<string> Output = new("--output", "-o") { Description = "Folder to write generator.onnx, encoder.onnx and model.json into", Required = true };
    private static readonly Option<bool> FoldBatchNorm = new("--fold-batchnorm")
    {
        Description = "Fold BatchNorm into the layers before it (faster in ONNX Runtime); false writes BatchNormalization nodes (docs/onnx.md measures both)",
        DefaultValueFactory = _ => true,
    };

    private static readonly Option<string?> Web = new("--web")
    {
        Description = "Also write a static web page into this folder that runs the model in the browser (onnxruntime-web): serve the folder over http, e.g. `python3 -m http.server`",
    };

    public static Command Create()
    {
        var command = new Command("export", "Export G and E to ONNX (generator.onnx, encoder.onnx, model.json) for ONNX Runtime, checked against TorchSharp")
        {
            ModelOptions.Checkpoint, Output, FoldBatchNorm, Web,
        };
        command.SetAction(parse => Guard.Run(parse, log => Run(parse, log)));
        return command;
    }

    private static int Run(ParseResult parse, ILogger log)
    {
        var checkpoint = ModelOptions.ResolveCheckpoint(parse.GetValue(ModelOptions.Checkpoint)!);
        var output = parse.GetValue(Output)!;
        if (File.Exists(output))
        {
            throw new UserError($"--output {output}: is a file; give a folder (it is made if missing)", Guard.Usage);
        }

        Engine.Runtime.SetThreads();

        var (imageError, codeError) = WriteChecked(checkpoint, output, parse.GetValue(FoldBatchNorm));

        if (parse.GetValue(Web) is { } web)
        {
            Directory.CreateDirectory(web);
            if (Path.TrimEndingDirectorySeparator(Path.GetFullPath(web)) != Path.TrimEndingDirectorySeparator(Path.GetFullPath(output)))
            {
                foreach (var file in new[] { ExportManifest.GeneratorFile, ExportManifest.EncoderFile, ExportManifest.FileName })
                {
                    File.Copy(Path.Combine(output, file), Path.Combine(web, file), overwrite: true);
                }
            }

            WebPage.Write(web);
            log.LogInformation("wrote the web page {Web}/index.html: serve {Web} over http (e.g. `cd {Web} && python3 -m http.server`) and open it", web, web, web);
        }

        log.LogInformation(
            "wrote {Output}/{Generator}, {Encoder} and {Manifest}; checked by ONNX Runtime against TorchSharp on {Count} latents and their images: images within {ImageError:G2}, codes within {CodeError:G2}",
            output, ExportManifest.GeneratorFile, ExportManifest.EncoderFile, ExportManifest.FileName, CheckCount, imageError, codeError);
        return 0;
    }

    /// <summary>
    /// Writes the graphs and manifest of <paramref name="checkpoint"/> into a staging folder beside <paramref name="output"/>,
    /// checks them there (<paramref name="check"/>: ONNX Runtime against TorchSharp by default), and only then moves them
    /// in: a failing write or check leaves <paramref name="output"/> as it was.
    /// </summary>
    /// <exception cref="UserError">The check found ONNX Runtime's results too far from TorchSharp's.</exception>
    internal static (double Images, double Codes) WriteChecked(string checkpoint, string output, bool foldBatchNorm, Func<string, string, (double Images, double Codes)>? check = null)
    {
        var staging = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output)) + $".partial-{Environment.ProcessId}";
        try
        {
            OnnxExport.Write(checkpoint, staging, foldBatchNorm);
            var (imageError, codeError) = (check ?? Check)(checkpoint, staging);
            if (!(imageError <= ImageTolerance && codeError <= CodeTolerance))
            {
                throw new UserError($"{output}: ONNX Runtime's results differ from TorchSharp's (images by {imageError:G3}, codes by {codeError:G3} of their largest; at most {ImageTolerance:G1} and {CodeTolerance:G1} expected), so nothing was written: please report this with the checkpoint");
            }

            Directory.CreateDirectory(output);
            foreach (var file in new[] { ExportManifest.GeneratorFile, ExportManifest.EncoderFile, ExportManifest.FileName })
            {
                File.Move(Path.Combine(staging, file), Path.Combine(output, file), overwrite: true); // model.json last: it names the set
            }

            return (imageError, codeError);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>The largest differences between ONNX Runtime and TorchSharp (fp32, CPU): G on seeded latents, and E's codes of those images.</summary>
    private static (double Images, double Codes) Check(string checkpoint, string folder)
    {
        using var model = OGanModel.Load(checkpoint, CPU, MixedPrecision.Precision.Fp32);
        using var onnx = OnnxModel.Load(folder);
        using var scope = NewDisposeScope();
        var latents = model.Latents(CheckCount, seed: 1);
        var images = model.Sample(latents);
        var codes = model.EncodeRaw(images);
        var onnxImages = onnx.Generate(latents.data<float>().ToArray());
        var (_, onnxCodes) = onnx.EncodeValues(images.data<float>().ToArray());
        // Codes have no fixed scale: their difference counts against the largest code.
        var codeScale = Math.Max(codes.abs().max().item<float>(), 1e-12);
        return (MaxDifference(images.data<float>().ToArray(), onnxImages), MaxDifference(codes.data<float>().ToArray(), onnxCodes) / codeScale);
    }

    private static double MaxDifference(float[] a, float[] b) =>
        a.Length != b.Length ? double.PositiveInfinity : a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();
}
