using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace OGan.Data;

/// <summary>
/// Reads the key/value pairs of an LMDB 0.9 database file (data.mdb), in key order, in managed code and
/// without locking: the format LSUN published its data sets in. LightningDB was tried first: its 0.23.1
/// package carries LMDB 1.0.1, which cannot open 0.9 databases, and Debian's liblmdb is no option on
/// Windows. Only what a plain database needs is read: the newer of the two meta pages, branch and leaf
/// pages of the main database, and overflow pages for large values; sub-databases and sorted duplicates
/// are refused.
/// </summary>
internal sealed class LmdbFile : IDisposable
{
    private const int PageHeaderSize = 16;   // pgno (8), pad (2), flags (2), lower/upper (2 + 2)
    private const int NodeHeaderSize = 8;    // lo (2), hi (2), flags (2), key size (2)
    private const uint Magic = 0xBEEFC0DE;
    private const ushort BranchPage = 0x01, LeafPage = 0x02;
    private const ushort BigData = 0x01, SubData = 0x02, DupData = 0x04;
    private const int MetaOffset = PageHeaderSize;     // MDB_meta follows the page header
    private const int MainDbOffset = MetaOffset + 72;  // magic, version, address, mapsize, then mm_dbs[FREE], mm_dbs[MAIN]

    private readonly SafeFileHandle file;
    private readonly long length;
    private readonly int pageSize;
    private readonly ulong root;
    private readonly string path;

    /// <summary>Opens <paramref name="path"/> (a data.mdb file) and reads its meta pages.</summary>
    /// <exception cref="InvalidDataException">Not an LMDB 0.9 database, or a damaged one.</exception>
    public LmdbFile(string path)
    {
        this.path = path;
        file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        try
        {
            length = RandomAccess.GetLength(file);
            var first = Read(0, 4096);
            var magic = BinaryPrimitives.ReadUInt32LittleEndian(first.AsSpan(MetaOffset));
            var version = BinaryPrimitives.ReadUInt32LittleEndian(first.AsSpan(MetaOffset + 4));
            if (magic != Magic)
            {
                throw Damaged("no LMDB meta page at its start");
            }

            if (version != 1)
            {
                throw Damaged($"LMDB data format {version} (OGan reads LMDB 0.9 databases, format 1, as LSUN publishes them)");
            }

            pageSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(first.AsSpan(MetaOffset + 24)); // mm_dbs[FREE].md_pad
            if (pageSize is < 512 or > 65536 || (pageSize & (pageSize - 1)) != 0)
            {
                throw Damaged($"page size {pageSize}");
            }

            // Two meta pages alternate between commits: the one with the higher transaction id is current.
            var second = Read(pageSize, pageSize);
            var meta = TransactionId(second) > TransactionId(first) && BinaryPrimitives.ReadUInt32LittleEndian(second.AsSpan(MetaOffset)) == Magic ? second : first;
            root = BinaryPrimitives.ReadUInt64LittleEndian(meta.AsSpan(MainDbOffset + 40));
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(meta.AsSpan(MainDbOffset + 4));
            if ((flags & 0x04) != 0)
            {
                throw Damaged("a database of sorted duplicates (MDB_DUPSORT) is not a set of images");
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Every (key, value) of the main database, in key order, read as they are enumerated.</summary>
    /// <exception cref="InvalidDataException">A page is damaged or of an unsupported kind.</exception>
    public IEnumerable<(byte[] Key, byte[] Value)> Entries()
    {
        if (root == ulong.MaxValue)
        {
            yield break; // an empty database
        }

        var pending = new Stack<ulong>([root]);
        var depth = 0;
        while (pending.Count > 0)
        {
            if (++depth > 10_000_000)
            {
                throw Damaged("its pages form a cycle");
            }

            var page = ReadPage(pending.Pop());
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(10));
            var count = (BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(12)) - PageHeaderSize) / 2;
            if (count < 0 || PageHeaderSize + 2 * count > page.Length)
            {
                throw Damaged("a page with an impossible node count");
            }

            if ((flags & BranchPage) != 0)
            {
                // Children pushed last to first, so that they are visited in key order.
                for (var i = count - 1; i >= 0; i--)
                {
                    var node = Node(page, i);
                    var child = BinaryPrimitives.ReadUInt16LittleEndian(node) | ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(node[2..]) << 16) |
                                ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(node[4..]) << 32);
                    pending.Push(child);
                }
            }
            else if ((flags & LeafPage) != 0)
            {
                for (var i = 0; i < count; i++)
                {
                    yield return Leaf(page, i);
                }
            }
            else
            {
                throw Damaged($"page flags 0x{flags:x} where a branch or leaf page belongs");
            }
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => file.Dispose();

    private (byte[] Key, byte[] Value) Leaf(byte[] page, int index)
    {
        var node = Node(page, index);
        var size = BinaryPrimitives.ReadUInt16LittleEndian(node) | (BinaryPrimitives.ReadUInt16LittleEndian(node[2..]) << 16);
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(node[4..]);
        var keySize = BinaryPrimitives.ReadUInt16LittleEndian(node[6..]);
        if ((flags & (SubData | DupData)) != 0)
        {
            throw Damaged("sub-databases and duplicate values are not read");
        }

        if (NodeHeaderSize + keySize > node.Length)
        {
            throw Damaged("a key runs past its page");
        }

        var key = node.Slice(NodeHeaderSize, keySize).ToArray();
        var data = node[(NodeHeaderSize + keySize)..];
        if ((flags & BigData) != 0)
        {
            // The value lives on overflow pages: its first page number is stored in its place.
            if (data.Length < sizeof(ulong))
            {
                throw Damaged("an overflow page number runs past its page");
            }

            var overflow = BinaryPrimitives.ReadUInt64LittleEndian(data);
            return (key, Read(PageOffset(overflow) + PageHeaderSize, size));
        }

        if (size < 0 || size > data.Length)
        {
            throw Damaged("a value runs past its page");
        }

        return (key, data[..size].ToArray());
    }

    private ReadOnlySpan<byte> Node(byte[] page, int index)
    {
        var offset = BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(PageHeaderSize + 2 * index));
        if (offset < PageHeaderSize || offset + NodeHeaderSize > page.Length)
        {
            throw Damaged("a node outside its page");
        }

        return page.AsSpan(offset);
    }

    private byte[] ReadPage(ulong number) => Read(PageOffset(number), pageSize);

    // Where page `number` starts, for a number that can lie inside the file (a damaged one can hold any).
    private long PageOffset(ulong number) =>
        number < (ulong)(length / pageSize) ? (long)number * pageSize : throw Damaged($"a reference to page {number} of a file of {length / pageSize} pages (truncated?)");

    private byte[] Read(long offset, int count)
    {
        if (offset < 0 || count < 0 || offset + count > length)
        {
            throw Damaged($"a reference to bytes {offset}..{offset + count} of a {length}-byte file (truncated?)");
        }

        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = RandomAccess.Read(file, buffer.AsSpan(read), offset + read);
            if (n == 0)
            {
                throw Damaged("it ends early");
            }

            read += n;
        }

        return buffer;
    }

    private static ulong TransactionId(byte[] meta) => BinaryPrimitives.ReadUInt64LittleEndian(meta.AsSpan(MainDbOffset + 48 + 8));

    private InvalidDataException Damaged(string what) => new($"{path}: not a readable LMDB 0.9 database: {what}");
}
