using System.CommandLine;
using OGan.Data;

namespace OGan.Cli;

/// <summary>The options that choose training data: --data, --res, --channels, --data-root.</summary>
internal static class DataOptions
{
    public static readonly Option<string> Data = new("--data", "-d")
    {
        Description = "fashion-mnist, a preset (celeba-hq or celeba, ffhq, lsun-church, lsun-bedroom), a folder of images, an LMDB database, or a .ogan-data file",
        DefaultValueFactory = _ => "fashion-mnist",
    };

    public static readonly Option<int> Res = new("--res") { Description = "Image size, a power of two >= 32 (0: 32 for fashion-mnist, else 128)", DefaultValueFactory = _ => 0 };

    public static readonly Option<int> Channels = new("--channels") { Description = "1 (grey) or 3 (RGB) (0: 1 for fashion-mnist, else 3)", DefaultValueFactory = _ => 0 };

    public static readonly Option<string?> DataRoot = new("--data-root") { Description = $"Where presets are looked for (default: ${DataSets.RootVariable}, else ~/data)" };

    public static bool IsFashionMnist(string data) => data.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase);

    /// <summary>The resolved (data, size, channels), validated.</summary>
    public static (string Data, int Size, int Channels) Resolve(ParseResult parse)
    {
        var data = parse.GetValue(Data)!;
        var fashion = IsFashionMnist(data);
        var size = parse.GetValue(Res) is > 0 and var res ? res : fashion ? 32 : 128;
        var channels = parse.GetValue(Channels) is > 0 and var c ? c : fashion ? 1 : 3;
        if (size < 32 || (size & (size - 1)) != 0)
        {
            throw new UserError($"--res {size}: must be a power of two, at least 32", Guard.Usage);
        }

        if (channels is not (1 or 3))
        {
            throw new UserError($"--channels {channels}: must be 1 or 3", Guard.Usage);
        }

        if (fashion && (size != 32 || channels != 1))
        {
            throw new UserError($"--data fashion-mnist is grey at 32 px; drop --res/--channels or use another data set", Guard.Usage);
        }

        if (!fashion && !DataSets.IsPreset(data) && !Directory.Exists(data) && !File.Exists(data))
        {
            throw new UserError($"--data {data}: no such folder or file, and not one of {string.Join(", ", DataSets.Presets)}", Guard.Usage);
        }

        // A folder or file is recorded absolute, so that eval, serve and --resume find it from any directory.
        return (fashion || DataSets.IsPreset(data) ? data : Path.GetFullPath(data), size, channels);
    }
}
