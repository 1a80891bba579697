using OGan.Files;
using System.Security.Cryptography;
using System.Text;

namespace OGan.Data;

/// <summary>
/// Turns a data argument into images to train on: <c>fashion-mnist</c>; a named preset (celeba-hq or celeba,
/// ffhq, lsun-church, lsun-bedroom) found under a data root in its published layout; a folder of images;
/// an LMDB database; or a prepared file. Image sources are prepared once into a cached
/// <see cref="PreparedSet"/> and memory-mapped.
/// </summary>
public static class DataSets
{
    /// <summary>The environment variable naming the data root.</summary>
    public const string RootVariable = "OGAN_DATA_ROOT";

    /// <summary>The environment variable naming where prepared files are cached.</summary>
    public const string CacheVariable = "OGAN_CACHE";

    /// <summary>The named data sets.</summary>
    public static IReadOnlyList<string> Presets { get; } = ["fashion-mnist", "celeba-hq", "celeba", "ffhq", "lsun-church", "lsun-bedroom"];

    /// <summary>$OGAN_DATA_ROOT, else ~/data.</summary>
    public static string DefaultRoot =>
        Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "data");

    /// <summary>$OGAN_CACHE, else ~/.cache/ogan.</summary>
    public static string DefaultCache =>
        Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } cache
            ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ogan");

    /// <summary>Whether <paramref name="data"/> is the name of a preset rather than a path.</summary>
    public static bool IsPreset(string data) => Presets.Contains(data, StringComparer.OrdinalIgnoreCase);

    /// <summary>The image source a preset, folder or database names (not fashion-mnist, not a prepared file).</summary>
    /// <exception cref="DirectoryNotFoundException">Nothing there; for a preset the message names every place looked.</exception>
    /// <exception cref="ArgumentException">A holdout asked of an LMDB database.</exception>
    public static IImageSource Source(string data, int size, string? root = null, Holdout? holdout = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var candidates = IsPreset(data)
            ? Layouts(data.ToLowerInvariant(), size).Select(relative => Path.Combine(root ?? DefaultRoot, relative)).ToArray()
            : [data];
        foreach (var candidate in candidates)
        {
            if (LmdbImages.IsDatabase(candidate))
            {
                return holdout is null
                    ? new LmdbImages(candidate)
                    : throw new ArgumentException($"{candidate} is an LMDB database: a holdout is held back from image folders only; give held-out images as a folder of their own");
            }

            if (Directory.Exists(candidate) || !IsPreset(data))
            {
                return new ImageFolder(candidate, holdout);
            }
        }

        throw new DirectoryNotFoundException(
            $"data set {data} not found; looked in {string.Join(", ", candidates)}. Put it in one of these, " +
            $"or set {RootVariable} (or --data-root) to the folder that holds it, or give the images' folder as --data PATH");
    }

    /// <summary>
    /// Training images for <paramref name="data"/> at <paramref name="size"/> px and <paramref name="channels"/>:
    /// Fashion-MNIST in memory, anything else through a prepared file (made on first use, in <paramref name="cache"/>).
    /// </summary>
    /// <remarks>With <paramref name="holdout"/>, only one part of an image folder (prepared and cached apart).</remarks>
    public static ImageSet Open(string data, int size, int channels, string? root = null, string? cache = null, Action<string>? log = null, Holdout? holdout = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase))
        {
            if (size != 32 || channels != 1)
            {
                throw new ArgumentException($"Fashion-MNIST is 1 channel at 32 px, not {channels} at {size}");
            }

            return FashionMnist.Load(train: true);
        }

        if (holdout is not null && (File.Exists(data) || FashionMnist.HoldsIdx(data)))
        {
            throw new ArgumentException($"{data}: a holdout is held back from image folders only, not from a prepared file or IDX images");
        }

        if (File.Exists(data) && data.EndsWith(PreparedSet.Extension, StringComparison.OrdinalIgnoreCase))
        {
            return PreparedSet.Open(data, size, channels);
        }

        if (FashionMnist.HoldsIdx(data))
        {
            // Any folder in MNIST's IDX layout (MNIST, KMNIST, Fashion-MNIST copies): grey, padded to 32 px.
            return size == 32 && channels == 1
                ? FashionMnist.Load(train: true, folder: data)
                : throw new ArgumentException($"{data} holds 28 px grey IDX images: train them at --res 32 --channels 1");
        }

        var source = Source(data, size, root, holdout);
        if (IsPreset(data))
        {
            log?.Invoke(Found(data, source));
        }

        var prepared = CachedFile(source, size, channels, cache ?? DefaultCache);
        if (File.Exists(prepared) && SourceFingerprint.Of(source) is { } now && PreparedSet.ReadHeader(prepared).Fingerprint != now)
        {
            log?.Invoke($"{source.Description} changed since {prepared} was made (files added, removed or rewritten): preparing again");
            File.Delete(prepared);
        }

        if (!File.Exists(prepared))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(prepared)!);
            log?.Invoke($"preparing {source.Description} at {size} px into {prepared} (once)");
            var report = PreparedSet.Create(prepared, source, size, channels, cancellation: cancellation);
            log?.Invoke(Describe(report));
        }

        var set = PreparedSet.Open(prepared, size, channels);
        if (holdout is { Part: HoldoutPart.Training } && Source(data, size, root, holdout with { Part = HoldoutPart.HeldOut }) is ImageFolder heldOut)
        {
            set.HeldOutNames = heldOut.Files;
        }

        return set;
    }

    /// <summary>One line about a finished preparation: kept, enlarged, skipped, and the first bad files.</summary>
    public static string Describe(PrepareReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var header = report.Header;
        var text = $"prepared {header.Count} images from {header.Source} into {report.Path}.";
        if (header.Enlarged > 0)
        {
            var were = header.Enlarged == 1 ? "1 was" : $"{header.Enlarged} were";
            text += $" {were} smaller than {header.Size} px and enlarged, so blurred (the first: {report.FirstEnlarged}).";
        }

        if (header.Skipped > 0)
        {
            var more = header.Skipped > report.FirstFailures.Count ? "; ..." : string.Empty;
            text += $" Skipped {header.Skipped} unreadable: {string.Join("; ", report.FirstFailures)}{more}.";
        }

        return text;
    }

    /// <summary>Where <see cref="Open"/> keeps the prepared file of <paramref name="source"/> at this size.</summary>
    public static string CachedFile(IImageSource source, int size, int channels, string cache)
    {
        ArgumentNullException.ThrowIfNull(source);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source.Description)))[..12];
        var name = AtomicFile.SafeName(source.Description);
        return Path.Combine(cache, "prepared", $"{name}-{hash}-{channels}x{size}{PreparedSet.Extension}");
    }

    /// <summary>The line that says which folder a preset found, and how its images are taken.</summary>
    private static string Found(string preset, IImageSource source)
    {
        var count = source is ImageFolder folder ? $"{folder.Files.Count} images" : "an LMDB database";
        var aligned = source.Description.Contains("img_align_celeba", StringComparison.Ordinal)
            ? "; CelebA's aligned 178x218 photos, each centre-cropped to a 178x178 square"
            : string.Empty;
        return $"{preset}: found {source.Description} ({count}{aligned})";
    }

    private static string[] Layouts(string preset, int size) => preset switch
    {
        // CelebA: a folder of square crops laid out like FFHQ's thumbnails (celeba-128), else CelebA's own
        // aligned photos; then CelebA-HQ's layouts.
        "celeba" => [.. CelebA, .. CelebAHq],
        "celeba-hq" => CelebAHq,
        "ffhq" => size <= 128
            ? [Path.Combine("ffhq", "thumbnails128x128"), Path.Combine("ffhq", "images1024x1024"), "ffhq"]
            : [Path.Combine("ffhq", "images1024x1024"), "ffhq"],
        "lsun-church" => [Path.Combine("lsun", "church_outdoor_train_lmdb"), "church_outdoor_train_lmdb", Path.Combine("lsun", "church_outdoor"), "lsun-church"],
        "lsun-bedroom" => [Path.Combine("lsun", "bedroom_train_lmdb"), "bedroom_train_lmdb", Path.Combine("lsun", "bedroom"), "lsun-bedroom"],
        _ => throw new ArgumentException($"unknown preset {preset}"),
    };

    private static readonly string[] CelebA =
    [
        "celeba-128", "celeba_128", Path.Combine("celeba", "img_align_celeba"), Path.Combine("CelebA", "Img", "img_align_celeba"),
        Path.Combine("celeba", "Img", "img_align_celeba"), "img_align_celeba",
    ];

    private static readonly string[] CelebAHq = ["celeba-hq", "CelebA-HQ", "celeba_hq", "celebahq", Path.Combine("CelebAMask-HQ", "CelebA-HQ-img")];
}
