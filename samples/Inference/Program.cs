// Uses a trained checkpoint from C#: sample, encode, reconstruct and interpolate.
// dotnet run --project samples/Inference -- runs/00000-fashion-mnist-32/checkpoint-002000.safetensors
using OGan.Data;
using OGan.Imaging;
using OGan.Inference;
using OGan.Tensors;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Inference CHECKPOINT");
    return 2;
}

using var model = OGanModel.Load(args[0]);
using var scope = DisposeScope.Enter();

ImageGrid.Save("sample-grid.png", model.Sample(count: 16, seed: 7), columns: 4);

using var test = FashionMnist.Load(train: false, limit: 8);
var real = test.First(8, model.Device);
var codes = model.Encode(real); // N(E(x)): (8, ZDim)
Console.WriteLine($"encoded {real} to {codes}");

var reconstruction = model.Reconstruct(real, scale: 0.9);
ImageGrid.Save("reconstruction.png", Torch.Cat([real, reconstruction]), columns: 8);

var frames = model.Interpolate(real.Slice(0, 0, 1), real.Slice(0, 1, 2), steps: 8);
ImageGrid.Save("interpolation.png", frames, columns: 8);

Console.WriteLine("wrote sample-grid.png, reconstruction.png, interpolation.png");
return 0;
