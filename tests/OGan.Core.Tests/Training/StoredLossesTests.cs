using System.Diagnostics;
using System.Text.Json;
using OGan.Core.Tests.Distributed;
using OGan.Distributed.Worker;

namespace OGan.Core.Tests.Training;

/// <summary>
/// The losses of 20 fp32 iterations on one process and on two, against the ones stored in this folder: a change
/// that means to leave training as it is (a refactoring) must leave them equal to every digit. They are stored with
/// the machine that ran them (CPU, threads, OGan's oneDNN probe): elsewhere the last digits differ, so there the
/// test compares within 0.02 and says so. OGAN_RECORD_LOSSES=1 records them anew (after a change meant to alter training).
/// </summary>
public sealed class StoredLossesTests
{
    private const int Iterations = 20;

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    public void Twenty_fp32_iterations_give_the_stored_losses(int processes)
    {
        var folder = Fixtures.TemporaryFolder();
        if (processes == 1)
        {
            RunWorkerAlone(folder);
        }
        else
        {
            Mpirun.SkipUnlessInstalled();
            var job = Mpirun.Run(processes, folder, Mpirun.WorkerDll, "losses", $"{Iterations}", folder);
            Assert.True(job.ExitCode == 0, job.Output + job.Error);
        }

        var measured = Read(Path.Combine(folder, "losses.json"));
        Assert.Equal(Iterations, measured.Losses.Count);
        var storedPath = Path.Combine(Fixtures.RepositoryRoot, "tests", "OGan.Core.Tests", "Training", $"stored-losses-{processes}.json");
        if (Environment.GetEnvironmentVariable("OGAN_RECORD_LOSSES") == "1")
        {
            File.Copy(Path.Combine(folder, "losses.json"), storedPath, overwrite: true);
            Console.WriteLine($"recorded {storedPath} on {measured.Machine}");
            return;
        }

        Assert.True(File.Exists(storedPath), $"{storedPath} is missing: record it with OGAN_RECORD_LOSSES=1 ./test.sh --filter StoredLosses");
        var stored = Read(storedPath);
        var sameMachine = stored.Machine == measured.Machine;
        if (!sameMachine)
        {
            Console.WriteLine($"{processes} process(es): losses recorded on «{stored.Machine}», this is «{measured.Machine}»: compared within 0.02, not to every digit");
        }

        string[] terms = ["L_E", "L_G", "critic gap", "rho"];
        for (var step = 0; step < Iterations; step++)
        {
            for (var term = 0; term < terms.Length; term++)
            {
                var (expected, actual) = (stored.Losses[step][term], measured.Losses[step][term]);
                var message = $"{processes} process(es), iteration {step + 1}, {terms[term]}: stored {expected:R}, now {actual:R}";
                Assert.True(sameMachine ? expected.Equals(actual) : Math.Abs(expected - actual) <= 0.02, message);
            }
        }
    }

    private static StoredLosses Read(string path) =>
        JsonSerializer.Deserialize<StoredLosses>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path}: no losses");

    // The worker without mpirun: one process (ProcessGroup.Single), in a process of its own as the two are.
    private static void RunWorkerAlone(string folder)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Mpirun.WorkerDll, "losses", $"{Iterations}", folder })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(4)), "the worker ran over 4 minutes");
        Assert.True(process.ExitCode == 0, output.Result + error.Result);
    }
}
