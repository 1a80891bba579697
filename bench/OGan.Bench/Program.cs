using System.Globalization;
using OGan.Bench;
using OGan.Tensors;

// ogan-bench layer-stack CHANNELS SIZE ITERATIONS
// ogan-bench train-speed SIZE WIDTH BATCH ITERATIONS alternating|single-pass [DEVICE]
// ogan-bench train-quality WIDTH BATCH ITERATIONS alternating|single-pass
// ogan-bench loader FOLDER SIZE REPEAT
var invariant = CultureInfo.InvariantCulture;
int Arg(int i) => int.Parse(args[i], invariant);
switch (args)
{
    case ["layer-stack", _, _, _]:
        var stack = LayerStack.SecondsPerIteration(Arg(1), Arg(2), Arg(3), warmup: 2);
        Console.WriteLine(string.Create(invariant, $"seconds_per_iteration {stack:F6} threads {Torch.NumThreads} libtorch {Torch.Version}"));
        return 0;
    case ["train-speed", _, _, _, _, var form, ..]:
        var step = TrainStep.Speed(Arg(1), Arg(2), Arg(3), Arg(4), form == "single-pass", args.Length > 6 ? args[6] : "cpu");
        Console.WriteLine(string.Create(invariant, $"seconds_per_iteration {step:F6} threads {Torch.NumThreads} libtorch {Torch.Version}"));
        return 0;
    case ["train-quality", _, _, _, var form]:
        TrainStep.Quality(Arg(1), Arg(2), Arg(3), form == "single-pass");
        return 0;
    case ["loader", var folder, _, _]:
        Loader.Run(folder, Arg(2), Arg(3));
        return 0;
    default:
        Console.Error.WriteLine("usage: ogan-bench layer-stack CHANNELS SIZE ITERATIONS | train-speed SIZE WIDTH BATCH ITERATIONS FORM | train-quality WIDTH BATCH ITERATIONS FORM | loader FOLDER SIZE REPEAT");
        return 2;
}
