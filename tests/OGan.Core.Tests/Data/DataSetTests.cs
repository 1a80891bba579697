using OGan.Data;
using OGan.Core.Tests.Imaging;
using OGan.Imaging;
using OGan.Models;
using OGan.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;

namespace OGan.Core.Tests.Data;

/// <summary>Real photos laid out as each preset publishes them, with broken files mixed in.</summary>
public sealed class DataSetTests
{
    [Fact]
    public void A_CelebA_HQ_folder_with_broken_files_prepares_the_good_ones_and_names_the_bad()
    {
        var root = Fixtures.TemporaryFolder();
        var folder = Directory.CreateDirectory(Path.Combine(root, "celeba-hq")).FullName;
        var photos = Fixtures.SharedPhotos("celeba-hq").Take(5).ToArray();
        foreach (var photo in photos)
        {
            File.Copy(photo, Path.Combine(folder, Path.GetFileName(photo)));
        }

        var jpeg = File.ReadAllBytes(photos[0]);
        File.WriteAllBytes(Path.Combine(folder, "empty.jpg"), []);
        File.WriteAllBytes(Path.Combine(folder, "cut.jpg"), jpeg[..64]);
        File.WriteAllText(Path.Combine(folder, "readme.png"), "not an image");
        File.WriteAllBytes(Path.Combine(folder, "huge.png"), PngFixture.WithClaimedSize(PngFixture.Encode(new byte[3], 3, 1, 0), 200_000, 200_000));
        File.WriteAllText(Path.Combine(folder, "labels.txt"), "ignored: not an image extension");

        var logs = new List<string>();
        using var images = DataSets.Open("celeba", 32, 3, root, Fixtures.TemporaryFolder(), logs.Add);

        Assert.Equal(5, images.Count);
        Assert.Equal(3, images.Channels);
        Assert.Equal(32, images.Size);
        var report = logs.Last();
        Assert.Contains("prepared 5 images", report, StringComparison.Ordinal);
        Assert.Contains("Skipped 4 unreadable", report, StringComparison.Ordinal);
        Assert.Contains("empty.jpg", report, StringComparison.Ordinal);
        Assert.Contains("huge.png", report, StringComparison.Ordinal);

        // The prepared pixels are the photos, sorted by name, decoded and resized as a single load would.
        using var scope = NewDisposeScope();
        var first = Preprocess.Load(photos.Order(StringComparer.Ordinal).First(), 3, 32);
        var prepared = images.PixelsAt([0])[0];
        Assert.Equal(0.0, ImageCodecTests.MeanAbsoluteDifference(first, prepared));
    }

    [Fact]
    public void Photos_smaller_than_the_training_size_are_counted_and_the_first_named_when_prepared()
    {
        var folder = Fixtures.TemporaryFolder();
        var photos = Fixtures.SharedPhotos("celeba-hq").Take(3).ToArray();
        foreach (var photo in photos)
        {
            File.Copy(photo, Path.Combine(folder, Path.GetFileName(photo)));
        }

        using (var small = SixLabors.ImageSharp.Image.Load(photos[0]))
        {
            small.Mutate(x => x.Resize(24, 40));
            small.SaveAsPng(Path.Combine(folder, "small.png"));
        }

        var logs = new List<string>();
        var cache = Fixtures.TemporaryFolder();
        using var images = DataSets.Open(folder, 32, 3, cache: cache, log: logs.Add);

        Assert.Equal(4, images.Count);
        Assert.Contains("1 was smaller than 32 px and enlarged, so blurred (the first: ", logs.Last(), StringComparison.Ordinal);
        Assert.Contains("small.png, 24 px across)", logs.Last(), StringComparison.Ordinal);
        var prepared = Directory.GetFiles(Path.Combine(cache, "prepared")).Single();
        Assert.Equal(1, PreparedSet.ReadHeader(prepared).Enlarged);
    }

