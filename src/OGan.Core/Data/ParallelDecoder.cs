using System.Collections.Concurrent;
using OGan.Imaging;
using OGan.Tensors;

namespace OGan.Data;

/// <summary>A decoded image, or why it could not be decoded.</summary>
public sealed record DecodedImage(string Name, Tensor? Pixels, string? Error);

/// <summary>
/// Decodes and resizes images on background workers (all cores by default), handing them back in their
/// original order through a bounded queue, so that memory stays bounded however many images there are.
/// Bad images come back with their error instead of pixels; they never stop the stream.
/// </summary>
public static class ParallelDecoder
{
    /// <summary>Images of <paramref name="source"/> as uint8 (channels, size, size); the caller owns and disposes each tensor.</summary>
    public static IEnumerable<DecodedImage> Decode(IEnumerable<EncodedImage> source, int channels, int size, int workers = 0, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        workers = workers > 0 ? workers : Environment.ProcessorCount;
        var chunkSize = workers * 32; // large enough that the wait for a chunk's slowest image is rare
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var queue = new BlockingCollection<DecodedImage[]>(boundedCapacity: 2);
        var producer = Task.Run(() => Produce(source, channels, size, workers, chunkSize, queue, stop.Token), stop.Token);
        try
        {
            foreach (var chunk in queue.GetConsumingEnumerable(stop.Token))
            {
                foreach (var image in chunk)
                {
                    yield return image;
                }
            }

            producer.GetAwaiter().GetResult(); // surfaces a failure of the source itself
        }
        finally
        {
            // The consumer may stop early: release the producer before the queue goes away.
            stop.Cancel();
            try
            {
                producer.Wait(CancellationToken.None);
            }
            catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
            {
            }
        }
    }

    private static void Produce(IEnumerable<EncodedImage> source, int channels, int size, int workers, int chunkSize, BlockingCollection<DecodedImage[]> queue, CancellationToken stop)
    {
        try
        {
            foreach (var chunk in source.Chunk(chunkSize))
            {
                var decoded = new DecodedImage[chunk.Length];
                Parallel.For(0, chunk.Length, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = stop },
                    i => decoded[i] = DecodeOne(chunk[i], channels, size));
                queue.Add(decoded, stop);
            }
        }
        finally
        {
            queue.CompleteAdding();
        }
    }

    private static DecodedImage DecodeOne(EncodedImage image, int channels, int size)
    {
        try
        {
            var bytes = image.Load();
            using var scope = DisposeScope.Enter();
            var pixels = Preprocess.Square(ImageCodec.Decode(bytes, channels, minSide: size), size);
            return new DecodedImage(image.Name, pixels.DetachFromScope(), null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return new DecodedImage(image.Name, null, e.Message);
        }
    }
}
