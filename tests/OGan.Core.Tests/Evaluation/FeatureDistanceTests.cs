using OGan.Evaluation;

namespace OGan.Core.Tests.Evaluation;

public sealed class FeatureDistanceTests
{
    [Fact]
    public void Identical_sets_are_at_distance_zero_and_a_shift_costs_its_squared_length()
    {
        using var scope = DisposeScope.Enter();
        using var random = new RandomGenerator(5);
        var a = Torch.Randn([2000, 6], random, DType.Float64) * Torch.FromArray<double>([1, 2, 0.5, 1, 3, 1], [1, 6]);
        Assert.Equal(0, FeatureDistance.Frechet(a, a), 6);
        var shift = Torch.FromArray<double>([1, -2, 0, 0.5, 0, 0], [1, 6]);
        Assert.Equal(1 + 4 + 0.25, FeatureDistance.Frechet(a + shift, a), 6);
    }

    [Fact]
    public void Frechet_distance_between_two_gaussians_matches_the_closed_form()
    {
        // N(0, diag(1, 4)) against N(0, diag(4, 1)): Tr = 5 + 5 - 2 * (sqrt(4) + sqrt(4)) = 2, estimated from samples.
        using var scope = DisposeScope.Enter();
        using var random = new RandomGenerator(6);
        var a = Torch.Randn([200_000, 2], random, DType.Float64) * Torch.FromArray<double>([1, 2], [1, 2]);
        var b = Torch.Randn([200_000, 2], random, DType.Float64) * Torch.FromArray<double>([2, 1], [1, 2]);
        Assert.Equal(2.0, FeatureDistance.Frechet(a, b), 1);
    }

    [Fact]
    public void KID_is_near_zero_for_the_same_distribution_and_large_for_a_shifted_one()
    {
        using var scope = DisposeScope.Enter();
        using var random = new RandomGenerator(7);
        var a = Torch.Randn([3000, 8], random);
        var b = Torch.Randn([3000, 8], random);
        var same = FeatureDistance.Kernel(a, b, subsets: 5, subsetSize: 1000);
        var shifted = FeatureDistance.Kernel(a, b + 1.0, subsets: 5, subsetSize: 1000);
        Assert.True(Math.Abs(same) < 0.05, $"KID of one distribution against itself: {same}");
        Assert.True(shifted > 20 * Math.Abs(same) + 0.1, $"KID of a shifted distribution: {shifted}, unshifted {same}");
    }

    [Fact]
    public void Jacobi_finds_the_eigenvalues_of_a_known_matrix()
    {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3; [[4, 1, 0], [1, 3, 1], [0, 1, 4]] has 2, 4 and 5.
        Assert.Equal([1.0, 3.0], SymmetricMatrix.Eigenvalues(new double[,] { { 2, 1 }, { 1, 2 } }).Order().Select(v => Math.Round(v, 10)));
        Assert.Equal([2.0, 4.0, 5.0], SymmetricMatrix.Eigenvalues(new double[,] { { 4, 1, 0 }, { 1, 3, 1 }, { 0, 1, 4 } }).Order().Select(v => Math.Round(v, 10)));
        var root = SymmetricMatrix.Apply(new double[,] { { 2, 1 }, { 1, 2 } }, Math.Sqrt);
        var square = SymmetricMatrix.Multiply(root, root);
        Assert.Equal(2, square[0, 0], 10);
        Assert.Equal(1, square[0, 1], 10);
    }

    [Fact]
    public void A_linear_probe_separates_separable_classes_and_not_noise()
    {
        using var scope = DisposeScope.Enter();
        using var random = new RandomGenerator(8);
        var labels = Enumerable.Range(0, 600).Select(i => (long)(i % 3)).ToArray();
        var centres = Torch.FromArray<float>([0, 0, 4, 0, 0, 4], [3, 2]);
        var separable = centres.IndexSelect(0, Torch.FromArray(labels)) + Torch.Randn([600, 2], random) * 0.5;
        Assert.True(LinearProbe.Accuracy(separable.Slice(0, 0, 300), labels[..300], separable.Slice(0, 300, 600), labels[300..], classes: 3) > 0.95);
        var noise = Torch.Randn([600, 2], random);
        var chance = LinearProbe.Accuracy(noise.Slice(0, 0, 300), labels[..300], noise.Slice(0, 300, 600), labels[300..], classes: 3);
        Assert.InRange(chance, 0.2, 0.5);
    }
}
