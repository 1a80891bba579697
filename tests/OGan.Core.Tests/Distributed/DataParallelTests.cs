using OGan.Checkpoints;
using OGan.Core.Tests.Cli;
using OGan.Data;
using OGan.Distributed;
using OGan.Distributed.Worker;
using OGan.Training;

namespace OGan.Core.Tests.Distributed;

/// <summary>Data-parallel training as real mpirun processes (Open MPI, shared memory, one thread each), checked against one process.</summary>
public sealed partial class DataParallelTests
{
    // The options of the short multi-process runs that resume.
    private static readonly string[] ShortRun = ["--width", "32", "--batch", "8", "--precision", "fp32", "--sample-every", "0", "--snapshot-every", "0", "--calibration-images", "64", "--log-every", "5"];

    [SkippableFact]
    public void Averaged_gradients_equal_the_mean_of_each_shard_computed_in_one_process()
    {
        Mpirun.SkipUnlessInstalled();
        var folder = Fixtures.TemporaryFolder();
        var job = Mpirun.Run(2, folder, Mpirun.WorkerDll, "gradients", folder);
        Assert.True(job.ExitCode == 0, job.Output + job.Error);
        var (rank0, _) = SafeTensors.Load(Path.Combine(folder, "gradients-rank0.safetensors"));
        var (rank1, _) = SafeTensors.Load(Path.Combine(folder, "gradients-rank1.safetensors"));
        Assert.All(rank0, pair => Assert.True(pair.Value.Equals(rank1[pair.Key]), $"{pair.Key} differs between ranks"));

        // One process: each rank's share with that rank's latents, through the same Trainer; the replayed
        // all-reduce records the local gradients and hands back the job's average, so both shares go on alike.
        using var scope = NewDisposeScope();
        var encoder = Flat(rank0, "encoder.");
        var generator = Flat(rank0, "generator.");
        using var data = FashionMnist.Load(train: true, limit: WorkerRun.Images);
        var local = new List<Tensor[]>();
        var threads = get_num_threads();
        set_num_threads(1); // as each process of the job: the same order of summation
        try
        {
            for (var rank = 0; rank < 2; rank++)
            {
                var replay = new ReplayGroup(rank, 2, [encoder, generator]);
                using var trainer = new Trainer(WorkerRun.Settings(1), data, folder: null, replay);
                trainer.TrainStep();
                local.Add([.. replay.Local]);
            }
        }
        finally
        {
            set_num_threads(threads);
        }

        Assert.True((local[0][0] - local[1][0]).abs().max().item<float>() > 1e-4, "the two shares gave the same gradient: the shards are not different batches");
        AssertClose(encoder, (local[0][0] + local[1][0]) / 2, "E");
        AssertClose(generator, (local[0][1] + local[1][1]) / 2, "G");
    }

    [SkippableFact]
    public void After_twenty_iterations_both_ranks_hold_bitwise_the_same_weights()
    {
        Mpirun.SkipUnlessInstalled();
        var folder = Fixtures.TemporaryFolder();
        var job = Mpirun.Run(2, folder, Mpirun.WorkerDll, "train", "20", folder);
        Assert.True(job.ExitCode == 0, job.Output + job.Error);
        var (rank0, _) = SafeTensors.Load(Path.Combine(folder, "weights-rank0.safetensors"));
        var (rank1, _) = SafeTensors.Load(Path.Combine(folder, "weights-rank1.safetensors"));
        Assert.Equal(rank0.Keys.Order(), rank1.Keys.Order());
        Assert.All(rank0, pair => Assert.True(pair.Value.Equals(rank1[pair.Key]), $"{pair.Key} differs between ranks after 20 iterations"));

        using var data = FashionMnist.Load(train: true, limit: WorkerRun.Images);
        using var untrained = new Trainer(WorkerRun.Settings(20), data);
        var first = untrained.State.Generator.named_parameters().First();
        Assert.False(first.parameter.Equals(rank0["generator." + first.name]), "the weights did not change in 20 iterations");
    }

