// Trains a small O-GAN on Fashion-MNIST from C#, with progress through IProgress<T>, and writes a checkpoint.
// dotnet run --project samples/Training -- [STEPS] [CHECKPOINT]       (Ctrl+C stops early and still saves)
using System.Globalization;
using OGan.Data;
using OGan.Models;
using OGan.Training;

var steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
var checkpoint = args.Length > 1 ? args[1] : "fashion-mnist.safetensors";

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

using var data = FashionMnist.Load(train: true);   // Debian's dataset-fashion-mnist: 60,000 images, 32x32 gray
var settings = new RunSettings(
    Model: new OGanConfig { ImageSize = 32, Channels = 1, Width = 64 },
    Training: new TrainingOptions { Steps = steps, BatchSize = 64, LogEvery = 50 },
    Data: "fashion-mnist");

// Optional, for a process that only trains: glibc allocator settings that keep a step's large tensors mapped
// (about twice the speed at 64 px on 2 cores); it changes malloc for the whole process, so OGan never does it itself.
OGan.Engine.Runtime.KeepFreedNativeMemory();
using var trainer = new Trainer(settings, data);
trainer.Run(new ConsoleProgress(), stop.Token);     // returns after the last step, or the current one on Ctrl+C
trainer.SaveCheckpoint(checkpoint);                 // atomic: the file is whole or absent
Console.WriteLine($"wrote {checkpoint} at step {trainer.Step}");

/// <summary>Any IProgress&lt;TrainingProgress&gt; observes a run: here, one line per log interval.</summary>
internal sealed class ConsoleProgress : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress p) =>
        Console.WriteLine($"step {p.Step}/{p.TotalSteps}  loss E {p.EncoderLoss:F3}  G {p.GeneratorLoss:F3}  rho {p.Rho:F3}  {p.ImagesPerSecond:F0} img/s");
}
