namespace OGan.Core.Tests.Docs;

/// <summary>
/// Every C# block of the README, the packages' READMEs and docs/dotnet.md is code of one of the samples,
/// line by line and in order; CI builds and runs the samples against the packed OGan.Core and OGan.Onnx
/// (scripts/check-packages.sh), so what the docs show compiles and runs.
/// </summary>
public sealed class ReadmeTests
{
    private static readonly string[] Documents = ["README.md", "src/OGan.Core/README.md", "src/OGan.Onnx/README.md", "docs/dotnet.md"];

    public static TheoryData<string> DocumentNames() => [.. Documents];

    [Theory]
    [MemberData(nameof(DocumentNames))]
    public void Every_csharp_block_is_the_code_of_a_sample(string document)
    {
        var text = File.ReadAllText(Path.Combine(Fixtures.RepositoryRoot, document)).Replace("\r\n", "\n", StringComparison.Ordinal);
        var blocks = CSharpBlocks(text).ToList();
        Assert.NotEmpty(blocks);
        var samples = Directory.GetFiles(Path.Combine(Fixtures.RepositoryRoot, "samples"), "Program.cs", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(Fixtures.RepositoryRoot, p), p => File.ReadAllLines(p).Select(l => l.TrimEnd()).ToList());
        Assert.Equal(4, samples.Count);

        foreach (var block in blocks)
        {
            var lines = block.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
            var results = samples.Select(s => (Sample: s.Key, Missing: FirstMissing(lines, s.Value))).ToList();
            Assert.True(
                results.Any(r => r.Missing is null),
                $"{document}: a C# block is not the code of any sample (its lines, in order): " + string.Join("; ", results.Select(r => $"{r.Sample} lacks `{r.Missing}`")));
        }
    }

    private static IEnumerable<string> CSharpBlocks(string text)
    {
        const string Fence = "```csharp\n";
        for (var start = text.IndexOf(Fence, StringComparison.Ordinal); start >= 0; start = text.IndexOf(Fence, start, StringComparison.Ordinal))
        {
            start += Fence.Length;
            var end = text.IndexOf("```", start, StringComparison.Ordinal);
            yield return text[start..end];
            start = end + 3;
        }
    }

    /// <summary>The first line of <paramref name="lines"/> not found in <paramref name="sample"/> after the previous one, or null.</summary>
    private static string? FirstMissing(List<string> lines, List<string> sample)
    {
        var position = 0;
        foreach (var line in lines)
        {
            var found = sample.IndexOf(line, position);
            if (found < 0)
            {
                return line;
            }

            position = found + 1;
        }

        return null;
    }
}