    [SkippableFact]
    public void A_run_of_two_processes_resumes_in_one_and_back_in_two()
    {
        Mpirun.SkipUnlessInstalled();
        var folder = Fixtures.TemporaryFolder();
        string[] common = ShortRun;
        var two = Mpirun.Run(2, folder, Mpirun.OganDll, ["train", "--steps", "10", "--out", "runs", .. common]);
        Assert.True(two.ExitCode == 0, two.Output + two.Error);
        var run = Directory.GetDirectories(Path.Combine(folder, "runs")).Single();
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "stats.jsonl")).Length); // rank 0 alone logs

        var one = Ogan.Run(folder, ["train", "--resume", run, "--steps", "20", .. common]);
        Assert.True(one.ExitCode == 0, one.Error);
        var again = Mpirun.Run(2, folder, Mpirun.OganDll, ["train", "--resume", run, "--steps", "30", .. common]);
        Assert.True(again.ExitCode == 0, again.Output + again.Error);

        foreach (var step in new[] { 10, 20, 30 })
        {
            using var checkpoint = Checkpoint.Read(Path.Combine(run, $"checkpoint-{step:D6}.safetensors"));
            Assert.Equal(step, checkpoint.Step);
        }

        Assert.Equal(6, File.ReadAllLines(Path.Combine(run, "stats.jsonl")).Length);
    }

    [SkippableFact]
    public void A_checkpoint_of_two_processes_holds_the_statistics_that_calibrating_its_weights_in_one_gives()
    {
        Mpirun.SkipUnlessInstalled();
        var folder = Fixtures.TemporaryFolder();

        // A grid falls on the checkpoint's step, as with the defaults: it calibrates E before the checkpoint does.
        var job = Mpirun.Run(2, folder, Mpirun.OganDll, "train", "--width", "32", "--batch", "8", "--steps", "10", "--sample-every", "10",
            "--snapshot-every", "10", "--calibration-images", "64", "--precision", "fp32", "--out", "runs");
        Assert.True(job.ExitCode == 0, job.Output + job.Error);
        var checkpoint = Path.Combine(Directory.GetDirectories(Path.Combine(folder, "runs")).Single(), "checkpoint-000010.safetensors");

        using var data = DataSets.Open("fashion-mnist", 32, 1, cache: Path.Combine(folder, "cache"));
        using var saved = Trainer.Resume(checkpoint, data, folder: null);
        using var calibrated = Trainer.Resume(checkpoint, data, folder: null);
        calibrated.CalibrateEncoder();
        var expected = calibrated.State.Encoder.state_dict();
        var statistics = saved.State.Encoder.state_dict().Where(pair => pair.Key.Contains("running_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(statistics);
        foreach (var (name, actual) in statistics)
        {
            var difference = (actual - expected[name]).abs().max().ToDouble();
            Assert.True(difference < 1e-6, $"E's {name} in the checkpoint is {difference:G3} away from a calibration of its weights");
        }
    }

    [SkippableTheory]
    [InlineData("settings", new[] { "--seed", "1" }, new[] { "--seed", "2" })]
    [InlineData("data", new[] { "-d", "photos-a" }, new[] { "-d", "photos-b" })]
    public void Processes_given_other_settings_or_data_refuse_in_one_line_and_the_job_ends(string what, string[] rank0, string[] rank1)
    {
        Mpirun.SkipUnlessInstalled();
        var folder = Fixtures.TemporaryFolder();
        var photos = Fixtures.SharedPhotos("afhq").Take(9).ToArray();
        foreach (var (name, count) in new[] { ("photos-a", 8), ("photos-b", 8) })
        {
            var target = Directory.CreateDirectory(Path.Combine(folder, name)).FullName;
            foreach (var photo in photos.Skip(name == "photos-b" ? 1 : 0).Take(count))
            {
                File.Copy(photo, Path.Combine(target, Path.GetFileName(photo)));
            }
        }

        string[] common = ["train", "--res", "32", "--width", "32", "--batch", "4", "--steps", "2", "--sample-every", "0", "--calibration-images", "8", "--out", "runs"];
        var data = what == "data" ? [] : new[] { "-d", "photos-a" };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Each rank picks its own arguments (Open MPI 5's mpirun crashes on the "A : B" form).
        static string Quoted(IEnumerable<string> words) => string.Join(' ', words.Select(w => $"'{w}'"));
        var script = $"if [ \"$OMPI_COMM_WORLD_RANK\" = 0 ]; then exec dotnet {Quoted([Mpirun.OganDll, .. common, .. data, .. rank0])}; " +
            $"else exec dotnet {Quoted([Mpirun.OganDll, .. common, .. data, .. rank1])}; fi";
        var job = Mpirun.RunCommand(2, folder, ["bash", "-c", script]);
        var all = $"exit {job.ExitCode}:\n{job.Output}{job.Error}";
        Assert.True(job.ExitCode != 0, all);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"the job took {clock.Elapsed.TotalSeconds:F0} s to end");
        var errors = (job.Output + job.Error).Split('\n').Where(line => line.Contains("ogan: error", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 1 && errors[0].Contains($"1 of 2 have other {what} than rank 0", StringComparison.Ordinal), all);
    }

    [SkippableFact]
    public void A_two_process_run_stopped_and_resumed_logs_the_same_losses_as_one_never_stopped()
    {
        Mpirun.SkipUnlessInstalled();
        var folder = Fixtures.TemporaryFolder();
        string[] common = ShortRun;
        var straight = Mpirun.Run(2, folder, Mpirun.OganDll, ["train", "--steps", "20", "--out", "straight", .. common]);
        Assert.True(straight.ExitCode == 0, straight.Output + straight.Error);
        var first = Mpirun.Run(2, folder, Mpirun.OganDll, ["train", "--steps", "10", "--out", "stopped", .. common]);
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        var run = Directory.GetDirectories(Path.Combine(folder, "stopped")).Single();
        var resumed = Mpirun.Run(2, folder, Mpirun.OganDll, ["train", "--resume", run, "--steps", "20", .. common]);
        Assert.True(resumed.ExitCode == 0, resumed.Output + resumed.Error);

        static string[] Losses(string stats) => [.. File.ReadAllLines(stats).Select(line =>
        {
            var entry = System.Text.Json.JsonDocument.Parse(line).RootElement;
            return $"{entry.GetProperty("step")} {entry.GetProperty("loss_e")} {entry.GetProperty("loss_g")} {entry.GetProperty("rho")}";
        })];
        var expected = Losses(Path.Combine(Directory.GetDirectories(Path.Combine(folder, "straight")).Single(), "stats.jsonl"));
        Assert.Equal(4, expected.Length);
        Assert.Equal(expected, Losses(Path.Combine(run, "stats.jsonl")));
    }

    [SkippableFact]
    public void Under_the_repositorys_mpirun_each_rank_reports_its_threads_and_together_they_use_every_core()
    {
        Mpirun.SkipUnlessInstalled();
        var folder = Fixtures.TemporaryFolder();
        var start = new System.Diagnostics.ProcessStartInfo("bash") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(Fixtures.RepositoryRoot, "scripts", "mpirun.sh"), "-np", "2", "dotnet", Mpirun.OganDll, "train",
            "--width", "16", "--batch", "8", "--steps", "1", "--sample-every", "0", "--out", "runs" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("OGAN_NUM_THREADS"); // the default, as a user gets it
        start.Environment["OGAN_CACHE"] = Path.Combine(folder, "cache");
        using var job = System.Diagnostics.Process.Start(start)!;
        var output = job.StandardOutput.ReadToEndAsync();
        var error = job.StandardError.ReadToEnd();
        Assert.True(job.WaitForExit(TimeSpan.FromMinutes(4)), "the job ran over 4 minutes");
        Assert.True(job.ExitCode == 0, output.Result + error);
        var line = Assert.Single((output.Result + error).Split('\n'), l => l.Contains("threads of each rank", StringComparison.Ordinal));
        var threads = System.Text.RegularExpressions.Regex.Matches(line, @"(\d+) on \d+ cores").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2, threads.Length);
        Assert.All(threads, count => Assert.True(count >= 1, line));
        var cores = Environment.ProcessorCount;
        Assert.InRange(threads.Sum(), Math.Max(2, cores - 1), Math.Max(2, cores)); // every core (an odd one may stay over)
    }

    [SkippableFact]
    public void Every_process_stops_at_the_same_step_at_the_time_limit_and_one_checkpoint_is_written()
    {
        Mpirun.SkipUnlessInstalled();
        var folder = Fixtures.TemporaryFolder();
        var job = Mpirun.Run(2, folder, Mpirun.OganDll, "train", "--width", "32", "--batch", "8", "--steps", "1000000", "--time-limit", "4s",
            "--sample-every", "0", "--snapshot-every", "0", "--calibration-images", "64", "--out", "runs");
        Assert.True(job.ExitCode == 0, job.Output + job.Error);
        var run = Directory.GetDirectories(Path.Combine(folder, "runs")).Single();
        var checkpoint = Assert.Single(Directory.GetFiles(run, "checkpoint-*.safetensors"));
        using var contents = Checkpoint.Read(checkpoint);
        Assert.True(contents.Step > 0, "no iteration ran before the time limit");
        Assert.Contains($"time limit 4s reached at step {contents.Step}", job.Output + job.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void SIGUSR1_to_mpirun_stops_every_process_at_one_step_and_saves_once()
    {
        Mpirun.SkipUnlessInstalled();
        var folder = Fixtures.TemporaryFolder();
        using var job = Mpirun.Start(2, folder, Mpirun.OganDll, "train", "--width", "32", "--batch", "8", "--steps", "1000000", "--log-every", "10",
            "--sample-every", "0", "--snapshot-every", "0", "--calibration-images", "64", "--out", "runs");
        try
        {
            var output = job.StandardOutput.ReadToEndAsync();
            var error = job.StandardError.ReadToEndAsync();
            var stats = Path.Combine(folder, "runs", "00000-fashion-mnist-32", "stats.jsonl");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while ((!File.Exists(stats) || new FileInfo(stats).Length == 0) && !job.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                Thread.Sleep(100);
            }

            if (job.HasExited)
            {
                Assert.Fail("the job ended before it was stopped: " + output.Result + error.Result);
            }

            Assert.True(File.Exists(stats), $"no progress within {clock.Elapsed.TotalSeconds:F0} s");
            Assert.Equal(0, Signals.Send(job.Id, Signals.User1)); // mpirun forwards it; a SIGTERM to mpirun kills the processes 0.5 s later
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            Assert.True(job.WaitForExit(TimeSpan.FromMinutes(1)), "the job did not end within a minute of SIGUSR1");
            var checkpoint = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(stats)!, "checkpoint-*.safetensors"));
            using var contents = Checkpoint.Read(checkpoint);
            Assert.True(contents.Step >= 10, $"stopped at step {contents.Step}, before the first log line");
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(30), $"stopping took {stopping.Elapsed.TotalSeconds:F0} s");
        }
        finally
        {
            if (!job.HasExited)
            {
                job.Kill(entireProcessTree: true);
            }
        }
    }

    [SkippableFact]
    public void A_batch_that_does_not_divide_among_the_processes_is_refused_in_one_line()
    {
        Mpirun.SkipUnlessInstalled();
        var folder = Fixtures.TemporaryFolder();
        var job = Mpirun.Run(2, folder, Mpirun.OganDll, "train", "--batch", "9", "--steps", "1", "--out", "runs");
        Assert.NotEqual(0, job.ExitCode);
        var errors = (job.Output + job.Error).Split('\n').Where(line => line.Contains("ogan: error", StringComparison.Ordinal)).ToArray();
        var error = Assert.Single(errors);
        Assert.Contains("--batch 9", error, StringComparison.Ordinal);
        Assert.Contains("multiple of 2", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(folder, "runs")), "a run folder was made for a refused run");
    }

    [SkippableFact]
    public void Two_processes_prepare_a_folder_of_photos_at_once_and_train_on_it()
    {
        Mpirun.SkipUnlessInstalled();
        var folder = Fixtures.TemporaryFolder();
        var photos = Directory.CreateDirectory(Path.Combine(folder, "photos")).FullName;
        foreach (var photo in Fixtures.SharedPhotos("afhq").Take(8))
        {
            File.Copy(photo, Path.Combine(photos, Path.GetFileName(photo)));
        }

        var job = Mpirun.Run(2, folder, Mpirun.OganDll, "train", "-d", photos, "--res", "32", "--width", "32", "--batch", "4", "--steps", "2",
            "--sample-every", "0", "--calibration-images", "8", "--out", "runs");
        Assert.True(job.ExitCode == 0, job.Output + job.Error);
        Assert.Single(Directory.GetFiles(Path.Combine(folder, "cache"), "*.ogan-data", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Path.Combine(folder, "cache"), "*.tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void The_trainer_refuses_a_batch_that_does_not_divide_among_the_processes()
    {
        using var data = FashionMnist.Load(train: true, limit: WorkerRun.Images);
        var settings = WorkerRun.Settings(1) with { Training = WorkerRun.Settings(1).Training with { BatchSize = 9 } };
        var error = Assert.Throws<ArgumentException>(() => new Trainer(settings, data, null, new ReplayGroup(0, 2, [])));
        Assert.Contains("multiple of 2", error.Message, StringComparison.Ordinal);
    }

    private static partial class Signals
    {
        public const int User1 = 10;

        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
        public static partial int Send(int pid, int signal);
    }

    private static Tensor Flat(Dictionary<string, Tensor> tensors, string prefix) =>
        cat(tensors.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(t => Order(t.Key)).Select(t => t.Value.flatten()).ToArray());

    // The parameters' order in their module (named_parameters), which the fused gradient buffer follows.
    private static int Order(string key)
    {
        var settings = WorkerRun.Settings(1);
        using var generator = new OGan.Models.Generator(settings.Model);
        using var encoder = new OGan.Models.Encoder(settings.Model);
        var names = generator.named_parameters().Select(p => "generator." + p.name).Concat(encoder.named_parameters().Select(p => "encoder." + p.name)).ToList();
        return names.IndexOf(key);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string network)
    {
        var worst = (expected - actual).abs().max().item<float>();
        Assert.True(worst <= 1e-6, $"{network}'s averaged gradient differs from the mean of the shares' by {worst:G3} (limit 1e-6)");
    }

    /// <summary>
    /// Stands in for the processes of the MPI job in one process: each gradient all-reduce records this share's
    /// gradient and returns the job's average (times the size, as a sum), so this share steps as the job did.
    /// </summary>
    private sealed class ReplayGroup(int rank, int size, Tensor[] averages) : ProcessGroup
    {
        private int next;

        public List<Tensor> Local { get; } = [];

        public override int Rank => rank;

        public override int Size => size;

        public override string Backend => "replay";

        public override void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum)
        {
            if (operation == ReduceOperation.Sum && tensor.dtype == ScalarType.Float32 && tensor.numel() > 1)
            {
                Local.Add(tensor.clone().DetachFromDisposeScope());
                tensor.copy_(averages[next++] * size);
            }
        }

        public override void Broadcast(Tensor tensor, int root = 0)
        {
        }

        public override void Barrier()
        {
        }

        public override void Abort(int exitCode) => throw new InvalidOperationException($"aborted with {exitCode}");
    }
}
