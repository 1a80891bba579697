using OGan.Core.Tests.Checkpoints;
using OGan.Export;
using OGan.Models;
using OGan.Onnx;

namespace OGan.Core.Tests.Export;

/// <summary>
/// python/ogan_torch.py exports a checkpoint through torch.onnx.export (PyTorch 2.6 and python3-onnx in the
/// Debian 13 root) to the layout of `ogan export`; OGan.Onnx loads it, and ONNX Runtime gives what OGan's own
/// export of the same weights gives.
/// </summary>
public sealed class PythonExportTests
{
    [Fact]
    public void A_PyTorch_export_of_the_same_weights_runs_in_ONNX_Runtime_as_OGan_s_export()
    {
        using var data = Fixtures.FashionMnist(train: true, limit: 256);
        var checkpoint = OnnxExportTests.Train(new OGanConfig { ImageSize = 32, Channels = 1, Width = 16, ZDim = 16 }, data, "fashion-mnist");
        var (ours, theirs) = (Fixtures.TemporaryFolder(), Fixtures.TemporaryFolder());
        OnnxExport.Write(checkpoint, ours);
        PyTorchCompatibilityTests.RunPythonScript("export", checkpoint, theirs);

        using var oganExport = OnnxModel.Load(ours);
        using var pytorchExport = OnnxModel.Load(theirs);
        Assert.Equal(oganExport.CheckpointSha256, pytorchExport.CheckpointSha256);
        var latents = oganExport.Latents(16, seed: 4);
        var images = oganExport.Generate(latents);
        Assert.InRange(OnnxExportTests.MaxDifference(images, pytorchExport.Generate(latents)), 0, 1e-5);
        var (oursLatents, oursCodes) = oganExport.EncodeValues(images);
        var (theirLatents, theirCodes) = pytorchExport.EncodeValues(images);
        Assert.InRange(OnnxExportTests.MaxDifference(oursCodes, theirCodes), 0, 1e-4);
        Assert.InRange(OnnxExportTests.MaxDifference(oursLatents, theirLatents), 0, 1e-4);
    }
}
