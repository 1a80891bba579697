using OGan.Models;

namespace OGan.Training;

/// <summary>
/// What <c>ogan train</c> takes for photos (any data set but Fashion-MNIST) where an option is not given: the
/// model and training settings chosen by the faces studies of docs/results.md: section 10 (CelebA at 64 px on a
/// 2-core CPU, 15-minute budgets) and section 11 (at 128 px, 30-minute budgets). Options not named here keep <see cref="TrainingOptions"/>' and
/// <see cref="OGanConfig"/>'s defaults, which were chosen on Fashion-MNIST.
/// </summary>
public static class PhotoDefaults
{
    /// <summary>
    /// The model for <paramref name="size"/> px RGB photos. At 128 px and above it is width 256 (G's channels at 4x4; 128 below)
    /// and no hidden layer has fewer than 64 channels (<see cref="OGanConfig.MinChannels"/>): docs/results.md section 11.9 (a
    /// floor of 16 where G's last hidden layer at 128 px had 8), 11.10 (32, two seeds), 11.11 (width 256, two seeds) and
    /// 11.12 (64, two seeds).
    /// </summary>
    public static OGanConfig Model(int size) => new() { ImageSize = size, Channels = 3, Width = size >= 128 ? 256 : 128, ZDim = size, MinChannels = size >= 128 ? 64 : 0 };

    /// <summary>
    /// The sizes a photo run at <paramref name="size"/> px trains through first (`ogan train --grow`), or null: from 64 px
    /// up, at 128 px and above (docs/results.md section 11.1: at 128 px on 2 cores, 30 minutes of which a third at 64 px
    /// against 30 minutes at 128 px, the same day; section 11.4: grown by skips, `ogan train`'s default; section 11.6: four
    /// fifths of the time at 64 px, `--grow-share`'s default). Above 128 px it is the same rule, not measured.
    /// </summary>
    public static string? GrowthSizes(int size) =>
        size >= 128 ? string.Join(',', Enumerable.Range(0, System.Numerics.BitOperations.Log2((uint)size / 64)).Select(i => 64 << i)) : null;

    /// <summary>
    /// The training options for photos at <paramref name="size"/> px. At 128 px and above the batch is 32 (64 below): at a fixed
    /// budget on 2 cores it runs 1.7 to 2.1 times the iterations, and gave the lower FID on both seeds (docs/results.md section 11.13).
    /// </summary>
    public static TrainingOptions Training(int size) => new() { BatchSize = size >= 128 ? 32 : 64, LearningRate = 4e-4, LearningRateDecay = LearningRateDecay.None, Flip = true };
}