    [Fact]
    public void FFHQ_takes_the_thumbnails_at_128_px_and_below_and_the_full_images_above()
    {
        var root = Fixtures.TemporaryFolder();
        var full = Directory.CreateDirectory(Path.Combine(root, "ffhq", "images1024x1024", "00000")).FullName;
        var thumbnails = Directory.CreateDirectory(Path.Combine(root, "ffhq", "thumbnails128x128", "00000")).FullName;
        using var scope = NewDisposeScope();
        var photos = Fixtures.SharedPhotos("celeba-hq").Take(3).ToArray();
        for (var i = 0; i < photos.Length; i++)
        {
            var pixels = Preprocess.Load(photos[i], 3, 256);
            ImageCodec.Write(Path.Combine(full, $"{i:D5}.png"), pixels);
            ImageCodec.Write(Path.Combine(thumbnails, $"{i:D5}.png"), Preprocess.Load(photos[i], 3, 128));
        }

        Assert.EndsWith("thumbnails128x128", ((ImageFolder)DataSets.Source("ffhq", 64, root)).Path, StringComparison.Ordinal);
        Assert.EndsWith("images1024x1024", ((ImageFolder)DataSets.Source("ffhq", 256, root)).Path, StringComparison.Ordinal);
        using var images = DataSets.Open("ffhq", 64, 3, root, Fixtures.TemporaryFolder());
        Assert.Equal(3, images.Count);
    }

