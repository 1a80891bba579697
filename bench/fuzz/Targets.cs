using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OGan.Checkpoints;
using OGan.Data;
using OGan.Imaging;
using OGan.Models;
using OGan.Training;
using static TorchSharp.torch;

namespace OGan.Fuzz;

/// <summary>One kind of input: valid seed files, and how OGan reads a file of that kind.</summary>
internal abstract class Target : IDisposable
{
    /// <summary>The file name a damaged copy is written under (a folder's file for LMDB).</summary>
    public abstract string FileName { get; }

    /// <summary>Valid files, made by OGan itself or by the format's own tool.</summary>
    public abstract IReadOnlyList<byte[]> Seeds { get; }

    /// <summary>Whether any change must be refused (checkpoints carry a digest); else a damaged file may also read as another valid one.</summary>
    public virtual bool EveryChangeIsRefused => false;

    /// <summary>What becomes of a changed seed before it is read (by default nothing).</summary>
    public virtual byte[] Finish(byte[] changed) => changed;

    /// <summary>Reads <paramref name="path"/> as OGan does: returns when it is accepted, throws <see cref="InvalidDataException"/> (one line) when refused.</summary>
    public abstract void Read(string path);

    public virtual void Dispose()
    {
    }

    /// <summary>Every target, in the order the harness runs them; those whose tool is missing say why instead.</summary>
    public static IReadOnlyList<(string Name, Func<string, Target> Make)> All { get; } =
    [
        ("safetensors checkpoint", _ => new CheckpointTarget()),
        ("checkpoint, re-digested, resumed", _ => new ResumedCheckpointTarget()),
        (".npy latents", _ => new NpyTarget()),
        ("PNG", _ => new ImageTarget(ImageFormat.Png)),
        ("JPEG", _ => new ImageTarget(ImageFormat.Jpeg)),
        ("WEBP", _ => new ImageTarget(ImageFormat.WebP)),
        ("BMP", _ => new ImageTarget(ImageFormat.Bmp)),
        ("GIF", _ => new ImageTarget(ImageFormat.Gif)),
        ("prepared .ogan-data", work => new PreparedTarget(work)),
        ("LMDB database", work => new LmdbTarget(work)),
        ("server upload", work => new ServerTarget(work)),
    ];

    /// <summary>A real photo (from ../shared/data beside the checkout) at 48x40, or a drawn gradient when there is none.</summary>
    protected static Tensor Photo()
    {
        var shared = Path.Combine(Repository.Root, "..", "shared", "data", "afhq");
        var file = Directory.Exists(shared) ? Directory.GetFiles(shared, "*.jpg").Order(StringComparer.Ordinal).FirstOrDefault() : null;
        if (file is not null)
        {
            using var square = Preprocess.Load(file, 3, 48);
            return square[.., ..40, ..].contiguous();
        }

        return (arange(3 * 40 * 48, dtype: ScalarType.Int64) % 251).to(ScalarType.Byte).reshape(3, 40, 48);
    }
}

internal sealed class CheckpointTarget : Target
{
    public override string FileName => "checkpoint.safetensors";

    public override bool EveryChangeIsRefused => true;

    public override IReadOnlyList<byte[]> Seeds { get; } =
    [
        Write(new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 }, ema: 0),
        Write(new OGanConfig { ImageSize = 32, Channels = 3, Width = 32, ZDim = 4, KernelSize = 4 }, ema: 0.9),
    ];

    public override void Read(string path) => Checkpoint.Read(path).Dispose();

    private static byte[] Write(OGanConfig config, double ema)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ogan-fuzz-seed-{Guid.NewGuid():N}.safetensors");
        var options = new TrainingOptions { BatchSize = 4, EmaDecay = ema };
        using (var state = new TrainingState(config, options, CPU, dataCount: 8))
        {
            Checkpoint.Write(path, new RunSettings(config, options, "fashion-mnist"), state);
        }

        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }
}

