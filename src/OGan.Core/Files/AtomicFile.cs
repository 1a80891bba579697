namespace OGan.Files;

/// <summary>Writes a file so that readers see the old one or the complete new one, never a part.</summary>
internal static class AtomicFile
{
    /// <summary>Writes to a temporary file beside <paramref name="path"/>, flushes it, then renames it over.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = $"{full}.tmp-{Environment.ProcessId}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>The last component of <paramref name="path"/> with anything but letters, digits, '-', '_' and '.' replaced by '_'.</summary>
    public static string SafeName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = Path.GetFileName(path.TrimEnd('/', '\\'));
        return new string(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
    }

    /// <summary>Writes <paramref name="bytes"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));
}
