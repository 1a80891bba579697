using System.Runtime.InteropServices;
using System.Text;
using OGan.Native;

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

    /// <summary>Writes a database of <paramref name="entries"/> (key, value) at <paramref name="folder"/>; for tests and for exporting.</summary>
    public static void Write(string folder, IEnumerable<(string Key, byte[] Value)> entries, long mapSize = 1L << 30)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Directory.CreateDirectory(folder);
        Lmdb.Check(Lmdb.EnvCreate(out var env), folder);
        try
        {
            Lmdb.Check(Lmdb.EnvSetMapSize(env, (nuint)mapSize), folder);
            Lmdb.Check(Lmdb.EnvOpen(env, folder, 0, Convert.ToUInt32("644", 8)), folder);
            Lmdb.Check(Lmdb.TxnBegin(env, IntPtr.Zero, 0, out var txn), folder);
            try
            {
                Lmdb.Check(Lmdb.DbiOpen(txn, IntPtr.Zero, 0, out var dbi), folder);
                foreach (var (key, value) in entries)
                {
                    var keyBytes = Encoding.UTF8.GetBytes(key);
                    using var keyPin = new Pin(keyBytes);
                    using var valuePin = new Pin(value);
                    var k = keyPin.Value;
                    var v = valuePin.Value;
                    Lmdb.Check(Lmdb.Put(txn, dbi, ref k, ref v, 0), folder);
                }

                Lmdb.Check(Lmdb.TxnCommit(txn), folder);
            }
            catch
            {
                Lmdb.TxnAbort(txn);
                throw;
            }
        }
        finally
        {
            Lmdb.EnvClose(env);
        }
    }

    /// <inheritdoc/>
    public IEnumerable<EncodedImage> Images()
    {
        var subdirectory = Directory.Exists(Path);
        Lmdb.Check(Lmdb.EnvCreate(out var env), Path);
        try
        {
            Lmdb.Check(Lmdb.EnvOpen(env, Path, Lmdb.ReadOnly | Lmdb.NoLock | (subdirectory ? 0 : Lmdb.NoSubdirectory), 0), Path);
            Lmdb.Check(Lmdb.TxnBegin(env, IntPtr.Zero, Lmdb.ReadOnly, out var txn), Path);
            try
            {
                Lmdb.Check(Lmdb.DbiOpen(txn, IntPtr.Zero, 0, out var dbi), Path);
                Lmdb.Check(Lmdb.CursorOpen(txn, dbi, out var cursor), Path);
                try
                {
                    var operation = Lmdb.First;
                    while (true)
                    {
                        var (key, value) = (default(Lmdb.Value), default(Lmdb.Value));
                        var code = Lmdb.CursorGet(cursor, ref key, ref value, operation);
                        if (code == Lmdb.NotFound)
                        {
                            yield break;
                        }

                        Lmdb.Check(code, Path);
                        operation = Lmdb.Next;
                        var name = $"{Path}[{Marshal.PtrToStringUTF8(key.Data, (int)key.Size)}]";
                        var bytes = new byte[(int)value.Size];
                        Marshal.Copy(value.Data, bytes, 0, bytes.Length);
                        yield return new EncodedImage(name, () => bytes);
                    }
                }
                finally
                {
                    Lmdb.CursorClose(cursor);
                }
            }
            finally
            {
                Lmdb.TxnAbort(txn);
            }
        }
        finally
        {
            Lmdb.EnvClose(env);
        }
    }

    private sealed class Pin(byte[] bytes) : IDisposable
    {
        private GCHandle handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);

        public Lmdb.Value Value => new() { Size = (nuint)bytes.Length, Data = handle.AddrOfPinnedObject() };

        public void Dispose() => handle.Free();
    }
}