/// <summary>
/// A changed checkpoint given a correct SHA-256 again, so that what lies behind the digest check is reached: the
/// header's parser, the settings, the shapes, and a resume with one training step on 8 images (what `ogan train
/// --resume` does with it). It may be accepted (changed weights make another valid checkpoint), never crash.
/// </summary>
internal sealed class ResumedCheckpointTarget : Target
{
    public override string FileName => "checkpoint.safetensors";

    public override IReadOnlyList<byte[]> Seeds { get; } = new CheckpointTarget().Seeds;

    public override byte[] Finish(byte[] changed)
    {
        // The digest's 64 digits, wherever the change left them, read as '0' while hashing the whole file.
        var text = System.Text.Encoding.Latin1.GetString(changed);
        var at = text.IndexOf($"\"{SafeTensors.DigestKey}\":\"", StringComparison.Ordinal);
        if (at < 0 || at + SafeTensors.DigestKey.Length + 4 + 64 > changed.Length)
        {
            return changed;
        }

        var digits = at + SafeTensors.DigestKey.Length + 4;
        var copy = (byte[])changed.Clone();
        System.Text.Encoding.ASCII.GetBytes(new string('0', 64)).CopyTo(copy, digits);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(copy))).CopyTo(copy, digits);
        return copy;
    }

    public override void Read(string path)
    {
        RunSettings settings;
        using (var checkpoint = Checkpoint.Read(path))
        {
            settings = checkpoint.Settings;
        }

        var (channels, size) = (settings.Model.Channels, settings.Model.ImageSize);
        using var data = new ImageSet(new byte[8 * channels * size * size], 8, channels, size);
        Trainer trainer;
        try
        {
            trainer = Trainer.Resume(path, data, folder: null);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e); // e.g. a batch larger than these 8 images: `ogan train` says so in one line
        }

        using (trainer)
        {
            trainer.TrainStep();
        }
    }
}

internal sealed class NpyTarget : Target
{
    public override string FileName => "latents.npy";

    public override IReadOnlyList<byte[]> Seeds { get; } = [Write(randn(4, 8)), Write(randn(3))];

    public override void Read(string path) => Npy.Read(path).Dispose();

    private static byte[] Write(Tensor values)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ogan-fuzz-seed-{Guid.NewGuid():N}.npy");
        Npy.Write(path, values);
        values.Dispose();
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }
}

/// <summary>An image file decoded by ImageSharp and brought to a model's input, as `ogan reconstruct`, data sets and the server do.</summary>
internal sealed class ImageTarget(ImageFormat format) : Target
{
    public override string FileName => "image." + format.ToString().ToLowerInvariant();

    public override IReadOnlyList<byte[]> Seeds { get; } = Encode(format);

    public override void Read(string path) => Preprocess.Load(path, 3, 32).Dispose();

    private static byte[][] Encode(ImageFormat format)
    {
        using var photo = Photo();
        using var grey = photo.mean([0], keepdim: true, type: ScalarType.Float32).to(ScalarType.Byte);
        return [ImageCodec.Encode(photo, format, 90), ImageCodec.Encode(grey, format, 90)];
    }
}

/// <summary>A prepared data set (.ogan-data), as `ogan train` opens its cache.</summary>
internal sealed class PreparedTarget : Target
{
    public PreparedTarget(string work)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, "prepared-seed")).FullName;
        using var photo = Photo();
        for (var i = 0; i < 4; i++)
        {
            using var shifted = photo.roll(i * 7, 2);
            ImageCodec.Write(Path.Combine(folder, $"photo-{i}.png"), shifted);
        }

        var path = Path.Combine(work, "seed" + PreparedSet.Extension);
        PreparedSet.Create(path, new ImageFolder(folder), 32, 3);
        Seeds = [File.ReadAllBytes(path)];
    }

    public override string FileName => "set" + PreparedSet.Extension;

    public override IReadOnlyList<byte[]> Seeds { get; }

    public override void Read(string path)
    {
        using var set = PreparedSet.Open(path, 32, 3);
        set.First(set.Count, CPU).Dispose();
    }
}

