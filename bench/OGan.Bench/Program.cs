using System.Globalization;
using OGan.Bench;
using OGan.Tensors;

// ogan-bench layer-stack CHANNELS SIZE ITERATIONS: prints "seconds_per_iteration <value>".
var invariant = CultureInfo.InvariantCulture;
if (args.Length == 4 && args[0] == "layer-stack")
{
    var seconds = LayerStack.SecondsPerIteration(int.Parse(args[1], invariant), int.Parse(args[2], invariant), int.Parse(args[3], invariant), warmup: 2);
    Console.WriteLine(string.Create(invariant, $"seconds_per_iteration {seconds:F6} threads {Torch.NumThreads} libtorch {Torch.Version}"));
    return 0;
}

Console.Error.WriteLine("usage: ogan-bench layer-stack CHANNELS SIZE ITERATIONS");
return 2;
