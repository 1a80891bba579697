namespace OGan.Data;

/// <summary>One encoded image: a name for messages (a path, a database key) and a way to fetch its bytes.</summary>
public sealed record EncodedImage(string Name, Func<byte[]> Load);

/// <summary>Encoded images in a fixed, deterministic order: a folder, an LMDB database.</summary>
public interface IImageSource
{
    /// <summary>Where the images come from, for messages and for the prepared file's record.</summary>
    string Description { get; }

    /// <summary>The images in order.</summary>
    IEnumerable<EncodedImage> Images();
}
