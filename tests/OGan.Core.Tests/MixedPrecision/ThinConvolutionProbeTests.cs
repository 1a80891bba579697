using OGan.Core.Tests.Memory;
using OGan.MixedPrecision;

namespace OGan.Core.Tests.MixedPrecision;

/// <summary>The probe runs at a moment the program does not choose (the first layer call), so it must not move the default generator.</summary>
[Collection(nameof(RunsAlone))] // alone: every other test may draw from the default generator meanwhile
public sealed class ThinConvolutionProbeTests
{
    [Fact]
    public void Measuring_leaves_the_default_generator_where_it_was()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var expected = rand(4).data<float>().ToArray();
        manual_seed(7);
        ThinConvolutionProbe.Measure();
        Assert.Equal(expected, rand(4).data<float>().ToArray());
    }
}
