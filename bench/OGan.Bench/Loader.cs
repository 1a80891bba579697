using System.Diagnostics;
using OGan.Data;
using OGan.Imaging;
using static TorchSharp.torch;

namespace OGan.Bench;

/// <summary>
/// Images per second of the data paths at one size: ImageSharp's decode, crop and resize on all cores,
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
        Parallel.For(0, encoded.Length, i => Preprocess.Square(encoded[i], 3, size));

        // The codec alone: decode, crop and resize in memory, one image per core at a time.
        var clock = Stopwatch.StartNew();
        Parallel.For(0, list.Length, i => Preprocess.Square(encoded[i % encoded.Length], 3, size));
        Report($"ImageSharp decode + crop + resize to {size} px (in memory, all cores)", list.Length, clock.Elapsed.TotalSeconds);

        clock.Restart();
        var count = 0;
        foreach (var image in ParallelDecoder.Decode(list.Select(EncodedImage.FromFile), 3, size))
        {
            count++;
        }

        Report($"folder loader (read, decode, crop, resize to {size} px)", count, clock.Elapsed.TotalSeconds);

        var prepared = Path.Combine(Path.GetTempPath(), $"ogan-bench-{Environment.ProcessId}{PreparedSet.Extension}");
        try
        {
            PreparedSet.Create(prepared, new RepeatedSource(list), size, 3);
            using var set = PreparedSet.Open(prepared);
            var random = new Random(1);
            const int batch = 64;
            const int batches = 400;
            for (var pass = 0; pass < 2; pass++) // the first pass warms the page cache
            {
                clock.Restart();
                for (var i = 0; i < batches; i++)
                {
                    using var pixels = set.PixelsAt(Indices(set.Count, batch, random));
                }
            }

            Report($"prepared file (random uint8 batches of {batch}, memory-mapped)", batches * Math.Min(batch, set.Count), clock.Elapsed.TotalSeconds);
            clock.Restart();
            for (var i = 0; i < batches; i++)
            {
                using var images = set.Batch(Indices(set.Count, batch, random), CPU);
            }

            Report($"prepared file (the same, as float in [-1, 1] for the CPU trainer)", batches * Math.Min(batch, set.Count), clock.Elapsed.TotalSeconds);
        }
        finally
        {
            File.Delete(prepared);
        }
    }

    private static long[] Indices(int count, int batch, Random random) =>
        [.. Enumerable.Range(0, Math.Min(batch, count)).Select(_ => (long)random.Next(count))];

    private static void Report(string what, int images, double seconds) =>
        Console.WriteLine(FormattableString.Invariant($"{what}: {images / seconds:F0} images/s ({images} in {seconds:F2} s)"));

    private sealed class RepeatedSource(string[] files) : IImageSource
    {
        public string Description => "bench";

        public IEnumerable<EncodedImage> Images() => files.Select(EncodedImage.FromFile);
    }
}
