using System.Diagnostics;
using OGan.Data;
using OGan.Imaging;
using OGan.Tensors;

namespace OGan.Bench;

/// <summary>
/// Images per second of the data paths at one size: libjpeg-turbo's own (DCT-scaled) decode on all cores,
/// the folder loader (read + decode + crop + antialiased resize on background workers), and training
/// batches from a prepared, memory-mapped file.
/// </summary>
internal static class Loader
{
    public static void Run(string folder, int size, int repeat)
    {
        var files = new ImageFolder(folder).Files;
        var list = Enumerable.Repeat(files, repeat).SelectMany(f => f).ToArray();
        var encoded = files.Select(File.ReadAllBytes).ToArray();

        // Warm up (JIT, thread pool, page cache) on one pass over the files.
        Parallel.For(0, encoded.Length, i =>
        {
            using var image = ImageCodec.Decode(encoded[i], 3, minSide: size);
        });

        // libjpeg-turbo alone: decode at the reduced scale, in memory, one image per core at a time.
        var clock = Stopwatch.StartNew();
        Parallel.For(0, list.Length, i =>
        {
            using var image = ImageCodec.Decode(encoded[i % encoded.Length], 3, minSide: size);
        });
        Report("libjpeg-turbo decode (scaled, in memory, all cores)", list.Length, clock.Elapsed.TotalSeconds);

        clock.Restart();
        var count = 0;
        foreach (var image in ParallelDecoder.Decode(list.Select(EncodedImage.FromFile), 3, size))
        {
            image.Pixels?.Dispose();
            count++;
        }

        Report($"folder loader (read, decode, crop, resize to {size} px)", count, clock.Elapsed.TotalSeconds);

        var prepared = Path.Combine(Path.GetTempPath(), $"ogan-bench-{Environment.ProcessId}{PreparedSet.Extension}");
        try
        {
            PreparedSet.Create(prepared, new RepeatedSource(list), size, 3);
            using var set = PreparedSet.Open(prepared);
            using var random = new RandomGenerator(1);
            const int batch = 64;
            const int batches = 400;
            for (var pass = 0; pass < 2; pass++) // the first pass warms the page cache
            {
                clock.Restart();
                for (var i = 0; i < batches; i++)
                {
                    using var scope = DisposeScope.Enter();
                    var indices = Torch.Randperm(set.Count, random).Slice(0, 0, Math.Min(batch, set.Count));
                    set.Pixels.IndexSelect(0, indices);
                }
            }

            Report($"prepared file (random uint8 batches of {batch}, memory-mapped)", batches * Math.Min(batch, set.Count), clock.Elapsed.TotalSeconds);
            clock.Restart();
            for (var i = 0; i < batches; i++)
            {
                using var scope = DisposeScope.Enter();
                var indices = Torch.Randperm(set.Count, random).Slice(0, 0, Math.Min(batch, set.Count));
                set.Batch(indices, Device.Cpu);
            }

            Report($"prepared file (the same, as float in [-1, 1] for the CPU trainer)", batches * Math.Min(batch, set.Count), clock.Elapsed.TotalSeconds);
        }
        finally
        {
            File.Delete(prepared);
        }
    }

    private static void Report(string what, int images, double seconds) =>
        Console.WriteLine(FormattableString.Invariant($"{what}: {images / seconds:F0} images/s ({images} in {seconds:F2} s)"));

    private sealed class RepeatedSource(string[] files) : IImageSource
    {
        public string Description => "bench";

        public IEnumerable<EncodedImage> Images() => files.Select(EncodedImage.FromFile);
    }
}
