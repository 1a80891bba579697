// Uses a trained checkpoint from C#: sample, encode, reconstruct and interpolate, on Fashion-MNIST test
// images or on image files given after the checkpoint.
// dotnet run --project samples/Inference -- runs/00000-fashion-mnist-32 [image.png ...]
using OGan.Data;
using OGan.Imaging;
using OGan.Inference;
using OGan.Training;
using TorchSharp;
using static TorchSharp.torch;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Inference CHECKPOINT_OR_RUN_FOLDER [IMAGE ...]");
    return 2;
}

var checkpoint = Directory.Exists(args[0]) ? RunFolder.LatestCheckpoint(args[0]) ?? args[0] : args[0];
using var model = OGanModel.Load(checkpoint);
using var scope = NewDisposeScope(); // frees every tensor made below
var (size, channels) = (model.Config.ImageSize, model.Config.Channels);

ImageGrid.Save("sample-grid.png", model.Sample(count: 16, seed: 7), columns: 4);

// Real images: files decoded by ImageSharp, cropped and resized; else Fashion-MNIST test images.
Tensor real;
if (args.Length > 1)
{
    var pixels = args[1..].Select(path => Preprocess.Load(path, channels, size)).ToList();
    real = Pixels.ToModel(stack(pixels)).to(model.Device);
}
else
{
    using var test = FashionMnist.Load(train: false, limit: 8);
    real = test.First(8, model.Device);
}

var codes = model.Encode(real); // N(E(x)): (N, ZDim)
Console.WriteLine($"encoded {real} to {codes}");

var reconstruction = model.Reconstruct(real, scale: 0.9);
ImageGrid.Save("reconstruction.png", ImageGrid.Interleave(real, reconstruction), columns: 8);

var frames = model.Interpolate(real[..1], real[^1..], steps: 8);
ImageGrid.Save("interpolation.png", frames, columns: 8);

Console.WriteLine("wrote sample-grid.png, reconstruction.png (original, reconstruction pairs), interpolation.png");
return 0;
