using OGan.Training;

namespace OGan.Distributed.Worker;

/// <summary>
/// Trains while another thread forces garbage collections and runs finalizers without pause: a Scalar that
/// nothing holds during a native call (see OGan.Engine.HeldScalars) is then finalized mid-call, and libtorch
/// aborts the process. A separate process, so that such an abort fails one test, not the test run.
/// </summary>
public static class GcStress
{
    public static int Run(int steps)
    {
        using var data = WorkerRun.Data();
        var settings = WorkerRun.Settings(steps) with { Training = WorkerRun.Settings(steps).Training with { Flip = true } };
        using var trainer = new Trainer(settings, data);
        using var stop = new CancellationTokenSource();
        var collections = 0;
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                _ = new byte[64 * 1024]; // garbage, so that each collection has work
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            }
        }) { IsBackground = true };
        collector.Start();
        for (var i = 0; i < steps; i++)
        {
            trainer.TrainStep();
        }

        stop.Cancel();
        collector.Join();
        Console.WriteLine($"trained {trainer.Step} steps during {collections} forced collections");
        return 0;
    }
}
