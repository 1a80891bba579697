using OGan.Models;

namespace OGan.Core.Tests.Models;

public sealed class NetworkTests
{
    [Theory]
    [InlineData(32, 1)]
    [InlineData(64, 3)]
    [InlineData(128, 3)]
    [InlineData(256, 1)]
    public void Generator_and_encoder_shapes_at_each_resolution(int size, int channels)
    {
        var config = new OGanConfig { ImageSize = size, Channels = channels, Width = 16 << (size / 64), ZDim = 8 };
        using var scope = NewDisposeScope();
        using var g = new Generator(config);
        using var e = new Encoder(config);
        var images = g.call(randn([2, 8]));
        Assert.Equal([2L, channels, size, size], images.shape);
        Assert.True((images[0] - images[1]).abs().max().ToDouble() > 1e-4, "two latents gave the same image");
        Assert.Equal([2L, 8], e.call(images).shape);
        Assert.Throws<ArgumentException>(() => g.call(randn([2, 9])));
        Assert.Throws<ArgumentException>(() => e.call(randn([2, channels, size, size + 1])));
    }

    [Fact]
    public void Width_zero_follows_the_paper()
    {
        Assert.Equal(128, new OGanConfig { ImageSize = 128 }.MaxChannels); // OGan's default, for CPU-sized runs
        var config = new OGanConfig { ImageSize = 128, Channels = 3, Width = 0 };
        Assert.Equal(1024, config.MaxChannels);
        Assert.Equal(128, config.LatentDim);
        Assert.Equal(4, config.NumLayers);
        Assert.Equal([64, 128, 256, 512, 1024], Enumerable.Range(0, 5).Select(config.EncoderChannels));
    }

    [Fact]
    public void Min_channels_floors_the_thin_layers_and_leaves_the_wide_ones()
    {
        var config = new OGanConfig { ImageSize = 128, Channels = 3, Width = 128, MinChannels = 16 };
        Assert.Equal([128, 64, 32, 16, 16], Enumerable.Range(0, 5).Select(config.GeneratorChannels));
        Assert.Equal([16, 16, 32, 64, 128], Enumerable.Range(0, 5).Select(config.EncoderChannels));
        using var g = new Generator(config);
        using var e = new Encoder(config);
        Assert.Equal([16L, 16, 5, 5], g.state_dict()["deconv4.weight"].shape);
        Assert.Equal([16L, 3, 5, 5], g.state_dict()["out.weight"].shape);
        Assert.Equal([16L, 3, 5, 5], e.state_dict()["conv0.weight"].shape);
        Assert.Equal([16L, 16, 5, 5], e.state_dict()["conv1.weight"].shape);
        using var scope = NewDisposeScope();
        Assert.Equal([2L, 128], e.call(g.call(randn([2, 128]))).shape);
        var error = Assert.Throws<ArgumentException>(() => (config with { MinChannels = 256 }).Validate());
        Assert.Contains("min channels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void State_names_and_initialisation_are_dcgans()
    {
        using var g = new Generator(new OGanConfig { Width = 64, ZDim = 16 }, new torch.Generator(3));
        using var e = new Encoder(new OGanConfig { Width = 64, ZDim = 16 }, new torch.Generator(3));
        Assert.Equal(
            ["fc.weight", "fc.bias", "bn0.weight", "bn0.bias", "deconv1.weight", "deconv1.bias", "bn1.weight", "bn1.bias"],
            g.named_parameters().Select(p => p.name).Take(8)); // the order of the optimizer's state in checkpoints
        Assert.Contains("bn0.num_batches_tracked", g.state_dict().Keys);
        Assert.DoesNotContain(e.state_dict(), s => s.Key.StartsWith("bn0", StringComparison.Ordinal));
        Assert.Contains(e.state_dict(), s => s.Key == "bn1.running_var");
        using var scope = NewDisposeScope();
        var weight = e.state_dict().First(s => s.Key == "conv1.weight").Value;
        Assert.InRange(weight.std().ToDouble(), 0.018, 0.022);
        Assert.Equal(0, e.state_dict().First(s => s.Key == "conv1.bias").Value.abs().sum().ToDouble());
    }

    [Theory]
    [InlineData(48, 1)]
    [InlineData(16, 1)]
    [InlineData(32, 2)]
    public void Invalid_configs_are_refused_with_the_reason(int size, int channels)
    {
        var error = Assert.Throws<ArgumentException>(() => new OGanConfig { ImageSize = size, Channels = channels }.Validate());
        Assert.Contains(size == 32 ? "channels" : "power of two", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_input_shapes_name_the_expected_shape()
    {
        using var scope = NewDisposeScope();
        using var e = new Encoder(new OGanConfig { Width = 32, ZDim = 8 });
        var error = Assert.Throws<ArgumentException>(() => e.call(zeros([1, 3, 32, 32])));
        Assert.Contains("(N, 1, 32, 32)", error.Message, StringComparison.Ordinal);
    }
}
