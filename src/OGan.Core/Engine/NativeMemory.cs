using System.Runtime.InteropServices;

namespace OGan.Engine;

/// <summary>
/// Hands memory the C allocator holds but no longer uses back to the system. libtorch frees a training
/// step's tensors, but glibc keeps the freed pages in its heaps, and with its adaptive mmap threshold
/// more and more of them: measured at 32 px, resident memory grew by about 25 MB every 10 seconds of
/// training without this, and stayed flat with it (bench/README.md).
/// </summary>
internal static partial class NativeMemory
{
    private const int TrimThresholdOption = -1; // M_TRIM_THRESHOLD
    private const int MmapThresholdOption = -3; // M_MMAP_THRESHOLD
    private const int MmapMaxOption = -4; // M_MMAP_MAX
    private const int LargestMmapThreshold = 32 << 20; // glibc's ceiling on 64-bit systems

    /// <summary>
    /// Keeps the C heaps' freed blocks for reuse instead of giving each back to the system at once (glibc's
    /// mallopt, fixed mmap and trim thresholds): with the adaptive ones, a training step's large tensors were
    /// mapped and unmapped every iteration, and the page faults (30,000 to 70,000 a second) halved the speed of
    /// a 64 px run or not, depending on the order of the allocations. <see cref="Trim"/> still returns the free
    /// pages once an interval. Idempotent; does nothing but on glibc.
    /// </summary>
    public static void KeepFreedBlocks()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = MallOpt(MmapThresholdOption, LargestMmapThreshold);
            _ = MallOpt(TrimThresholdOption, int.MaxValue);
            // glibc caps the mmap threshold at 32 MB, and at 128 px a batch's feature maps are larger (64 x 16 x 128
            // x 128 floats: 64 MB), so each was still mapped and unmapped every step: 78,000 page faults a second
            // and 54 images/s. No mmap at all: large blocks come from the heap and are reused like the rest.
            _ = MallOpt(MmapMaxOption, 0);
        }
        catch (EntryPointNotFoundException)
        {
            // not glibc
        }
    }

    /// <summary>Returns the C heaps' free pages to the system (glibc's malloc_trim); does nothing elsewhere.</summary>
    public static void Trim()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = MallocTrim(0);
            }
            catch (EntryPointNotFoundException)
            {
                // not glibc (e.g. musl): nothing to do
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int option, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
