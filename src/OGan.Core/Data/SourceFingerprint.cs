using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OGan.Data;

/// <summary>
/// What a data set's files were when it was prepared: a SHA-256 of every file's name, size and modification
/// time (a folder's images, an LMDB database's data file), so that a prepared cache notices a changed file.
/// </summary>
internal static class SourceFingerprint
{
    /// <summary>The fingerprint of <paramref name="source"/>, or null for sources without files of their own.</summary>
    public static string? Of(IImageSource source) => source switch
    {
        ImageFolder folder => Of(folder.Files),
        LmdbImages lmdb => Of([Directory.Exists(lmdb.Path) ? Path.Combine(lmdb.Path, "data.mdb") : lmdb.Path]),
        _ => null,
    };

    private static string Of(IEnumerable<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            var line = info.Exists
                ? string.Create(CultureInfo.InvariantCulture, $"{file}\0{info.Length}\0{info.LastWriteTimeUtc.Ticks}\n")
                : $"{file}\0missing\n";
            hash.AppendData(Encoding.UTF8.GetBytes(line));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
