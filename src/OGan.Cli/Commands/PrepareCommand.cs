using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OGan.Data;

namespace OGan.Cli;

/// <summary>ogan prepare: decode and resize a data set once into a memory-mappable .ogan-data file.</summary>
internal static class PrepareCommand
{
    private static readonly Option<string?> Output = new("--output", "-o") { Description = "The .ogan-data file (default: in the cache that `ogan train` uses, $OGAN_CACHE or ~/.cache/ogan)" };

    public static Command Create()
    {
        var command = new Command("prepare", "Decode and resize a data set once into one memory-mapped file for fast training")
        {
            DataOptions.Data, DataOptions.Res, DataOptions.Channels, DataOptions.DataRoot, Output,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(Guard.Run(parse, log => Run(parse, log, cancellation), needsTorch: false)));
        return command;
    }

    private static int Run(ParseResult parse, ILogger log, CancellationToken cancellation)
    {
        var (data, size, channels) = DataOptions.Resolve(parse);
        if (DataOptions.IsFashionMnist(data))
        {
            throw new UserError("--data fashion-mnist needs no preparing: it is read directly", Guard.Usage);
        }

        var source = DataSets.Source(data, size, parse.GetValue(DataOptions.DataRoot));
        var output = parse.GetValue(Output) ?? DataSets.CachedFile(source, size, channels, DataSets.DefaultCache);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        using var interrupt = new InterruptHandler("stopping; nothing is written");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, interrupt.Token);
        var clock = Stopwatch.StartNew();
        var total = source is ImageFolder folder ? folder.Files.Count.ToString(CultureInfo.InvariantCulture) : "?";
        var progress = new ProgressAction(done => ProgressLine.Update(string.Create(CultureInfo.InvariantCulture,
            $"prepare {done}/{total}  {done / clock.Elapsed.TotalSeconds:F0} images/s")));
        var report = PreparedSet.Create(output, source, size, channels, progress, linked.Token);
        ProgressLine.Finish();
        log.LogInformation("{Report}", DataSets.Describe(report));
        log.LogInformation("took {Seconds:F1} s ({Rate:F0} images/s)", clock.Elapsed.TotalSeconds, (report.Header.Count + report.Header.Skipped) / clock.Elapsed.TotalSeconds);
        return 0;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class ProgressAction(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
