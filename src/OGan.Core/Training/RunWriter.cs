using System.Text.Json;
using OGan.Data;
using OGan.Imaging;
using OGan.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Training;

/// <summary>
/// What a run folder receives while training, besides checkpoints and stats.jsonl: the sample grid (64 fixed
/// latents, the same every time), the reconstruction grid (32 training images beside G(N(E(x)))) and the
/// metric files, each from the model as it is at that step.
/// </summary>
internal sealed class RunWriter : IDisposable
{
    private const int GridCount = 64;

    private readonly RunFolder folder;
    private readonly ImageSet data;
    private readonly Tensor fixedLatents;

    public RunWriter(RunFolder folder, ImageSet data, int latentDim, ulong seed, Device device)
    {
        this.folder = folder;
        this.data = data;
        using var fixedRandom = new torch.Generator(seed);
        using var scope = NewDisposeScope(); // drawn on the CPU: the CPU copy goes with the scope when the run is on CUDA
        fixedLatents = randn([GridCount, latentDim], generator: fixedRandom).to(device).DetachFromDisposeScope();
    }

    /// <summary>Writes samples-STEP.png and reconstructions-STEP.png.</summary>
    public void SaveGrids(OGanModel model, long step)
    {
        using var scope = NewDisposeScope();
        ImageGrid.Save(folder.Samples(step), model.Sample(fixedLatents), 8);
        var real = data.First(32, model.Device);
        ImageGrid.Save(folder.Reconstructions(step), ImageGrid.Interleave(real, model.Reconstruct(real)), 8);
    }

    /// <summary>Appends rho on 1,000 fresh latents and the reconstruction quality of 500 training images to metric-rho.jsonl and metric-reconstruction.jsonl.</summary>
    public void WriteMetrics(OGanModel model, long step)
    {
        using var scope = NewDisposeScope();
        var rho = Evaluation.EncoderMetrics.LatentCorrelation(model, 1000, seed: 123);
        var quality = Evaluation.EncoderMetrics.Reconstruction(model, data, 500);
        File.AppendAllText(folder.Metric("rho"), JsonSerializer.Serialize(new { step, rho }) + "\n");
        File.AppendAllText(folder.Metric("reconstruction"), JsonSerializer.Serialize(new { step, mse = quality.Mse, psnr = quality.Psnr, ssim = quality.Ssim }) + "\n");
    }

    public void Dispose() => fixedLatents.Dispose();
}
