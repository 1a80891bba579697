using System.Runtime.CompilerServices;

namespace OGan.Engine;

/// <summary>
/// Says, once, why TorchSharp's native library will not load on this system, before TorchSharp's own failure
/// (which blames a missing package reference and ends the process with SIGABRT): an app that references
/// OGan.Core on Debian 12 then sees the real cause, the old libstdc++, as the first line on stderr.
/// </summary>
internal static class NativeRequirementsNotice
{
#pragma warning disable CA2255 // a library's module initializer: this check must run before any OGan type touches TorchSharp
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Check()
    {
        // The ogan command says it itself, as its one error line.
        if (System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name != "ogan" && NativeRequirements.Problem() is { } problem)
        {
            Console.Error.WriteLine($"OGan: {problem}");
        }
    }
}
