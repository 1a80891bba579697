using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Evaluation;

/// <summary>
/// Sliced Wasserstein distance between two image sets on Laplacian-pyramid patches, as in the Progressive
/// GAN paper (Karras et al. 2018): per pyramid level, 7x7 neighbourhoods at random places, each channel
/// standardised over the set, compared along random unit directions by sorting. Needs no pretrained
/// network, so it serves RGB photos. Reported ×10³, one value per level (finest first) and their mean.
/// </summary>
public static class SlicedWasserstein
{
    private const int Patch = 7;

    /// <summary>SWD per level and the mean of the levels; images (N, C, S, S) in [-1, 1], S at least 16.</summary>
    public static (double[] Levels, double Mean) Distance(Tensor a, Tensor b, int patchesPerImage = 64, int directions = 128, int repeats = 4, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(seed);
        var levelsA = Pyramid(a.to(ScalarType.Float32, CPU));
        var levelsB = Pyramid(b.to(ScalarType.Float32, CPU));
        var result = new double[levelsA.Count];
        for (var level = 0; level < levelsA.Count; level++)
        {
            using var inner = NewDisposeScope();
            var positions = Positions(levelsA[level].shape[2], patchesPerImage, random);
            var da = Standardise(Descriptors(levelsA[level], positions));
            var db = Standardise(Descriptors(levelsB[level], positions));
            result[level] = 1e3 * Sliced(da, db, directions, repeats, random);
        }

        return (result, result.Average());
    }

    /// <summary>Laplacian levels from the full size down to 16 px, then the 16 px Gaussian level.</summary>
    internal static List<Tensor> Pyramid(Tensor images)
    {
        var levels = new List<Tensor>();
        var current = images;
        while (current.shape[2] > 16)
        {
            var down = Blur(current)[.., .., TensorIndex.Slice(null, null, 2), TensorIndex.Slice(null, null, 2)];
            var up = nn.functional.interpolate(down, [current.shape[2], current.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
            levels.Add(current - up);
            current = down;
        }

        levels.Add(current);
        return levels;
    }

    private static Tensor Blur(Tensor images)
    {
        var channels = images.shape[1];
        float[] taps = [1 / 16f, 4 / 16f, 6 / 16f, 4 / 16f, 1 / 16f];
        var kernel = taps.SelectMany(r => taps.Select(c => r * c)).ToArray();
        var weight = tensor(kernel, [1, 1, 5, 5]).expand(channels, 1, 5, 5).contiguous();
        return nn.functional.conv2d(images, weight, padding: [2, 2], groups: channels);
    }

    /// <summary>Top-left corners (row-major offsets) of <paramref name="count"/> random 7x7 windows in a size x size image.</summary>
    private static long[] Positions(long size, int count, torch.Generator random)
    {
        var span = size - Patch + 1;
        using var draws = rand([count, 2], generator: random);
        var values = draws.data<float>().ToArray();
        return Enumerable.Range(0, count).Select(i => (long)(values[2 * i] * span) * size + (long)(values[2 * i + 1] * span)).ToArray();
    }

    /// <summary>(N·K, C·49) neighbourhoods at <paramref name="positions"/> of every image.</summary>
    private static Tensor Descriptors(Tensor images, long[] positions)
    {
        long n = images.shape[0], c = images.shape[1], size = images.shape[2];
        var offsets = positions.SelectMany(p => Enumerable.Range(0, Patch * Patch).Select(o => p + o / Patch * size + o % Patch)).ToArray();
        var gathered = images.reshape(n, c, size * size).index_select(2, tensor(offsets));
        return gathered.reshape(n, c, positions.Length, Patch * Patch).permute(0, 2, 1, 3).reshape(n * positions.Length, c * Patch * Patch);
    }

    /// <summary>Each channel's values standardised over the whole set of descriptors.</summary>
    private static Tensor Standardise(Tensor descriptors)
    {
        var channels = descriptors.shape[1] / (Patch * Patch);
        var grouped = descriptors.reshape(descriptors.shape[0], channels, Patch * Patch);
        var mean = grouped.mean([0, 2], keepdim: true);
        var std = (grouped - mean).square().mean([0, 2], keepdim: true).sqrt() + 1e-8;
        return ((grouped - mean) / std).reshape(descriptors.shape[0], descriptors.shape[1]);
    }

    private static double Sliced(Tensor a, Tensor b, int directions, int repeats, torch.Generator random)
    {
        var count = Math.Min(a.shape[0], b.shape[0]);
        var total = 0.0;
        for (var r = 0; r < repeats; r++)
        {
            using var scope = NewDisposeScope();
            var d = randn([a.shape[1], directions], generator: random);
            d = d / d.square().sum(0, keepdim: true).sqrt();
            var pa = a[..(int)count].matmul(d).sort(0).Values;
            var pb = b[..(int)count].matmul(d).sort(0).Values;
            total += (pa - pb).abs().mean().item<float>();
        }

        return total / repeats;
    }
}
