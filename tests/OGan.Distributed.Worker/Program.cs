using OGan.Data;
using OGan.Distributed;
using OGan.Distributed.Worker;
using OGan.Training;

// One process of a multi-process test, started by mpirun. Every process trains the same small model on
// Fashion-MNIST and writes what the test compares:
//   worker gradients OUT   one iteration; OUT/gradients-rank{R}.safetensors holds the averaged gradient of every parameter
//   worker train N OUT     N iterations; OUT/weights-rank{R}.safetensors holds every parameter
//   worker gc-stress N     N iterations in one process while another thread forces collections and finalizers
//   worker stall           rank 0 all-reduces, rank 1 never does: rank 0's collective timeout must end the job
//   worker main-works S    rank 0 works alone for S seconds between two all-reduces while the others wait for it
//   worker losses N OUT    N iterations; rank 0 writes OUT/losses.json, every iteration's losses and the machine
if (args is ["stall"])
{
    // Rank 1 never reaches the all-reduce rank 0 waits in, as a process stuck or cut off would not.
    using var stalled = ProcessGroup.FromEnvironment();
    if (stalled.Rank == 1)
    {
        Thread.Sleep(Timeout.Infinite);
    }

    using var value = TorchSharp.torch.ones(1);
    stalled.AllReduce(value);
    return 0;
}

if (args is ["main-works", var seconds])
{
    // Rank 0 works alone for SECONDS (as it writes a checkpoint) between two all-reduces; the others wait for it.
    using var group0 = ProcessGroup.FromEnvironment();
    using var value = TorchSharp.torch.ones(1);
    group0.AllReduce(value);
    group0.RunOnMain("sleep as if writing", () => Thread.Sleep(TimeSpan.FromSeconds(double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture))));
    group0.AllReduce(value);
    Console.WriteLine($"process {group0.Rank} done: {value.item<float>()}");
    return 0;
}

if (args is ["losses", var iterations, var lossFolder])
{
    // The job's mean L_E, L_G, critic gap and rho of every iteration, as rank 0 logs them, with the machine they ran on.
    using var lossGroup = ProcessGroup.FromEnvironment();
    using var lossData = WorkerRun.Data();
    OGan.Engine.Runtime.KeepFreedNativeMemory();
    var settings = WorkerRun.Settings(long.Parse(iterations, System.Globalization.CultureInfo.InvariantCulture));
    using var lossTrainer = new Trainer(settings with { Training = settings.Training with { LogEvery = 1 } }, lossData, folder: null, lossGroup);
    var rows = new List<double[]>();
    lossTrainer.Run(new StepRecorder(p => rows.Add([p.EncoderLoss, p.GeneratorLoss, p.Delta, p.Rho])));
    if (lossGroup.IsMain)
    {
        File.WriteAllText(Path.Combine(lossFolder, "losses.json"), System.Text.Json.JsonSerializer.Serialize(new StoredLosses(WorkerRun.Machine(), rows)));
    }

    return 0;
}

if (args is ["gc-stress", var count])
{
    return GcStress.Run(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
}

if (args.Length != 2 && args.Length != 3)
{
    Console.Error.WriteLine("usage: worker gradients OUT | worker train STEPS OUT | worker gc-stress STEPS");
    return 2;
}

using var group = ProcessGroup.FromEnvironment();
var steps = args[0] == "train" ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
var output = args[^1];
using var data = WorkerRun.Data();
OGan.Engine.Runtime.KeepFreedNativeMemory(); // as the ogan command trains
using var trainer = new Trainer(WorkerRun.Settings(steps), data, folder: null, group);
if (args[0] == "gradients")
{
    trainer.TrainStep();
    WorkerRun.Write(Path.Combine(output, $"gradients-rank{group.Rank}.safetensors"), trainer.State, p => p.grad!);
}
else
{
    trainer.Run();
    WorkerRun.Write(Path.Combine(output, $"weights-rank{group.Rank}.safetensors"), trainer.State, p => p);
}

return 0;
