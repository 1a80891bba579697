// Uses a model exported by `ogan export` from C#, with ONNX Runtime alone: sample, encode, reconstruct, interpolate.
// ogan export -c runs/00000-fashion-mnist-32 -o exported
// dotnet run --project samples/OnnxInference -- exported a.png b.png
using OGan.Onnx;
using SixLabors.ImageSharp;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: OnnxInference EXPORT_FOLDER IMAGE [IMAGE ...]");
    return 2;
}

using var model = OnnxModel.Load(args[0]);              // generator.onnx, encoder.onnx and model.json
Directory.CreateDirectory("onnx-out");

var samples = model.Sample(count: 8, seed: 7);          // G(z): ImageSharp images, model.ImageSize square
for (var i = 0; i < samples.Length; i++)
{
    samples[i].SaveAsPng($"onnx-out/sample-{i}.png");
}

var photos = args[1..].Select(path => Image.Load(path)).ToArray(); // any size: centre-cropped and resized
float[][] latents = model.Encode(photos);               // N(E(x)) per photo
var reconstructions = model.Reconstruct(photos, model.RecommendedReconstructionScale); // G(0.9 N(E(x)))
for (var i = 0; i < reconstructions.Length; i++)
{
    reconstructions[i].SaveAsPng($"onnx-out/reconstruction-{i}.png");
}

var frames = model.Interpolate(photos[0], photos[^1], steps: 8);
for (var i = 0; i < frames.Length; i++)
{
    frames[i].SaveAsPng($"onnx-out/frame-{i}.png");
}

Console.WriteLine($"{latents.Length} codes of {model.LatentDim}; wrote {samples.Length} samples, {reconstructions.Length} reconstructions and {frames.Length} frames to onnx-out/ (model of step {model.Step})");
return 0;
