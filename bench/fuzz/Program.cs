using System.Diagnostics;
using System.Globalization;
using OGan.Fuzz;

// ogan-fuzz: damaged and crafted inputs for every format OGan reads (bench/fuzz/README.md).
//   ogan-fuzz --short            30 inputs per format (CI)
//   ogan-fuzz --long             10,000 inputs per format
//   ogan-fuzz --count N --seed S --only TEXT
// Each format runs in a child process, so that a crash (a signal) or a hang is seen and the run goes on.
var options = Options.Parse(args);
if (options.Child is { } child)
{
    return Child.Run(child, options);
}

if (options.Replay is { } replay)
{
    // One input again, in this process, with the whole exception: ogan-fuzz --only NAME --seed S --replay N
    var index = Enumerable.Range(0, Target.All.Count).First(i => options.Only is null || Target.All[i].Name.Contains(options.Only, StringComparison.OrdinalIgnoreCase));
    return Child.Run(index, options with { Child = index, From = replay, Count = replay + 1, Work = Directory.CreateTempSubdirectory("ogan-fuzz-").FullName });
}

var work = Directory.CreateTempSubdirectory("ogan-fuzz-").FullName;
var results = new List<(string Name, int Inputs, int Accepted, int Refused, List<string> Failures, string? Skipped)>();
var clock = Stopwatch.StartNew();
for (var index = 0; index < Target.All.Count; index++)
{
    if (options.Only is { } only && !Target.All[index].Name.Contains(only, StringComparison.OrdinalIgnoreCase))
    {
        continue;
    }

    results.Add(Parent.RunTarget(index, options, work));
}

Console.WriteLine();
Console.WriteLine($"| format | inputs | accepted | refused in one line | failures |");
Console.WriteLine($"| --- | --- | --- | --- | --- |");
foreach (var r in results)
{
    Console.WriteLine(r.Skipped is null
        ? $"| {r.Name} | {r.Inputs:N0} | {r.Accepted:N0} | {r.Refused:N0} | {r.Failures.Count} |"
        : $"| {r.Name} | skipped: {r.Skipped} | | | |");
}

var total = results.Sum(r => r.Failures.Count);
Console.WriteLine($"\n{results.Sum(r => r.Inputs):N0} inputs, seed {options.Seed}, {total} failures, {clock.Elapsed.TotalMinutes:F1} min");
foreach (var failure in results.SelectMany(r => r.Failures.Select(f => $"{r.Name}: {f}")).Take(50))
{
    Console.WriteLine("FAIL " + failure);
}

Directory.Delete(work, recursive: true);
return total == 0 ? 0 : 1;

internal sealed record Options(int Count, int Seed, string? Only, int? Child, int From, string? Work, int? Replay)
{
    public static Options Parse(string[] args)
    {
        var (count, seed, only, child, from, work, replay) = (30, 1, (string?)null, (int?)null, 0, (string?)null, (int?)null);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--short": count = 30; break;
                case "--long": count = 10_000; break;
                case "--count": count = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--only": only = Next(); break;
                case "--child": child = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--from": from = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--work": work = Next(); break;
                case "--replay": replay = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}: ogan-fuzz [--short|--long|--count N] [--seed S] [--only TEXT]");
            }
        }

        return new Options(count, seed, only, child, from, work, replay);
    }
}

