using OGan.Data;
using OGan.Imaging;
using OGan.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace OGan.Cli.Serve;

/// <summary>
/// The model the page works with, and the one lock around it: requests run one at a time on the networks
/// (their eval-mode switch and BatchNorm state are shared), each inside its own dispose scope, so concurrent
/// users cannot see each other's results and no request leaves tensors behind.
/// </summary>
internal sealed class ModelHost(Device device, MixedPrecision.Precision precision) : IDisposable
{
    private const int TrimEvery = 50;
    private readonly SemaphoreSlim gate = new(1, 1);
    private OGanModel? model;
    private long requests;
    private Directions? directions;

    public CheckpointEntry? Current { get; private set; }

    /// <summary>The current model's shape, read without waiting for the requests under way.</summary>
    public Models.OGanConfig Config => model?.Config ?? throw new InvalidOperationException("no checkpoint is loaded");

    /// <summary>Runs <paramref name="work"/> on the current model, alone, in a dispose scope.</summary>
    public async Task<T> Use<T>(Func<OGanModel, T> work, CancellationToken cancellation)
    {
        await gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            var current = model ?? throw new InvalidOperationException("no checkpoint is loaded");
            try
            {
                using var scope = NewDisposeScope();
                return work(current);
            }
            finally
            {
                // Each request leaves ~90 KB of managed garbage (pixels, PNG bytes) that a lazy gen0 budget lets
                // pile up for hundreds of MB, and glibc keeps the pages libtorch freed: collect and trim now and
                // then, so that resident memory stays flat (bench/README.md).
                if (++requests % TrimEvery == 0)
                {
                    GC.Collect(0);
                    Engine.NativeMemory.Trim();
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Loads <paramref name="entry"/> in place of the current model (after the requests under way).</summary>
    public async Task Select(CheckpointEntry entry, CancellationToken cancellation)
    {
        await gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (Current?.Path == entry.Path && model is not null)
            {
                return;
            }

            var loaded = OGanModel.Load(entry.Path, device, precision);
            model?.Dispose();
            (model, directions, Current) = (loaded, null, entry);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Principal directions of N(E(x)) over up to 500 training images of the run's data, or over 500 samples
    /// G(z) when that data is not on this machine; computed once per checkpoint. The images are read and decoded
    /// before taking the model, so other requests are not held up by it.
    /// </summary>
    public async Task<Directions> Directions(CancellationToken cancellation)
    {
        var (entry, cached) = (Current, directions);
        if (cached is not null)
        {
            return cached;
        }

        var config = Config;
        using var images = entry is null ? null : await Task.Run(() => RunImages.Load(entry.RunFolder, config), cancellation).ConfigureAwait(false);
        return await Use(
            m => directions ??= Serve.Directions.Of(m, Current == entry && images is not null ? images.to(m.Device) : null),
            cancellation).ConfigureAwait(false);
    }

    public void Dispose()
    {
        model?.Dispose();
        gate.Dispose();
    }
}
