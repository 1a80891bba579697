using OGan.Imaging;

namespace OGan.Data;

/// <summary>Every .jpg, .jpeg, .png and .webp file under a folder, searched recursively, in ordinal order of their relative paths.</summary>
public sealed class ImageFolder : IImageSource
{
    /// <summary>Lists the folder's images.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public ImageFolder(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"{path}: no such folder");
        }

        Path = System.IO.Path.GetFullPath(path);
        Files = Directory.EnumerateFiles(Path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => ImageCodec.Extensions.Contains(System.IO.Path.GetExtension(f)))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The folder, absolute.</summary>
    public string Path { get; }

    /// <summary>The image files, sorted.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <inheritdoc/>
    public string Description => Path;

    /// <inheritdoc/>
    public IEnumerable<EncodedImage> Images() => Files.Select(EncodedImage.FromFile);
}
