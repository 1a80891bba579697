using OGan.Imaging;

namespace OGan.Data;

/// <summary>
/// Every .jpg, .jpeg, .png, .webp, .bmp and .gif file under a folder, searched recursively, in ordinal order of
/// their relative paths; with a <see cref="Data.Holdout"/>, only one part of them.
/// </summary>
public sealed class ImageFolder : IImageSource
{
    /// <summary>Lists the folder's images.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public ImageFolder(string path)
        : this(path, null)
    {
    }

    /// <summary>Lists the folder's images, one part of them with <paramref name="holdout"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public ImageFolder(string path, Holdout? holdout)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"{path}: no such folder");
        }

        Path = System.IO.Path.GetFullPath(path);
        Files = Directory.EnumerateFiles(Path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => ImageCodec.Extensions.Contains(System.IO.Path.GetExtension(f)))
            .Where(f => holdout is null || holdout.Keeps(System.IO.Path.GetRelativePath(Path, f)))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();
        Holdout = holdout;
    }

    /// <summary>The part of the folder kept, or null for all of it.</summary>
    public Holdout? Holdout { get; }

    /// <summary>The folder, absolute.</summary>
    public string Path { get; }

    /// <summary>The image files, sorted.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <inheritdoc/>
    public string Description => Holdout is null ? Path : $"{Path} ({Holdout})";

    /// <inheritdoc/>
    public IEnumerable<EncodedImage> Images() => Files.Select(EncodedImage.FromFile);
}