/// <summary>An LSUN-style LMDB database, written by LMDB's own mdb_load, read entry by entry as training reads it.</summary>
internal sealed class LmdbTarget : Target
{
    public LmdbTarget(string work)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, "lmdb-seed")).FullName;
        using var photo = Photo();
        var webp = ImageCodec.Encode(photo, ImageFormat.WebP, 90);
        var dump = new System.Text.StringBuilder("VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n");
        for (var i = 0; i < 12; i++)
        {
            dump.Append(' ').Append(Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes($"{i:x40}"))).Append('\n');
            dump.Append(' ').Append(Convert.ToHexStringLower(i % 3 == 0 ? webp : webp[..(200 + i)])).Append('\n');
        }

        dump.Append("DATA=END\n");
        var input = Path.Combine(work, "lmdb-seed.txt");
        File.WriteAllText(input, dump.ToString());
        try
        {
            using var process = Process.Start(new ProcessStartInfo("mdb_load", ["-f", input, folder]) { RedirectStandardError = true })!;
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"mdb_load failed: {errors}");
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new SkipTarget("mdb_load is not installed (Debian's lmdb-utils; ./test.sh installs it)");
        }

        Seeds = [File.ReadAllBytes(Path.Combine(folder, "data.mdb"))];
    }

    public override string FileName => Path.Combine("db", "data.mdb");

    public override IReadOnlyList<byte[]> Seeds { get; }

    public override void Read(string path)
    {
        foreach (var image in new LmdbImages(Path.GetDirectoryName(path)!).Images())
        {
            _ = image.Load();
        }
    }
}

/// <summary>Uploads to a running `ogan serve` (the real one, started here): 200 or a one-line JSON 400, never a 500 or a dead server.</summary>
internal sealed class ServerTarget : Target
{
    private readonly Process server;
    private readonly HttpClient client;

    public ServerTarget(string work)
    {
        var checkpoint = Path.Combine(work, "serve", "checkpoint-000001.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(checkpoint)!);
        File.WriteAllBytes(checkpoint, new CheckpointTarget().Seeds[1]);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = work };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "ogan.dll"), "serve", "-c", checkpoint, "--port", "0", "--max-upload-mb", "4" })
        {
            start.ArgumentList.Add(argument);
        }

        server = Process.Start(start)!;
        string? url = null;
        while (url is null && server.StandardError.ReadLine() is { } line)
        {
            url = System.Text.RegularExpressions.Regex.Match(line, @" at (http://[0-9.]+:\d+/)").Groups[1].Value is { Length: > 0 } found ? found : null;
        }

        _ = server.StandardError.ReadToEndAsync();
        _ = server.StandardOutput.ReadToEndAsync();
        client = new HttpClient { BaseAddress = new Uri(url ?? throw new InvalidOperationException("ogan serve did not start")), Timeout = TimeSpan.FromSeconds(60) };
        var images = new ImageTarget(ImageFormat.Png).Seeds.Concat(new ImageTarget(ImageFormat.Jpeg).Seeds);
        Seeds = [.. images];
    }

    public override string FileName => "upload.png";

    public override IReadOnlyList<byte[]> Seeds { get; }

    public override void Read(string path)
    {
        if (server.HasExited)
        {
            throw new InvalidOperationException($"the server died (exit code {server.ExitCode})");
        }

        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(File.ReadAllBytes(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", "upload.png");
        using var response = client.PostAsync("/api/reconstruct", form).GetAwaiter().GetResult();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return;
        }

        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (response.StatusCode != HttpStatusCode.BadRequest)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        throw new InvalidDataException(json.RootElement.GetProperty("error").GetString());
    }

    public override void Dispose()
    {
        client.Dispose();
        if (!server.HasExited)
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }

        server.Dispose();
        base.Dispose();
    }
}

/// <summary>A target that cannot run on this machine, and why.</summary>
internal sealed class SkipTarget(string reason) : Exception(reason);

/// <summary>The checkout this harness was built from.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "OGan.sln")))
            {
                return folder.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
