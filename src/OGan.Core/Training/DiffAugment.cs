using OGan.Distributed;
using OGan.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Training;

/// <summary>
/// Differentiable augmentation (DiffAugment, Zhao et al. 2020) of the images E sees, real and generated alike,
/// in E's and G's steps, so that E cannot learn the few real photos by heart and G still gets gradients through
/// the augmentation. The policy "color,translation,cutout" (the paper's): brightness ± 0.5, saturation × [0, 2],
/// contrast × [0.5, 1.5]; a shift of up to 1/8 of the side with zero fill; a square of half the side set to 0.
/// Each image is augmented with <see cref="TrainingOptions.AugmentProbability"/>. Every random number comes from
/// the run's generator, drawn for the whole batch (as <see cref="BatchShare"/> does), so a run repeats and resumes
/// exactly and N processes train what one would.
/// </summary>
internal sealed class DiffAugment(string policy, double probability)
{
    /// <summary>The transforms OGan knows, by name; a policy is a comma-separated list of them.</summary>
    public static IReadOnlyList<string> Transforms { get; } = ["color", "translation", "cutout"];

    private readonly HashSet<string> transforms = [.. policy.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>Why <paramref name="policy"/> is not a policy, or null when it is.</summary>
    public static string? WhyNot(string policy)
    {
        var parts = policy.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 0 ? "the augmentation policy is empty"
            : parts.FirstOrDefault(p => !Transforms.Contains(p)) is { } unknown ? $"unknown augmentation '{unknown}': give a comma-separated list of {string.Join(", ", Transforms)}"
            : null;
    }

    /// <summary>Augments (N, C, S, S) images in [-1, 1]; the result keeps the graph to <paramref name="images"/>.</summary>
    public Tensor Apply(Tensor images, torch.Generator random, ProcessGroup group)
    {
        var rows = images.shape[0];
        var whole = rows * group.Size;
        var size = images.shape[2];
        var device = images.device;
        Tensor Draw(params long[] shape) => BatchShare.Of(rand([whole, .. shape], generator: random), group).to(device);

        var chosen = Draw(1, 1, 1).lt(HeldScalars.Full([1], probability, ScalarType.Float32).to(device)).to(images.dtype);
        var brightness = Draw(1, 1, 1).Plus(-0.5).mul(chosen);
        var saturation = Draw(1, 1, 1).Times(2).Plus(-1).mul(chosen).Plus(1);
        var contrast = Draw(1, 1, 1).Plus(-0.5).mul(chosen).Plus(1);
        var x = images;
        if (transforms.Contains("color"))
        {
            x = x.Plus(brightness);
            var pixelMean = x.mean([1], keepdim: true);
            x = (x - pixelMean).mul(saturation).Plus(pixelMean);
            var imageMean = x.mean([1, 2, 3], keepdim: true);
            x = (x - imageMean).mul(contrast).Plus(imageMean);
        }

        // Translation: rows and columns read from the image padded by the largest shift, offset per image.
        var shift = Math.Max(1, size / 8);
        var (dy, dx) = (Offsets(Draw(), 2 * shift + 1, chosen), Offsets(Draw(), 2 * shift + 1, chosen));
        if (transforms.Contains("translation"))
        {
            x = Translated(x, shift, dy, dx);
        }

        // Cutout: a square of half the side, anywhere (partly outside at the borders), set to 0.
        var half = size / 2;
        var (top, left) = (Offsets(Draw(), size + 1, chosen), Offsets(Draw(), size + 1, chosen));
        if (!transforms.Contains("cutout"))
        {
            return x;
        }

        var low = half / 2;
        var positions = Positions(size, device);
        var insideRows = Within(positions, top, low, half, chosen);
        var insideColumns = Within(positions, left, low, half, chosen);
        var keep = insideRows.view(rows, 1, size, 1).logical_and(insideColumns.view(rows, 1, 1, size)).logical_not().to(x.dtype);
        return x.mul(keep);
    }

    private static Tensor Positions(long size, Device device) => tensor(Enumerable.Range(0, (int)size).Select(i => (long)i).ToArray()).to(device).unsqueeze(0);

    // Each image shifted by (dy, dx) - shift pixels, zero-filled: rows and columns read from the image padded by the largest shift.
    private static Tensor Translated(Tensor x, long shift, Tensor dy, Tensor dx)
    {
        var (rows, channels, size) = (x.shape[0], x.shape[1], x.shape[2]);
        var positions = Positions(size, x.device);
        var padded = nn.functional.pad(x, [shift, shift, shift, shift]);
        var rowIndex = positions.Plus(dy.unsqueeze(1)).view(rows, 1, size, 1).expand(rows, channels, size, size + (2 * shift));
        var columnIndex = positions.Plus(dx.unsqueeze(1)).view(rows, 1, 1, size).expand(rows, channels, size, size);
        return padded.gather(2, rowIndex).gather(3, columnIndex);
    }

    // Whole numbers in [0, count) from uniform draws, for the images chosen; the middle (no change) for the others.
    private static Tensor Offsets(Tensor uniform, long count, Tensor chosen)
    {
        var drawn = uniform.Times(count).floor().Clamped(0, count - 1);
        var middle = HeldScalars.Full([1], (count - 1) / 2, ScalarType.Float32).to(uniform.device);
        return where(chosen.view(-1).gt(HeldScalars.Full([1], 0.5, ScalarType.Float32).to(uniform.device)), drawn.view(-1), middle).to(ScalarType.Int64);
    }

    // Which of the positions lie in [centre - low, centre - low + length), for the images chosen (none for the others).
    private static Tensor Within(Tensor positions, Tensor centres, long low, long length, Tensor chosen)
    {
        var start = centres.unsqueeze(1) - HeldScalars.Full([1], low, ScalarType.Float32).to(centres.device).to(ScalarType.Int64);
        var end = start.Plus(HeldScalars.Full([1], length, ScalarType.Float32).to(centres.device).to(ScalarType.Int64));
        var inside = positions.ge(start).logical_and(positions.lt(end));
        return inside.logical_and(chosen.view(-1, 1).gt(HeldScalars.Full([1], 0.5, ScalarType.Float32).to(centres.device)));
    }
}
