using OGan.Imaging;

namespace OGan.Core.Tests.Imaging;

public sealed class PreprocessTests
{
    [Fact]
    public void Shrinking_a_one_pixel_checkerboard_gives_flat_grey_not_aliasing()
    {
        using var scope = DisposeScope.Enter();
        var rows = Torch.Arange(0, 256).Reshape(256, 1);
        var columns = Torch.Arange(0, 256).Reshape(1, 256);
        var parity = (rows + columns).To(DType.Float32) / 2.0;
        var board = ((parity - parity.Floor()) * 510.0).To(DType.UInt8).Unsqueeze(0); // 0 and 255 alternating
        var small = Preprocess.Resize(board, 32, 32).To(DType.Float32);
        Assert.True(small.Min().Item() >= 120 && small.Max().Item() <= 135, $"checkerboard shrank to values in [{small.Min().Item()}, {small.Max().Item()}]");
    }

    [Fact]
    public void Shrinking_a_photo_matches_a_box_filter_reference()
    {
        using var scope = DisposeScope.Enter();
        var photo = ImageCodec.Read(Fixtures.SharedPhotos("afhq").First(), 3); // 512 px
        var reference = OGan.Nn.Functional.AvgPool2d(photo.Unsqueeze(0).To(DType.Float32), 8, 8).Squeeze(0); // exact 8x8 means
        var resized = Preprocess.Resize(photo, 64, 64);
        Assert.True(ImageCodecTests.MeanAbsoluteDifference(resized, reference) < 3, "antialiased resize strays from the 8x8 box average");
    }

    [Fact]
    public void Crop_and_channel_conversion_keep_the_centre_and_the_luma()
    {
        using var scope = DisposeScope.Enter();
        var wide = Torch.Arange(0, 2 * 6).Reshape(1, 2, 6).To(DType.UInt8);
        Assert.Equal(new byte[] { 2, 3, 8, 9 }, Preprocess.CenterCrop(wide).Contiguous().ToArray<byte>());
        var rgb = Torch.FromArray<byte>([100, 200, 50], [3, 1, 1]);
        Assert.Equal((byte)Math.Round(0.299 * 100 + 0.587 * 200 + 0.114 * 50), Preprocess.ToChannels(rgb, 1).ToArray<byte>()[0]);
        Assert.Equal(new byte[] { 7, 7, 7 }, Preprocess.ToChannels(Torch.FromArray<byte>([7], [1, 1, 1]), 3).ToArray<byte>());
    }
}
