using OGan.Models;

namespace OGan.Training;

/// <summary>
/// What <c>ogan train</c> takes for photos (any data set but Fashion-MNIST) where an option is not given: the
/// model and training settings chosen by the faces study of docs/results.md section 10 (CelebA at 64 px on a
/// 2-core CPU, 15-minute budgets). Options not named here keep <see cref="TrainingOptions"/>' and
/// <see cref="OGanConfig"/>'s defaults, which were chosen on Fashion-MNIST.
/// </summary>
public static class PhotoDefaults
{
    /// <summary>The model for <paramref name="size"/> px RGB photos.</summary>
    public static OGanConfig Model(int size) => new() { ImageSize = size, Channels = 3, Width = 128, ZDim = size };

    /// <summary>The training options for photos at <paramref name="size"/> px.</summary>
    public static TrainingOptions Training(int size) => new() { BatchSize = 64, LearningRate = 4e-4, LearningRateDecay = LearningRateDecay.None, Flip = true };
}
