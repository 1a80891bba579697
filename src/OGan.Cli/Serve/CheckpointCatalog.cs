using OGan.Training;

namespace OGan.Cli.Serve;

/// <summary>One checkpoint the page may choose: its name in the API, its file and its run folder.</summary>
internal sealed record CheckpointEntry(string Name, string Path, string RunFolder);

/// <summary>
/// The checkpoints inside the folders given on the command line, found again on every request (a run in
/// progress adds some). The API names a checkpoint only by its <see cref="CheckpointEntry.Name"/> from this
/// list, so no request can reach a file outside those folders.
/// </summary>
internal sealed class CheckpointCatalog(IReadOnlyList<string> roots)
{
    public IReadOnlyList<CheckpointEntry> List()
    {
        var entries = new List<CheckpointEntry>();
        foreach (var root in roots)
        {
            if (File.Exists(root))
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(root))!;
                entries.Add(new CheckpointEntry($"{Path.GetFileName(folder)}/{Path.GetFileNameWithoutExtension(root)}", Path.GetFullPath(root), folder));
                continue;
            }

            // A run folder, or a folder of run folders (./runs).
            var runs = Checkpoints(root).Any() ? [root] : Directory.Exists(root) ? Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToArray() : [];
            foreach (var run in runs)
            {
                var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(run)));
                entries.AddRange(Checkpoints(run).Select(file => new CheckpointEntry($"{name}/{Path.GetFileNameWithoutExtension(file)}", Path.GetFullPath(file), Path.GetFullPath(run))));
            }
        }

        return entries.DistinctBy(e => e.Name).ToList();
    }

    public CheckpointEntry? Find(string name) => List().FirstOrDefault(e => e.Name == name);

    /// <summary>The newest checkpoint of the last run: what the page opens with.</summary>
    public CheckpointEntry? Latest() => List() is { Count: > 0 } entries ? entries[^1] : null;

    private static IEnumerable<string> Checkpoints(string folder) => RunFolder.CheckpointsByStep(folder);

    /// <summary>The roots as given, checked: each must exist and hold at least one checkpoint somewhere.</summary>
    public static CheckpointCatalog Open(IReadOnlyList<string> roots)
    {
        foreach (var root in roots.Where(r => !File.Exists(r) && !Directory.Exists(r)))
        {
            throw new UserError($"{root}: no such checkpoint file or run folder");
        }

        var catalog = new CheckpointCatalog(roots);
        if (catalog.List().Count == 0)
        {
            throw new UserError($"{string.Join(", ", roots)}: no checkpoint-*.safetensors found (train one with `ogan train`, or pass -c)");
        }

        return catalog;
    }
}
