using System.Text;

namespace OGan.Data;

/// <summary>
/// The images in an LMDB database, as LSUN publishes them (church_outdoor_train_lmdb, bedroom_train_lmdb):
/// one entry per image, the value its encoded bytes (WebP or JPEG), in key order, read by <see cref="LmdbFile"/>.
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

    /// <inheritdoc/>
    public IEnumerable<EncodedImage> Images()
    {
        using var database = new LmdbFile(Directory.Exists(Path) ? System.IO.Path.Combine(Path, "data.mdb") : Path);
        foreach (var (key, value) in database.Entries())
        {
            yield return new EncodedImage($"{Path}[{Encoding.UTF8.GetString(key)}]", () => value);
        }
    }
}
