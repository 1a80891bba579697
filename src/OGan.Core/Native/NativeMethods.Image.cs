using System.Runtime.InteropServices;

namespace OGan.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static unsafe partial int ogan_image_probe(byte* data, long size, out int format, out int width, out int height);

    [LibraryImport(Lib)]
    internal static unsafe partial TensorHandle ogan_image_decode(byte* data, long size, int channels, int minSide, long maxPixels);

    [LibraryImport(Lib)]
    internal static partial TensorHandle ogan_image_encode(TensorHandle pixels, int format, int quality);
}
