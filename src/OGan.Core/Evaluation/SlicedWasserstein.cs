using OGan.Nn;
using OGan.Tensors;

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
        using var scope = DisposeScope.Enter();
        using var random = new RandomGenerator(seed);
        var levelsA = Pyramid(a.To(DType.Float32, Device.Cpu));
        var levelsB = Pyramid(b.To(DType.Float32, Device.Cpu));
        var result = new double[levelsA.Count];
        for (var level = 0; level < levelsA.Count; level++)
        {
            using var inner = DisposeScope.Enter();
            var positions = Positions(levelsA[level].Size(2), patchesPerImage, random);
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
        while (current.Size(2) > 16)
        {
            var down = Blur(current).Slice(2, 0, current.Size(2), 2).Slice(3, 0, current.Size(3), 2);
            var up = Functional.Interpolate(down, current.Size(2), current.Size(3), InterpolationMode.Bilinear);
            levels.Add(current - up);
            current = down;
        }

        levels.Add(current);
        return levels;
    }

    private static Tensor Blur(Tensor images)
    {
        var channels = images.Size(1);
        float[] taps = [1 / 16f, 4 / 16f, 6 / 16f, 4 / 16f, 1 / 16f];
        var kernel = taps.SelectMany(r => taps.Select(c => r * c)).ToArray();
        var weight = Torch.FromArray<float>(kernel, [1, 1, 5, 5]).Expand(channels, 1, 5, 5).Contiguous();
        return Functional.Conv2d(images, weight, padding: 2, groups: channels);
    }

    /// <summary>Top-left corners (row-major offsets) of <paramref name="count"/> random 7x7 windows in a size x size image.</summary>
    private static long[] Positions(long size, int count, RandomGenerator random)
    {
        var span = size - Patch + 1;
        using var draws = Torch.Rand([count, 2], random);
        var values = draws.ToArray<float>();
        return Enumerable.Range(0, count).Select(i => (long)(values[2 * i] * span) * size + (long)(values[2 * i + 1] * span)).ToArray();
    }

    /// <summary>(N·K, C·49) neighbourhoods at <paramref name="positions"/> of every image.</summary>
    private static Tensor Descriptors(Tensor images, long[] positions)
    {
        long n = images.Size(0), c = images.Size(1), size = images.Size(2);
        var offsets = positions.SelectMany(p => Enumerable.Range(0, Patch * Patch).Select(o => p + o / Patch * size + o % Patch)).ToArray();
        var gathered = images.Reshape(n, c, size * size).IndexSelect(2, Torch.FromArray(offsets));
        return gathered.Reshape(n, c, positions.Length, Patch * Patch).Permute(0, 2, 1, 3).Reshape(n * positions.Length, c * Patch * Patch);
    }

    /// <summary>Each channel's values standardised over the whole set of descriptors.</summary>
    private static Tensor Standardise(Tensor descriptors)
    {
        var channels = descriptors.Size(1) / (Patch * Patch);
        var grouped = descriptors.Reshape(descriptors.Size(0), channels, Patch * Patch);
        var mean = grouped.Mean([0, 2], keepDim: true);
        var std = (grouped - mean).Square().Mean([0, 2], keepDim: true).Sqrt() + 1e-8;
        return ((grouped - mean) / std).Reshape(descriptors.Size(0), descriptors.Size(1));
    }

    private static double Sliced(Tensor a, Tensor b, int directions, int repeats, RandomGenerator random)
    {
        var count = Math.Min(a.Size(0), b.Size(0));
        var total = 0.0;
        for (var r = 0; r < repeats; r++)
        {
            using var scope = DisposeScope.Enter();
            var d = Torch.Randn([a.Size(1), directions], random);
            d = d / d.Square().Sum([0], keepDim: true).Sqrt();
            var pa = a.Slice(0, 0, count).Matmul(d).Sort(0);
            var pb = b.Slice(0, 0, count).Matmul(d).Sort(0);
            total += (pa - pb).Abs().Mean().Item();
        }

        return total / repeats;
    }
}
