using OGan.Evaluation;

namespace OGan.Core.Tests.Evaluation;

public sealed class FeatureDistanceTests
{
    [Fact]
    public void Identical_sets_are_at_distance_zero_and_a_shift_costs_its_squared_length()
    {
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(5);
        var a = randn([2000, 6], ScalarType.Float64, generator: random) * tensor(new double[] { 1, 2, 0.5, 1, 3, 1 }, [1, 6]);
        Assert.Equal(0, FeatureDistance.Frechet(a, a), 6);
        var shift = tensor(new double[] { 1, -2, 0, 0.5, 0, 0 }, [1, 6]);
        Assert.Equal(1 + 4 + 0.25, FeatureDistance.Frechet(a + shift, a), 6);
    }

    [Fact]
    public void Frechet_distance_between_two_gaussians_matches_the_closed_form()
    {
        // N(0, diag(1, 4)) against N(0, diag(4, 1)): Tr = 5 + 5 - 2 * (sqrt(4) + sqrt(4)) = 2, estimated from samples.
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(6);
        var a = randn([200_000, 2], ScalarType.Float64, generator: random) * tensor(new double[] { 1, 2 }, [1, 2]);
        var b = randn([200_000, 2], ScalarType.Float64, generator: random) * tensor(new double[] { 2, 1 }, [1, 2]);
        Assert.Equal(2.0, FeatureDistance.Frechet(a, b), 1);
    }

    [Fact]
    public void KID_is_near_zero_for_the_same_distribution_and_large_for_a_shifted_one()
    {
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(7);
        var a = randn([3000, 8], generator: random);
        var b = randn([3000, 8], generator: random);
        var same = FeatureDistance.Kernel(a, b, subsets: 5, subsetSize: 1000);
        var shifted = FeatureDistance.Kernel(a, b + 1.0, subsets: 5, subsetSize: 1000);
        Assert.True(Math.Abs(same) < 0.05, $"KID of one distribution against itself: {same}");
        Assert.True(shifted > 20 * Math.Abs(same) + 0.1, $"KID of a shifted distribution: {shifted}, unshifted {same}");
    }

    [Fact]
    public void Frechet_distance_of_correlated_gaussians_matches_the_matrix_square_root_formula()
    {
        // Σa = [[2, 1], [1, 2]] against Σb = I with equal means: Tr(Σa) + 2 - 2 Tr(Σa^½) = 4 + 2 - 2 (1 + √3).
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(9);
        var root = tensor(new double[] { 1.3660254037844386, 0.36602540378443865, 0.36602540378443865, 1.3660254037844386 }, [2, 2]); // Σa^½
        var a = randn([400_000, 2], ScalarType.Float64, generator: random).matmul(root);
        var b = randn([400_000, 2], ScalarType.Float64, generator: random);
        Assert.Equal(6 - 2 * (1 + Math.Sqrt(3)), FeatureDistance.Frechet(a, b), 1);
    }

    [Fact]
    public void A_linear_probe_separates_separable_classes_and_not_noise()
    {
        using var scope = NewDisposeScope();
        using var random = new torch.Generator(8);
        var labels = Enumerable.Range(0, 600).Select(i => (long)(i % 3)).ToArray();
        var centres = tensor(new float[] { 0, 0, 4, 0, 0, 4 }, [3, 2]);
        var separable = centres.index_select(0, tensor(labels)) + randn([600, 2], generator: random) * 0.5;
        Assert.True(LinearProbe.Accuracy(separable[..300], labels[..300], separable[300..600], labels[300..], classes: 3) > 0.95);
        var noise = randn([600, 2], generator: random);
        var chance = LinearProbe.Accuracy(noise[..300], labels[..300], noise[300..600], labels[300..], classes: 3);
        Assert.InRange(chance, 0.2, 0.5);
    }
}
