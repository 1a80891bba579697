using System.Globalization;
using OGan.Bench;
using OGan.Engine;
using OGan.MixedPrecision;

// ogan-bench train-speed SIZE WIDTH BATCH ITERATIONS alternating|single-pass [CHANNELS [DEVICE [fp32|bf16 [channels-last]]]]
// ogan-bench phases SIZE WIDTH BATCH ITERATIONS CHANNELS fp32|bf16 [channels-last]
// ogan-bench data-parallel SIZE WIDTH BATCH ITERATIONS fp32|bf16|auto   (under mpirun: the whole job)
// ogan-bench allreduce VALUES REPEATS   (under mpirun: one all-reduce of VALUES floats)
// ogan-bench nccl-check VALUES   (CUDA: an NCCL communicator of the job's processes all-reduces correctly)
// ogan-bench train-quality WIDTH BATCH ITERATIONS alternating|single-pass
// ogan-bench loader FOLDER SIZE REPEAT
// ogan-bench serve-load URL CLIENTS SECONDS SERVER_PID IMAGE
// ogan-bench onnx CHECKPOINT REPEATS   (inference: TorchSharp against ONNX Runtime on the exported graphs)
// ogan-bench thin-convolutions BATCH ROUNDS   (which fp32 convolutions thin on both sides oneDNN gets wrong here, and what padding them costs)
var invariant = CultureInfo.InvariantCulture;
int Arg(int i) => int.Parse(args[i], invariant);
var threads = Runtime.SetThreads();
Runtime.KeepFreedNativeMemory(); // as the ogan command trains
switch (args)
{
    case ["train-speed", _, _, _, _, var form, ..]:
        var channels = args.Length > 6 ? Arg(6) : 1;
        var precision = args.Length > 8 ? Enum.Parse<Precision>(args[8], ignoreCase: true) : Precision.Fp32;
        var step = TrainStep.Speed(Arg(1), Arg(2), Arg(3), Arg(4), form == "single-pass", channels, args.Length > 7 ? args[7] : "cpu", precision, args.Contains("channels-last"));
        Console.WriteLine(string.Create(invariant, $"seconds_per_iteration {step:F6} threads {threads} libtorch {Runtime.LibTorchVersion} torchsharp {Runtime.TorchSharpVersion}"));
        return 0;
    case ["phases", _, _, _, _, _, var phasesPrecision, ..]:
        Phases.Run(Arg(1), Arg(2), Arg(3), Arg(4), Arg(5), Enum.Parse<Precision>(phasesPrecision, ignoreCase: true), args.Contains("channels-last"));
        return 0;
    case ["data-parallel", _, _, _, _, var parallelPrecision]:
        DataParallelSpeed.Run(Arg(1), Arg(2), Arg(3), Arg(4), Enum.Parse<Precision>(parallelPrecision, ignoreCase: true));
        return 0;
    case ["nccl-check", _]:
        return NcclCheck.Run(Arg(1));
    case ["allreduce", _, _]:
        DataParallelSpeed.AllReduceOnly(long.Parse(args[1], invariant), Arg(2));
        return 0;
    case ["train-quality", _, _, _, var form]:
        TrainStep.Quality(Arg(1), Arg(2), Arg(3), form == "single-pass");
        return 0;
    case ["loader", var folder, _, _]:
        Loader.Run(folder, Arg(2), Arg(3));
        return 0;
    case ["serve-load", var url, _, _, _, var image]:
        await ServeLoad.Run(url, Arg(2), Arg(3), Arg(4), image);
        return 0;
    case ["thin-convolutions", _, _]:
        ThinConvolutions.Run(Arg(1), Arg(2));
        return 0;
    case ["onnx", var checkpoint, _]:
        OnnxSpeed.Run(checkpoint, Arg(2), threads);
        return 0;
    default:
        Console.Error.WriteLine("usage: ogan-bench train-speed SIZE WIDTH BATCH ITERATIONS FORM [CHANNELS [DEVICE [PRECISION [channels-last]]]] | phases SIZE WIDTH BATCH ITERATIONS CHANNELS PRECISION [channels-last] | data-parallel SIZE WIDTH BATCH ITERATIONS PRECISION | allreduce VALUES REPEATS | nccl-check VALUES | train-quality WIDTH BATCH ITERATIONS FORM | loader FOLDER SIZE REPEAT | serve-load URL CLIENTS SECONDS SERVER_PID IMAGE | onnx CHECKPOINT REPEATS | thin-convolutions BATCH ROUNDS");
        return 2;
}
