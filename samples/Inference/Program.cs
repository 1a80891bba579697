// Uses a trained model from C#: sample, encode, reconstruct and interpolate (the README's example).
// dotnet run --project samples/Inference -- runs/00000-fashion-mnist-32/checkpoint-002000.safetensors a.png b.png
using OGan.Imaging;
using OGan.Inference;
using static TorchSharp.torch;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Inference CHECKPOINT IMAGE [IMAGE ...]");
    return 2;
}

using var model = OGanModel.Load(args[0]);             // a checkpoint written by `ogan train`
using var scope = NewDisposeScope();                    // frees every tensor made below at its end
var (size, channels) = (model.Config.ImageSize, model.Config.Channels);

var samples = model.Sample(count: 16, seed: 7);         // G(z): (16, C, S, S) in [-1, 1]
ImageGrid.Save("samples.png", samples, columns: 4);

var photos = args[1..].Select(path => Preprocess.Load(path, channels, size)).ToList(); // uint8 (C, S, S)
var images = Pixels.ToModel(stack(photos));             // (N, C, S, S) in [-1, 1]
var codes = model.Encode(images);                       // N(E(x)): (N, z_dim)
var reconstructions = model.Reconstruct(images, scale: 0.9); // G(0.9 N(E(x)))
ImageGrid.Save("reconstructions.png", ImageGrid.Interleave(images, reconstructions), columns: 8);

var frames = model.Interpolate(images[..1], images[^1..], steps: 8, slerp: true);
ImageGrid.Save("interpolation.png", frames, columns: 8);
byte[] pixels = OGanModel.ToPixels(frames);             // (N, S, S, C) 8-bit, for any other library
Console.WriteLine($"{codes.shape[0]} codes of {codes.shape[1]}; {pixels.Length} bytes of frames; wrote samples.png, reconstructions.png, interpolation.png");
return 0;
