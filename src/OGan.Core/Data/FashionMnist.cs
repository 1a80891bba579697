namespace OGan.Data;

/// <summary>
/// Fashion-MNIST from Debian's dataset-fashion-mnist (or any folder with its four IDX files): 28x28 grey
/// images zero-padded (black) to 32x32, the smallest size the DCGAN networks take.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's package installs the data.</summary>
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The side of the padded images.</summary>
    public const int Size = 32;

    /// <summary>Loads the training split (60,000) or the test split (10,000).</summary>
    /// <exception cref="FileNotFoundException">The files are missing; the message says how to install them.</exception>
    public static ImageSet Load(bool train = true, string? folder = null, int? limit = null)
    {
        folder ??= DefaultFolder;
        var prefix = train ? "train" : "t10k";
        var imagesPath = Find(folder, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(folder, $"{prefix}-labels-idx1-ubyte");
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Shape.Length != 3 || labels.Shape.Length != 1 || images.Shape[0] != labels.Shape[0])
        {
            throw new InvalidDataException($"{imagesPath}: expected N x 28 x 28 images matching {labelsPath}");
        }

        var count = Math.Min(images.Shape[0], limit ?? int.MaxValue);
        int height = images.Shape[1], width = images.Shape[2];
        if (height > Size || width > Size)
        {
            throw new InvalidDataException($"{imagesPath}: {height}x{width} images do not fit in {Size} px");
        }

        // Zero-padded into the middle of 32 x 32, as the author's code does.
        int top = (Size - height) / 2, left = (Size - width) / 2;
        var padded = new byte[(long)count * Size * Size];
        for (var n = 0; n < count; n++)
        {
            for (var y = 0; y < height; y++)
            {
                images.Data.AsSpan((n * height + y) * width, width).CopyTo(padded.AsSpan((n * Size + top + y) * Size + left));
            }
        }

        return new ImageSet(padded, count, 1, Size, [.. labels.Data.Take(count).Select(b => (long)b)], $"fashion-mnist/{prefix}");
    }

    /// <summary>Whether <paramref name="folder"/> holds a training split in MNIST's IDX layout.</summary>
    public static bool HoldsIdx(string folder) =>
        Directory.Exists(folder) && (File.Exists(Path.Combine(folder, "train-images-idx3-ubyte")) || File.Exists(Path.Combine(folder, "train-images-idx3-ubyte.gz")));

    private static string Find(string folder, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(folder, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(
            $"Fashion-MNIST file {name}(.gz) not found in {folder}; install Debian's dataset-fashion-mnist (./setup.sh does) or point at a folder holding it");
    }
}
