using System.Runtime.InteropServices;

namespace OGan.Native;

/// <summary>The few calls of liblmdb (a C library, used as it is) that reading and writing LSUN's databases needs.</summary>
internal static partial class Lmdb
{
    internal const string LibraryName = "lmdb";
    internal const uint ReadOnly = 0x20000;
    internal const uint NoLock = 0x400000;
    internal const uint NoSubdirectory = 0x4000;
    internal const int First = 0;
    internal const int Next = 8;
    internal const int NotFound = -30798;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Value
    {
        public nuint Size;
        public IntPtr Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Statistics
    {
        public uint PageSize;
        public uint Depth;
        public nuint BranchPages;
        public nuint LeafPages;
        public nuint OverflowPages;
        public nuint Entries;
    }

    [LibraryImport(LibraryName, EntryPoint = "mdb_env_create")]
    internal static partial int EnvCreate(out IntPtr env);

    [LibraryImport(LibraryName, EntryPoint = "mdb_env_set_mapsize")]
    internal static partial int EnvSetMapSize(IntPtr env, nuint size);

    [LibraryImport(LibraryName, EntryPoint = "mdb_env_open", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int EnvOpen(IntPtr env, string path, uint flags, uint mode);

    [LibraryImport(LibraryName, EntryPoint = "mdb_env_close")]
    internal static partial void EnvClose(IntPtr env);

    [LibraryImport(LibraryName, EntryPoint = "mdb_txn_begin")]
    internal static partial int TxnBegin(IntPtr env, IntPtr parent, uint flags, out IntPtr txn);

    [LibraryImport(LibraryName, EntryPoint = "mdb_txn_commit")]
    internal static partial int TxnCommit(IntPtr txn);

    [LibraryImport(LibraryName, EntryPoint = "mdb_txn_abort")]
    internal static partial void TxnAbort(IntPtr txn);

    [LibraryImport(LibraryName, EntryPoint = "mdb_dbi_open")]
    internal static partial int DbiOpen(IntPtr txn, IntPtr name, uint flags, out uint dbi);

    [LibraryImport(LibraryName, EntryPoint = "mdb_stat")]
    internal static partial int Stat(IntPtr txn, uint dbi, out Statistics statistics);

    [LibraryImport(LibraryName, EntryPoint = "mdb_put")]
    internal static partial int Put(IntPtr txn, uint dbi, ref Value key, ref Value data, uint flags);

    [LibraryImport(LibraryName, EntryPoint = "mdb_cursor_open")]
    internal static partial int CursorOpen(IntPtr txn, uint dbi, out IntPtr cursor);

    [LibraryImport(LibraryName, EntryPoint = "mdb_cursor_close")]
    internal static partial void CursorClose(IntPtr cursor);

    [LibraryImport(LibraryName, EntryPoint = "mdb_cursor_get")]
    internal static partial int CursorGet(IntPtr cursor, ref Value key, ref Value data, int operation);

    [LibraryImport(LibraryName, EntryPoint = "mdb_strerror")]
    internal static partial IntPtr StrError(int code);

    internal static void Check(int code, string path)
    {
        if (code != 0)
        {
            throw new InvalidDataException($"{path}: LMDB: {Marshal.PtrToStringUTF8(StrError(code))}");
        }
    }
}
