namespace OGan.Imaging;

/// <summary>
/// How 8-bit pixels map to model values: value = byte / 127.5 - 1 (the author's x / 255 * 2 - 1), and back,
/// byte = round((value + 1) * 127.5) clamped to 0..255. Compiled into OGan.Core (Pixels applies it to
/// tensors) and OGan.Onnx (which has no TorchSharp, to arrays), so the two cannot drift apart.
/// </summary>
internal static class PixelScale
{
    /// <summary>Half the byte range: a byte of 127.5 would be the value 0.</summary>
    public const double Half = 127.5;

    /// <summary>One byte as a model value.</summary>
    public static float ToValue(byte pixel) => (pixel * (float)(1 / Half)) - 1f;

    /// <summary>A model value as a byte, rounded and clamped.</summary>
    public static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round((value + 1f) * (float)Half), 0f, 255f);
}
