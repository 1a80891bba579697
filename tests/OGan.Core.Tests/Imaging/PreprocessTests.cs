using OGan.Imaging;

namespace OGan.Core.Tests.Imaging;

public sealed class PreprocessTests
{
    [Fact]
    public void Shrinking_a_one_pixel_checkerboard_gives_flat_grey_not_aliasing()
    {
        var board = new byte[256 * 256];
        for (var i = 0; i < board.Length; i++)
        {
            board[i] = (byte)((i / 256 + i % 256) % 2 == 0 ? 0 : 255);
        }

        var small = Preprocess.Square(PngFixture.Encode(board, 256, 256, 0), 1, 32);
        Assert.True(small.Min() >= 120 && small.Max() <= 135, $"checkerboard shrank to values in [{small.Min()}, {small.Max()}]");
    }

    [Fact]
    public void Shrinking_a_photo_matches_a_box_filter_reference()
    {
        using var scope = NewDisposeScope();
        var path = Fixtures.SharedPhotos("afhq").First(); // 512 px
        var photo = ImageCodec.Read(path, 3);
        var reference = nn.functional.avg_pool2d(photo.unsqueeze(0).to(ScalarType.Float32), 8, 8).squeeze(0); // exact 8x8 means
        var resized = Preprocess.Load(path, 3, 64);
        Assert.True(ImageCodecTests.MeanAbsoluteDifference(resized, reference) < 3, "antialiased resize strays from the 8x8 box average");
    }

    [Fact]
    public void Crop_and_channel_conversion_keep_the_centre_and_the_luma()
    {
        // A 6 x 2 grey image 0..11 row by row: its centred 2 x 2 square is columns 2 and 3.
        var wide = Enumerable.Range(0, 12).Select(i => (byte)(i * 20)).ToArray();
        Assert.Equal(new byte[] { 40, 60, 160, 180 }, Preprocess.Square(PngFixture.Encode(wide, 6, 2, 0), 1, 2));
        var rgb = PngFixture.Encode([100, 200, 50], 1, 1, 2);
        Assert.Equal((byte)Math.Round(0.299 * 100 + 0.587 * 200 + 0.114 * 50), Preprocess.Square(rgb, 1, 1)[0]);
        Assert.Equal(new byte[] { 7, 7, 7 }, Preprocess.Square(PngFixture.Encode([7], 1, 1, 0), 3, 1));
    }
}