/// <summary>Runs one format's inputs in a child process, restarting it after a crash or a hang, and tallies what came back.</summary>
internal static class Parent
{
    public static (string Name, int Inputs, int Accepted, int Refused, List<string> Failures, string? Skipped) RunTarget(int index, Options options, string work)
    {
        var (name, accepted, refused, failures, skipped, from) = (Target.All[index].Name, 0, 0, new List<string>(), (string?)null, 0);
        while (from < options.Count)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { typeof(Parent).Assembly.Location, "--child", $"{index}", "--seed", $"{options.Seed}", "--count", $"{options.Count}", "--from", $"{from}", "--work", Path.Combine(work, $"{index}") })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            var current = from;
            var done = false;
            while (process.StandardOutput.ReadLine() is { } line)
            {
                var parts = line.Split(' ', 3);
                switch (parts[0])
                {
                    case "skip": skipped = line[5..]; done = true; break;
                    case "input": current = int.Parse(parts[1], CultureInfo.InvariantCulture); break;
                    case "accepted": accepted++; break;
                    case "refused": refused++; break;
                    case "fail": failures.Add($"input {parts[1]} (seed {options.Seed}): {parts[2]}"); break;
                    case "done": done = true; break;
                }
            }

            process.WaitForExit();
            if (done || skipped is not null)
            {
                break;
            }

            failures.Add($"input {current} (seed {options.Seed}): the process ended with exit code {process.ExitCode} ({(process.ExitCode > 128 ? $"signal {process.ExitCode - 128}" : "no signal")}): {errors.Result.Split('\n').FirstOrDefault(l => l.Length > 0)}");
            from = current + 1;
        }

        Console.WriteLine(skipped is null
            ? $"{name}: {options.Count:N0} inputs, {accepted:N0} accepted, {refused:N0} refused, {failures.Count} failures"
            : $"{name}: skipped ({skipped})");
        return (name, skipped is null ? options.Count : 0, accepted, refused, failures, skipped);
    }
}

/// <summary>Reads the damaged inputs of one format in order, printing one line per outcome.</summary>
internal static class Child
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(60);

    public static int Run(int index, Options options)
    {
        var work = Directory.CreateDirectory(options.Work!).FullName;
        Target target;
        try
        {
            target = Target.All[index].Make(work);
        }
        catch (SkipTarget skip)
        {
            Console.WriteLine($"skip {skip.Message}");
            return 0;
        }

        using (target)
        {
            var mutator = new Mutator(options.Seed * 1_000_003 + index);
            var path = Path.Combine(work, "inputs", target.FileName);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            for (var i = 0; i < options.Count; i++)
            {
                // Every input is drawn, so input i is the same whether or not the run restarted before it.
                var bytes = target.Finish(mutator.Mutate(target.Seeds[i % target.Seeds.Count]));
                if (i < options.From)
                {
                    continue;
                }

                Console.WriteLine($"input {i}");
                File.WriteAllBytes(path, bytes);
                Console.WriteLine(Outcome(target, path, i, options.Replay is not null));
            }
        }

        Console.WriteLine("done");
        return 0;
    }

    private static string Outcome(Target target, string path, int i, bool replay)
    {
        var read = Task.Factory.StartNew(() => target.Read(path), TaskCreationOptions.LongRunning);
        try
        {
            if (!read.Wait(HangLimit))
            {
                Console.WriteLine($"fail {i} a hang: no answer within {HangLimit.TotalSeconds:F0} s");
                Console.Out.Flush();
                Environment.Exit(3);
            }

            return target.EveryChangeIsRefused ? $"fail {i} a damaged file was accepted" : "accepted";
        }
        catch (AggregateException wrapped) when (wrapped.InnerException is { } e)
        {
            if (replay)
            {
                Console.Error.WriteLine(e);
            }

            var message = e.Message;
            if (e is not (InvalidDataException or IOException))
            {
                return $"fail {i} {e.GetType().Name}: {message.Split('\n')[0]}";
            }

            if (message.Contains('\n', StringComparison.Ordinal) || message.Length == 0)
            {
                return $"fail {i} a refusal of {message.Split('\n').Length} lines: {message.Split('\n')[0]}";
            }

            return target is ServerTarget || message.Contains(Path.GetFileName(path), StringComparison.Ordinal) || message.Contains(Path.GetDirectoryName(path)!, StringComparison.Ordinal)
                ? "refused"
                : $"fail {i} a refusal that does not name the file: {message}";
        }
    }
}