    [Fact]
    public void An_LSUN_style_LMDB_of_WebP_images_is_read_directly()
    {
        // Made by LMDB 0.9's own mdb_load, as LSUN's databases were: 120 WebP images (each larger than a
        // page, so on overflow pages; enough keys for a branch page above the leaves) and one broken entry.
        var root = Fixtures.TemporaryFolder();
        var database = Directory.CreateDirectory(Path.Combine(root, "lsun", "church_outdoor_train_lmdb")).FullName;
        using var scope = NewDisposeScope();
        var photos = Fixtures.SharedPhotos("afhq").Take(3).Select(p => ImageCodec.Encode(Preprocess.Load(p, 3, 96), ImageFormat.WebP, 90)).ToArray();
        var entries = Enumerable.Range(0, 120).Select(i => ($"{i:x40}", photos[i % 3])).Append(($"{999:x40}", "truncated"u8.ToArray())).ToList();
        MdbLoad(database, entries);

        var source = Assert.IsType<LmdbImages>(DataSets.Source("lsun-church", 64, root));
        var read = source.Images().ToList();
        Assert.Equal(entries.Select(e => $"{database}[{e.Item1}]"), read.Select(r => r.Name)); // all of them, in key order
        Assert.Equal(photos[1], read[4].Load());
        var logs = new List<string>();
        using var images = DataSets.Open("lsun-church", 64, 3, root, Fixtures.TemporaryFolder(), logs.Add);
        Assert.Equal(120, images.Count);
        Assert.Contains("Skipped 1 unreadable", logs.Last(), StringComparison.Ordinal);

        File.WriteAllBytes(Path.Combine(database, "data.mdb"), new byte[8192]);
        Assert.Contains("not a readable LMDB 0.9 database", Assert.Throws<InvalidDataException>(() => source.Images().ToList()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prepared_cache_notices_a_changed_file_even_when_the_count_is_the_same()
    {
        var folder = Fixtures.TemporaryFolder();
        var cache = Fixtures.TemporaryFolder();
        var photos = Fixtures.SharedPhotos("afhq");
        for (var i = 0; i < 4; i++)
        {
            File.Copy(photos[i], Path.Combine(folder, $"photo-{i}.jpg"));
        }

        var logs = new List<string>();
        float before;
        using (var images = DataSets.Open(folder, 32, 3, cache: cache, log: logs.Add))
        using (var first = images.First(4, CPU))
        {
            before = first[3].mean().item<float>();
        }

        using (DataSets.Open(folder, 32, 3, cache: cache, log: logs.Add))
        {
            Assert.Single(logs, l => l.StartsWith("preparing", StringComparison.Ordinal)); // unchanged: the cache is used
        }

        File.Copy(photos[10], Path.Combine(folder, "photo-3.jpg"), overwrite: true);
        using (var images = DataSets.Open(folder, 32, 3, cache: cache, log: logs.Add))
        using (var first = images.First(4, CPU))
        {
            Assert.Contains(logs, l => l.Contains("changed since", StringComparison.Ordinal));
            Assert.NotEqual(before, first[3].mean().item<float>());
        }
    }

    /// <summary>Writes a database with LMDB's own mdb_load (Debian's lmdb-utils, which ./test.sh installs).</summary>
    private static void MdbLoad(string folder, IEnumerable<(string Key, byte[] Value)> entries)
    {
        var dump = new System.Text.StringBuilder("VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n");
        foreach (var (key, value) in entries)
        {
            dump.Append(' ').Append(Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(key))).Append('\n');
            dump.Append(' ').Append(Convert.ToHexStringLower(value)).Append('\n');
        }

        dump.Append("DATA=END\n");
        var input = Path.Combine(folder, "..", "dump.txt");
        File.WriteAllText(input, dump.ToString());
        var start = new System.Diagnostics.ProcessStartInfo("mdb_load", ["-f", input, folder]) { RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("mdb_load did not start");
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"mdb_load (lmdb-utils) failed: {errors}");
    }

    [Fact]
    public void A_folder_in_IDX_layout_trains_like_Fashion_MNIST()
    {
        Fixtures.FashionMnist(train: false, limit: 1).Dispose(); // the data is there
        var copy = Fixtures.TemporaryFolder(); // a folder of the user's in IDX layout, not the default data
        foreach (var file in Directory.GetFiles(FashionMnist.DefaultFolder, "train-*"))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        using var images = DataSets.Open(copy, 32, 1);
        Assert.Equal(60_000, images.Count);
        Assert.Throws<ArgumentException>(() => DataSets.Open(copy, 64, 3));
        var settings = new RunSettings(
            new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 },
            new TrainingOptions { BatchSize = 8, Steps = 3, LogEvery = 1, SampleEvery = 0, SnapshotEvery = 0, CalibrationImages = 16 },
            copy);
        var run = new RunFolder(Fixtures.TemporaryFolder());
        var progress = new List<TrainingProgress>();
        using (var trainer = new Trainer(settings, images, run))
        {
            trainer.Run(new CallbackProgress<TrainingProgress>(progress.Add));
        }

        Assert.Equal([1L, 2, 3], progress.Select(p => p.Step));
        Assert.All(progress, p => Assert.True(double.IsFinite(p.EncoderLoss) && double.IsFinite(p.GeneratorLoss)));
        using var checkpoint = OGan.Checkpoints.Checkpoint.Read(run.Checkpoint(3));
        Assert.Equal(copy, checkpoint.Settings.Data);
    }

    [Fact]
    public void A_folder_that_gained_images_is_prepared_again()
    {
        var folder = Fixtures.TemporaryFolder();
        var cache = Fixtures.TemporaryFolder();
        var photos = Fixtures.SharedPhotos("afhq");
        File.Copy(photos[0], Path.Combine(folder, "a.jpg"));
        using (var first = DataSets.Open(folder, 32, 3, cache: cache))
        {
            Assert.Equal(1, first.Count);
        }

        File.Copy(photos[1], Path.Combine(folder, "b.jpg"));
        var logs = new List<string>();
        using var second = DataSets.Open(folder, 32, 3, cache: cache, log: logs.Add);
        Assert.Equal(2, second.Count);
        Assert.Contains(logs, l => l.Contains("preparing again", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_preset_names_every_place_looked_and_how_to_point_at_the_data()
    {
        var root = Fixtures.TemporaryFolder();
        var error = Assert.Throws<DirectoryNotFoundException>(() => DataSets.Source("lsun-bedroom", 128, root));
        Assert.Contains(Path.Combine(root, "lsun", "bedroom_train_lmdb"), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(root, "lsun-bedroom"), error.Message, StringComparison.Ordinal);
        Assert.Contains(DataSets.RootVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains("--data PATH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folders_without_usable_images_and_mismatched_or_damaged_prepared_files_are_refused()
    {
        var folder = Fixtures.TemporaryFolder();
        File.WriteAllText(Path.Combine(folder, "a.jpg"), "text");
        File.WriteAllBytes(Path.Combine(folder, "b.webp"), []);
        var none = Assert.Throws<InvalidDataException>(() => PreparedSet.Create(Path.Combine(folder, "x.ogan-data"), new ImageFolder(folder), 32, 3));
        Assert.Contains("none of its 2 images", none.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder, "*.tmp-*")); // nothing left behind

        var photos = Fixtures.TemporaryFolder();
        File.Copy(Fixtures.SharedPhotos("afhq")[0], Path.Combine(photos, "cat.jpg"));
        var path = Path.Combine(Fixtures.TemporaryFolder(), "cats.ogan-data");
        var report = PreparedSet.Create(path, new ImageFolder(photos), 32, 3);
        Assert.Equal(new PreparedHeader(Path.GetFullPath(photos), 32, 3, 1, 0), report.Header with { Fingerprint = null });
        Assert.Matches("^[0-9a-f]{64}$", report.Header.Fingerprint);
        var opened = PreparedSet.Open(path, 32, 3);
        using (var pixels = opened.PixelsAt([0]))
        {
            Assert.Equal(1, opened.Count);
            Assert.Equal([1L, 3, 32, 32], pixels.shape);
        }

        opened.Dispose(); // unmaps the file: its pixels can no longer be reached
        Assert.Throws<ObjectDisposedException>(() => opened.PixelsAt([0]));
        Assert.Throws<ObjectDisposedException>(() => opened.Batch([0], CPU));

        Assert.Contains("prepare it again at this size", Assert.Throws<InvalidDataException>(() => PreparedSet.Open(path, 64, 3)).Message, StringComparison.Ordinal);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        Assert.Contains("promises", Assert.Throws<InvalidDataException>(() => PreparedSet.Open(path)).Message, StringComparison.Ordinal);
        File.WriteAllText(path, "something else");
        Assert.Contains("not a prepared", Assert.Throws<InvalidDataException>(() => PreparedSet.Open(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_trains_on_prepared_photos()
    {
        var folder = Fixtures.TemporaryFolder();
        foreach (var photo in Fixtures.SharedPhotos("celeba-hq").Take(8))
        {
            File.Copy(photo, Path.Combine(folder, Path.GetFileName(photo)));
        }

        using var images = DataSets.Open(folder, 32, 3, cache: Fixtures.TemporaryFolder());
        var settings = new RunSettings(
            new OGanConfig { ImageSize = 32, Channels = 3, Width = 16, ZDim = 8 },
            new TrainingOptions { BatchSize = 4, Steps = 3, LogEvery = 1, SampleEvery = 0, SnapshotEvery = 0, Flip = true, CalibrationImages = 8 },
            folder);
        var run = new RunFolder(Fixtures.TemporaryFolder());
        var progress = new List<TrainingProgress>();
        using (var trainer = new Trainer(settings, images, run))
        {
            trainer.Run(new CallbackProgress<TrainingProgress>(progress.Add));
            trainer.SaveGrids();
        }

        Assert.Equal(3, progress.Count);
        Assert.All(progress, p => Assert.True(double.IsFinite(p.EncoderLoss) && double.IsFinite(p.Rho)));
        using var scope = NewDisposeScope();
        Assert.Equal(3, ImageCodec.Read(run.Samples(3), 3).shape[0]);
    }


    [Fact]
    public void A_library_run_on_a_folder_with_a_holdout_lists_the_held_out_photos_in_its_folder()
    {
        // What `ogan eval` measures against: written by the trainer, so a library user who holds photos out gets it too.
        var folder = Fixtures.TemporaryFolder();
        foreach (var photo in Fixtures.SharedPhotos("celeba-128").Take(60))
        {
            File.Copy(photo, Path.Combine(folder, Path.GetFileName(photo)));
        }

        var holdout = new Holdout(0.2, HoldoutPart.Training);
        using var images = DataSets.Open(folder, 32, 3, cache: Fixtures.TemporaryFolder(), holdout: holdout);
        var expected = new ImageFolder(folder, holdout with { Part = HoldoutPart.HeldOut }).Files;
        Assert.NotEmpty(expected);
        Assert.Equal(expected, images.HeldOutNames);
        Assert.Equal(60, images.Count + expected.Count);

        var run = new RunFolder(Fixtures.TemporaryFolder());
        var settings = new RunSettings(new OGanConfig { ImageSize = 32, Channels = 3, Width = 16, ZDim = 8 }, new TrainingOptions { BatchSize = 8, Steps = 1 }, folder);
        using (new Trainer(settings, images, run))
        {
            Assert.Equal(expected, File.ReadAllLines(run.HeldOutFile));
        }

        using var all = DataSets.Open(folder, 32, 3, cache: Fixtures.TemporaryFolder());
        Assert.Null(all.HeldOutNames);
    }
}
