using System.Diagnostics;

namespace OGan.Core.Tests.Fuzz;

/// <summary>
/// The fuzz harness's short mode (bench/fuzz): 30 damaged inputs for each of the ten formats, each read as OGan
/// reads it, in child processes; any crash, hang, unexpected exception, multi-line refusal, or damaged checkpoint
/// that loads fails it.
/// </summary>
public sealed class FuzzHarnessTests
{
    [Fact]
    public async Task Damaged_inputs_of_every_format_are_refused_in_one_line_or_read_and_no_damaged_checkpoint_loads()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "ogan-fuzz.dll"), "--short", "--seed", "1" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), "the harness ran over 10 minutes");
        Assert.True(process.ExitCode == 0, $"the fuzz harness found failures (exit {process.ExitCode}):\n{output}\n{await errors}");
        Assert.Contains("| safetensors checkpoint | 30 | 0 | 30 | 0 |", output, StringComparison.Ordinal);
        Assert.Matches(@"\| checkpoint, re-digested, resumed \| 30 \| \d+ \| \d+ \| 0 \|", output); // behind the digest, resumed
        Assert.Contains("330 inputs, seed 1, 0 failures", output, StringComparison.Ordinal);
    }
}
