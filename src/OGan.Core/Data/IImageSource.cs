namespace OGan.Data;

/// <summary>One encoded image: a name for messages (a path, a database key) and a way to fetch its bytes.</summary>
/// <param name="Name">The path or key, for messages.</param>
/// <param name="Load">Fetches the bytes.</param>
/// <param name="FilePath">For a file: decoders read it into a reused buffer instead of calling <paramref name="Load"/>.</param>
public sealed record EncodedImage(string Name, Func<byte[]> Load, string? FilePath = null)
{
    /// <summary>The image in the file at <paramref name="path"/>.</summary>
    public static EncodedImage FromFile(string path) => new(path, () => File.ReadAllBytes(path), path);
}

/// <summary>Encoded images in a fixed, deterministic order: a folder, an LMDB database.</summary>
public interface IImageSource
{
    /// <summary>Where the images come from, for messages and for the prepared file's record.</summary>
    string Description { get; }

    /// <summary>The images in order.</summary>
    IEnumerable<EncodedImage> Images();
}
