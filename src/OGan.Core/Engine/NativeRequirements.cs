using System.Runtime.InteropServices;

namespace OGan.Engine;

/// <summary>What TorchSharp's native library needs of the system, checked before it loads (its own failure prints pages).</summary>
internal static class NativeRequirements
{
    private static readonly string[] LibraryFolders =
        ["/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"];

    /// <summary>
    /// Null when TorchSharp can load here, else one line saying why not and what to do: on Linux its native
    /// library needs libstdc++ with GLIBCXX_3.4.32 (GCC 13; Debian 13, Ubuntu 24.04 or newer). That holds for
    /// the library TorchSharp's packages bring; one built on the machine itself (bench/gpu) needs nothing more.
    /// </summary>
    public static string? Problem()
    {
        if (!OperatingSystem.IsLinux() || !HasPackagedNativeLibrary())
        {
            return null;
        }

        var library = LibraryFolders.Select(f => Path.Combine(f, "libstdc++.so.6")).FirstOrDefault(File.Exists);
        if (library is null)
        {
            return null; // an unusual layout: let TorchSharp try
        }

        var bytes = File.ReadAllBytes(library);
        return bytes.AsSpan().IndexOf("GLIBCXX_3.4.32"u8) >= 0
            ? null
            : $"this system's libstdc++ ({library}) lacks GLIBCXX_3.4.32, which TorchSharp's native library needs " +
              "(Debian 13, Ubuntu 24.04 or newer have it); on an older system run OGan through its repository's ./ogan, which enters a Debian 13 root";
    }

    // Where a build or a tool install puts the backend package's library: beside the app, or under its runtime identifier.
    private static bool HasPackagedNativeLibrary() =>
        File.Exists(Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so")) ||
        File.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", "libLibTorchSharp.so")) ||
        File.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}", "native", "libLibTorchSharp.so"));
}
