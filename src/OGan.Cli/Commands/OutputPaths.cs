using OGan.Imaging;

namespace OGan.Cli;

/// <summary>What an output path asks for, by its extension, and distinct file names for many outputs.</summary>
internal static class OutputPaths
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"];

    public enum Kind
    {
        /// <summary>One image file (.png, .jpg, .webp, .bmp, .gif).</summary>
        Image,

        /// <summary>A .npy array.</summary>
        Npy,

        /// <summary>A folder: an existing one, or a name without an extension.</summary>
        Folder,
    }

    /// <summary>The kind <paramref name="path"/> names, refused in one line when it is none of <paramref name="allowed"/>.</summary>
    /// <exception cref="UserError">An unknown extension, or a kind this option does not write (exit code 2).</exception>
    public static Kind Of(string option, string path, params Kind[] allowed)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        Kind? kind = Directory.Exists(path) || extension.Length == 0 ? Kind.Folder
            : extension == ".npy" ? Kind.Npy
            : ImageExtensions.Contains(extension) ? Kind.Image
            : null;
        if (kind is { } known && allowed.Contains(known))
        {
            return known;
        }

        var choices = string.Join(", ", allowed.Select(k => k switch
        {
            Kind.Image => "an image (" + string.Join(", ", ImageExtensions) + ")",
            Kind.Npy => "a .npy",
            _ => "a folder (a name without extension)",
        }));
        throw new UserError($"{option} {path}: {(kind is null ? $"unknown extension '{extension}'" : "not an output of this command")}; give {choices}", Guard.Usage);
    }

    /// <summary>
    /// One file name per input in <paramref name="folder"/>: the input's name with <paramref name="extension"/>,
    /// and "-2", "-3", ... after names already taken (inputs of the same name from different folders).
    /// </summary>
    public static List<string> Distinct(string folder, IEnumerable<string> inputs, string extension, ISet<string> taken)
    {
        var paths = new List<string>();
        foreach (var input in inputs)
        {
            var stem = Path.GetFileNameWithoutExtension(input);
            var name = stem + extension;
            for (var n = 2; !taken.Add(name); n++)
            {
                name = $"{stem}-{n}{extension}";
            }

            paths.Add(Path.Combine(folder, name));
        }

        return paths;
    }
}
