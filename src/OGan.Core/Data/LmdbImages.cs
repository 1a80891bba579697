using System.Text;
using LightningDB;

namespace OGan.Data;

/// <summary>
/// The images in an LMDB database, as LSUN publishes them (church_outdoor_train_lmdb, bedroom_train_lmdb):
/// one entry per image, the value its encoded bytes (WebP or JPEG), in key order. Read through liblmdb.
/// </summary>
public sealed class LmdbImages : IImageSource
{
    /// <summary>Names a database: the folder holding data.mdb, or the data.mdb file itself.</summary>
    /// <exception cref="DirectoryNotFoundException">No database there.</exception>
    public LmdbImages(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (!IsDatabase(Path))
        {
            throw new DirectoryNotFoundException($"{path}: not an LMDB database (no data.mdb)");
        }
    }

    /// <summary>The database's folder or file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public string Description => Path;

    /// <summary>Whether <paramref name="path"/> is an LMDB database (a folder with data.mdb, or a .mdb file).</summary>
    public static bool IsDatabase(string path) =>
        File.Exists(System.IO.Path.Combine(path, "data.mdb")) || (File.Exists(path) && path.EndsWith(".mdb", StringComparison.OrdinalIgnoreCase));

    /// <summary>Writes an LMDB database of <paramref name="entries"/> into <paramref name="folder"/> (for tests and tools).</summary>
    public static void Write(string folder, IEnumerable<(string Key, byte[] Value)> entries, long mapSize = 1L << 30)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Directory.CreateDirectory(folder);
        using var environment = new LightningEnvironment(folder, new EnvironmentConfiguration { MapSize = mapSize });
        environment.Open();
        using var transaction = environment.BeginTransaction();
        using var database = transaction.OpenDatabase();
        foreach (var (key, value) in entries)
        {
            Check(transaction.Put(database, Encoding.UTF8.GetBytes(key), value), folder);
        }

        Check(transaction.Commit(), folder);
    }

    /// <inheritdoc/>
    public IEnumerable<EncodedImage> Images()
    {
        var flags = EnvironmentOpenFlags.ReadOnly | EnvironmentOpenFlags.NoLock | (Directory.Exists(Path) ? EnvironmentOpenFlags.None : EnvironmentOpenFlags.NoSubDir);
        using var environment = new LightningEnvironment(Path);
        environment.Open(flags);
        using var transaction = environment.BeginTransaction(TransactionBeginFlags.ReadOnly);
        using var database = transaction.OpenDatabase();
        using var cursor = transaction.CreateCursor(database);
        for (var (code, key, value) = cursor.First(); code != MDBResultCode.NotFound; (code, key, value) = cursor.Next())
        {
            Check(code, Path);
            var bytes = value.AsSpan().ToArray();
            yield return new EncodedImage($"{Path}[{Encoding.UTF8.GetString(key.AsSpan())}]", () => bytes);
        }
    }

    private static void Check(MDBResultCode code, string path)
    {
        if (code != MDBResultCode.Success)
        {
            throw new InvalidDataException($"{path}: LMDB: {code}");
        }
    }
}
