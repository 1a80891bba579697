using OGan.Evaluation;

namespace OGan.Core.Tests.Evaluation;

/// <summary>Identity in `ogan eval`: how often a reconstruction's nearest photo is its own, and the PCA baseline beside it.</summary>
public sealed class IdentityRetrievalTests
{
    [Fact]
    public void Reconstructions_near_their_own_photos_find_them_and_unrelated_ones_score_near_chance()
    {
        using var data = Fixtures.FashionMnist(train: false, limit: 400);
        using var scope = NewDisposeScope();
        var photos = data.First(400, CPU).flatten(1);
        using var random = new torch.Generator(5);
        var close = photos + (randn(photos.shape, generator: random) * 0.05);
        var good = IdentityRetrieval.Score(close, photos);
        Assert.True(good.Top1 > 0.95, $"slightly noisy copies found their own photo {good.Top1:P1} of the time");
        Assert.True(good.Top10 >= good.Top1);

        var shuffled = photos.index_select(0, randperm(400, generator: random));
        var unrelated = IdentityRetrieval.Score(shuffled, photos);
        Assert.True(unrelated.Top1 < 0.05 && unrelated.Top10 < 0.15, $"other photos found the right one {unrelated.Top1:P1} (top-1), {unrelated.Top10:P1} (top-10) of the time; chance is {unrelated.ChanceTop1:P2} and {unrelated.ChanceTop10:P1}");
        Assert.Equal(0.0025, unrelated.ChanceTop1, 12);
        Assert.Equal(0.025, unrelated.ChanceTop10, 12);
    }

    [Fact]
    public void A_pca_with_more_components_reconstructs_held_out_photos_more_closely_and_one_with_all_reproduces_its_training_photos()
    {
        using var train = Fixtures.FashionMnist(train: true, limit: 300);
        using var test = Fixtures.FashionMnist(train: false, limit: 50);
        using var scope = NewDisposeScope();
        var fitted = train.First(300, CPU);
        var photos = test.First(50, CPU);
        double Error(int k) => (IdentityRetrieval.PcaReconstructions(fitted, photos, k) - photos).square().mean().ToDouble();
        Assert.True(Error(64) < Error(8), $"64 components reconstruct with MSE {Error(64):G3}, 8 with {Error(8):G3}");
        var own = IdentityRetrieval.PcaReconstructions(fitted, fitted.narrow(0, 0, 20), 300);
        Assert.True((own - fitted.narrow(0, 0, 20)).abs().max().ToDouble() < 1e-3, "a PCA with every component does not give its training photos back");
        Assert.Throws<ArgumentException>(() => IdentityRetrieval.PcaReconstructions(fitted, photos, 301));
    }
}
