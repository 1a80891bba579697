namespace OGan.Core.Tests.Docs;

/// <summary>The README's C# example is the code of samples/Inference, which the solution compiles.</summary>
public sealed class ReadmeTests
{
    [Fact]
    public void The_readme_csharp_example_is_the_inference_sample_line_by_line()
    {
        var readme = File.ReadAllText(Path.Combine(Fixtures.RepositoryRoot, "README.md"));
        var start = readme.IndexOf("```csharp\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no ```csharp block");
        start += "```csharp\n".Length;
        var block = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        var sample = File.ReadAllLines(Path.Combine(Fixtures.RepositoryRoot, "samples", "Inference", "Program.cs")).Select(l => l.TrimEnd()).ToList();

        var position = 0;
        foreach (var line in block.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0))
        {
            var found = sample.IndexOf(line, position);
            Assert.True(found >= 0, $"README line not in samples/Inference/Program.cs (in this order): {line}");
            position = found + 1;
        }
    }
}
