using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace OGan.Native;

/// <summary>
/// Finds libogan_native: next to the assembly, then the file or folder named by OGAN_NATIVE_PATH,
/// then the system's search path. On failure the exception lists every place tried and why.
/// </summary>
internal static class NativeLibraryLoader
{
    internal const string LibraryName = "ogan_native";
    internal const string OverrideVariable = "OGAN_NATIVE_PATH";

    private static int registered;

    internal static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
        }
    }

    internal static string FileName =>
        OperatingSystem.IsWindows() ? "ogan_native.dll"
        : OperatingSystem.IsMacOS() ? "libogan_native.dylib"
        : "libogan_native.so";

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name == Lmdb.LibraryName)
        {
            // Debian's liblmdb0 ships only the versioned name; liblmdb-dev adds liblmdb.so.
            return NativeLibrary.TryLoad("liblmdb.so.0", out var lmdb) || NativeLibrary.TryLoad("liblmdb.so", out lmdb)
                ? lmdb
                : throw new DllNotFoundException("liblmdb not found: install Debian's liblmdb0 (./setup.sh does) to read LMDB databases");
        }

        if (name != LibraryName)
        {
            return IntPtr.Zero;
        }

        var tried = new List<string>();
        foreach (var candidate in Candidates(assembly))
        {
            if (!File.Exists(candidate))
            {
                tried.Add($"{candidate} (no such file)");
                continue;
            }

            try
            {
                return NativeLibrary.Load(candidate);
            }
            catch (DllNotFoundException e)
            {
                tried.Add($"{candidate} (failed to load: {e.Message})");
            }
        }

        try
        {
            return NativeLibrary.Load(FileName, assembly, DllImportSearchPath.SafeDirectories);
        }
        catch (DllNotFoundException e)
        {
            tried.Add($"{FileName} on the system's library path (failed: {e.Message})");
        }

        throw new DllNotFoundException(Explain(tried));
    }

    private static IEnumerable<string> Candidates(Assembly assembly)
    {
        var folders = new List<string> { AppContext.BaseDirectory };
        if (!string.IsNullOrEmpty(assembly.Location))
        {
            folders.Add(Path.GetDirectoryName(assembly.Location)!);
        }

        foreach (var folder in folders.Distinct())
        {
            yield return Path.Combine(folder, FileName);
            yield return Path.Combine(folder, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", FileName);
        }

        var overridePath = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrEmpty(overridePath))
        {
            yield return Directory.Exists(overridePath) ? Path.Combine(overridePath, FileName) : overridePath;
        }
    }

    private static string Explain(List<string> tried)
    {
        var message = new StringBuilder();
        message.AppendLine(CultureInfo.InvariantCulture, $"OGan could not load its native library {FileName}. Tried:");
        foreach (var attempt in tried)
        {
            message.AppendLine(CultureInfo.InvariantCulture, $"  - {attempt}");
        }

        message.AppendLine("Install libtorch and build it: ./setup.sh (Debian: apt-get install libtorch-dev libopenblas0-openmp; then dotnet build),");
        message.Append($"or point {OverrideVariable} at a libogan_native built against your libtorch (see README, 'Building against a CUDA libtorch').");
        return message.ToString();
    }
}
