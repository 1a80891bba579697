using OGan.Data;
using OGan.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OGan.Core.Tests.Data;

/// <summary>Folders of real face photos as users have them: CelebA's layouts, awkward files, a held-out part.</summary>
public sealed class PhotoFolderTests
{
    private static string[] Faces => Fixtures.SharedPhotos("celeba-128");

    // Pillow writes it (ImageSharp cannot write CMYK): tests/fixtures/photos/make.py, with the Debian 13 root's python3-pil.
    private static void WriteCmykJpeg(string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(Fixtures.RepositoryRoot, "tests", "fixtures", "photos", "make.py"));
        start.ArgumentList.Add(path);
        string error;
        int exitCode;
        try
        {
            using var python = System.Diagnostics.Process.Start(start)!;
            error = python.StandardError.ReadToEnd();
            python.WaitForExit();
            exitCode = python.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            (error, exitCode) = (e.Message, -1);
        }

        Skip.If(exitCode != 0 && error.Contains("No module named 'PIL'", StringComparison.Ordinal) || exitCode == -1,
            "/usr/bin/python3 with Pillow is missing: it writes the CMYK JPEG (scripts/debian13.sh installs python3-pil into the Debian 13 root, where ./test.sh runs the tests)");
        Assert.True(exitCode == 0, $"make.py failed: {error}");
    }

    [SkippableFact]
    public void Grey_CMYK_16_bit_and_EXIF_rotated_photos_decode_correctly_and_cut_or_foreign_files_are_named_skipped_and_counted()
    {
        var folder = Fixtures.TemporaryFolder();
        WriteCmykJpeg(Path.Combine(folder, "cmyk.jpg"));
        var faces = Faces.Take(3).ToArray();
        foreach (var face in faces)
        {
            File.Copy(face, Path.Combine(folder, Path.GetFileName(face)));
        }

        // Made from a real face: grey JPEG, 16-bit RGB PNG, and a JPEG stored on its side with EXIF orientation 6
        // (rotate 90° clockwise to view), whose top third is painted red in the stored pixels' left third.
        using (var face = Image.Load<Rgb24>(faces[0]))
        {
            face.SaveAsJpeg(Path.Combine(folder, "grey.jpg"), new JpegEncoder { ColorType = JpegColorType.Luminance });
            using var deep = face.CloneAs<Rgb48>();
            deep.SaveAsPng(Path.Combine(folder, "deep.png"), new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb });
            using var sideways = face.Clone(x => x.Resize(96, 64));
            for (var y = 0; y < 64; y++)
            {
                for (var x = 0; x < 32; x++)
                {
                    sideways[x, y] = new Rgb24(255, 0, 0);
                }
            }

            sideways.Metadata.ExifProfile = new ExifProfile();
            sideways.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
            sideways.SaveAsJpeg(Path.Combine(folder, "exif-rotated.jpg"), new JpegEncoder { Quality = 95 });
        }

        var jpeg = File.ReadAllBytes(faces[1]);
        File.WriteAllBytes(Path.Combine(folder, "truncated.jpg"), jpeg[..(jpeg.Length * 3 / 5)]);
        File.WriteAllText(Path.Combine(folder, "notes.jpg"), "a text file with a photo's name");

        var logs = new List<string>();
        using var images = DataSets.Open(folder, 32, 3, cache: Fixtures.TemporaryFolder(), log: logs.Add);

        Assert.Equal(7, images.Count); // 3 faces, grey, deep, exif-rotated, cmyk
        var report = logs.Last();
        Assert.Contains("prepared 7 images", report, StringComparison.Ordinal);
        Assert.Contains("Skipped 2 unreadable", report, StringComparison.Ordinal);
        Assert.Contains("truncated.jpg (truncated JPEG", report, StringComparison.Ordinal);
        Assert.Contains("notes.jpg", report, StringComparison.Ordinal);

        using var scope = NewDisposeScope();
        var names = Directory.GetFiles(folder).Where(f => !f.EndsWith("truncated.jpg", StringComparison.Ordinal) && !f.EndsWith("notes.jpg", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Select(Path.GetFileName).ToList();
        Tensor Prepared(string name) => images.PixelsAt([names.IndexOf(name)])[0].to(ScalarType.Float32);
        var original = Preprocess.Load(faces[0], 3, 32).to(ScalarType.Float32);

        // Grey: three equal channels, the face's luma.
        var grey = Prepared("grey.jpg");
        Assert.Equal(0.0, (grey[0] - grey[1]).abs().max().item<float>());
        var luma = (original[0] * 0.299) + (original[1] * 0.587) + (original[2] * 0.114);
        Assert.True((grey[0] - luma).abs().mean().item<float>() < 4, "the grey JPEG decodes to the face's luma");

        // 16-bit: the same face to within rounding.
        Assert.True((Prepared("deep.png") - original).abs().max().item<float>() <= 1);

        // CMYK (Adobe's inverted form): red on the left, blue on the right, after a crop to the centre square.
        var cmyk = Prepared("cmyk.jpg");
        Assert.True(cmyk[0, 16, 2].item<float>() > 230 && cmyk[2, 16, 2].item<float>() < 25, $"left is red, got {cmyk[.., 16, 2].str()}");
        Assert.True(cmyk[2, 16, 29].item<float>() > 230 && cmyk[0, 16, 29].item<float>() < 25, $"right is blue, got {cmyk[.., 16, 29].str()}");

        // EXIF orientation 6: stored 96x64 with red on the left third, shown 64x96 with red on the top third;
        // the centre square then holds red in its top rows and the face below.
        var rotated = Prepared("exif-rotated.jpg");
        Assert.True(rotated[0, 1, 16].item<float>() > 200 && rotated[1, 1, 16].item<float>() < 60, $"top is red, got {rotated[.., 1, 16].str()}");
        Assert.False(rotated[0, 30, 16].item<float>() > 200 && rotated[1, 30, 16].item<float>() < 60, "the bottom is face, not paint");
    }

    [Fact]
    public void A_truncated_JPEG_is_refused_and_the_whole_one_decodes()
    {
        var jpeg = File.ReadAllBytes(Faces[0]);
        using var whole = ImageCodec.Decode(jpeg, 3);
        Assert.Equal([3L, 128, 128], whole.shape);
        var error = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(jpeg.AsSpan(0, jpeg.Length - 200), 3));
        Assert.Contains("truncated JPEG", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("celeba-128", "")]
    [InlineData("img_align_celeba", "CelebA's aligned 178x218 photos")]
    [InlineData("celeba/img_align_celeba", "CelebA's aligned 178x218 photos")]
    public void The_celeba_preset_finds_square_crops_and_CelebAs_own_aligned_photos_and_says_what_it_found(string layout, string said)
    {
        var root = Fixtures.TemporaryFolder();
        var folder = Directory.CreateDirectory(Path.Combine(root, layout)).FullName;
        foreach (var (face, i) in Faces.Take(4).Select((f, i) => (f, i)))
        {
            // CelebA's own files are 178x218 JPEGs named 000001.jpg ...
            using var photo = Image.Load<Rgb24>(face);
            if (layout.Contains("img_align", StringComparison.Ordinal))
            {
                photo.Mutate(x => x.Resize(178, 218));
            }

            photo.SaveAsJpeg(Path.Combine(folder, $"{i + 1:D6}.jpg"));
        }

        var logs = new List<string>();
        using var images = DataSets.Open("celeba", 32, 3, root, Fixtures.TemporaryFolder(), logs.Add);

        Assert.Equal(4, images.Count);
        var found = logs.First();
        Assert.StartsWith($"celeba: found {folder} (4 images", found, StringComparison.Ordinal);
        Assert.Contains(said, found, StringComparison.Ordinal);
    }

    [Fact]
    public void A_holdout_splits_a_folder_by_name_into_two_parts_that_do_not_meet_and_stay_put_when_files_are_added()
    {
        var names = Faces.Select(Path.GetFileName).ToArray();
        var heldOut = new Holdout(0.1, HoldoutPart.HeldOut);
        var training = new Holdout(0.1, HoldoutPart.Training);

        var held = names.Where(n => heldOut.Keeps(n!)).ToHashSet();
        var trained = names.Where(n => training.Keeps(n!)).ToHashSet();
        Assert.Empty(held.Intersect(trained));
        Assert.Equal(names.Length, held.Count + trained.Count);
        Assert.InRange(held.Count / (double)names.Length, 0.09, 0.11);

        // By name alone: the same name is held out in any folder, whatever else the folder holds.
        var folder = Fixtures.TemporaryFolder();
        foreach (var face in Faces.Take(40))
        {
            File.Copy(face, Path.Combine(folder, Path.GetFileName(face)));
        }

        var before = new ImageFolder(folder, heldOut).Files.Select(Path.GetFileName).ToList();
        foreach (var face in Faces.Skip(40).Take(40))
        {
            File.Copy(face, Path.Combine(folder, Path.GetFileName(face)));
        }

        var after = new ImageFolder(folder, heldOut).Files.Select(Path.GetFileName).ToList();
        Assert.All(before, name => Assert.Contains(name, after));
        Assert.All(after, name => Assert.Contains(name, held));
        Assert.Equal("/x (held-out 10%)", new ImageFolder(folder, heldOut).Description.Replace(folder, "/x", StringComparison.Ordinal));
    }
}
