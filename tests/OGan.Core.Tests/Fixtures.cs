using System.Reflection;
using OGan.Data;

namespace OGan.Core.Tests;

/// <summary>Real data for tests: Fashion-MNIST from Debian's dataset-fashion-mnist, which ./test.sh installs.</summary>
internal static class Fixtures
{
    public static ImageSet FashionMnist(bool train, int limit)
    {
        if (!File.Exists(Path.Combine(OGan.Data.FashionMnist.DefaultFolder, "train-images-idx3-ubyte.gz")))
        {
            throw new InvalidOperationException($"Fashion-MNIST is not installed in {OGan.Data.FashionMnist.DefaultFolder}: run ./test.sh or ./setup.sh, which install dataset-fashion-mnist");
        }

        return OGan.Data.FashionMnist.Load(train, limit: limit);
    }

    /// <summary>The repository's root folder (python/, bench/ ...).</summary>
    public static string RepositoryRoot { get; } = typeof(Fixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OGanRoot").Value!;

    /// <summary>The real photos in ../shared/data/<paramref name="set"/> (celeba-hq: 1024 px JPEGs, afhq: 512 px), sorted.</summary>
    public static string[] SharedPhotos(string set)
    {
        var folder = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", set));
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToArray() : [];
        if (files.Length == 0)
        {
            throw new InvalidOperationException($"no photos in {folder}: the tests expect the project's shared/ folder beside the checkout");
        }

        return files;
    }

    /// <summary>A new empty folder under this test process's own, which is deleted when the process exits (OGAN_KEEP_TEST_FILES=1 keeps it).</summary>
    public static string TemporaryFolder()
    {
        var path = Path.Combine(TestProcessFolder.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static readonly Lazy<string> TestProcessFolder = new(() =>
    {
        var parent = Path.Combine(Path.GetTempPath(), "ogan-tests");
        // What earlier test processes left: the test host can be stopped before its exit handler is done.
        foreach (var left in Directory.Exists(parent) ? Directory.GetDirectories(parent) : [])
        {
            if (!IsOfALiveProcess(Path.GetFileName(left)))
            {
                DeleteQuietly(left);
            }
        }

        var root = Path.Combine(parent, $"process-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (Environment.GetEnvironmentVariable("OGAN_KEEP_TEST_FILES") != "1")
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(root);
        }

        return root;
    });

    private static bool IsOfALiveProcess(string name)
    {
        var parts = name.Split('-');
        if (parts.Length != 3 || parts[0] != "process" || !int.TryParse(parts[1], out var id))
        {
            return false;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
