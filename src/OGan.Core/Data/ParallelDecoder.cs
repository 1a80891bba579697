using System.Buffers;
using System.Collections.Concurrent;
using OGan.Imaging;

namespace OGan.Data;

/// <summary>A decoded image, or why it could not be decoded.</summary>
/// <param name="Name">The path or key.</param>
/// <param name="Pixels">Planar uint8 (C, S, S), or null.</param>
/// <param name="Error">Why it could not be decoded, or null.</param>
/// <param name="Side">The side of the photo's centred square before resizing (below the size asked for: enlarged); 0 when not decoded.</param>
internal sealed record DecodedImage(string Name, byte[]? Pixels, string? Error, int Side = 0);

/// <summary>
/// Decodes and resizes images on background workers (all cores by default), handing them back in their
/// original order through a bounded queue, so that memory stays bounded however many images there are.
/// Bad images come back with their error instead of pixels; they never stop the stream.
/// </summary>
internal static class ParallelDecoder
{
    /// <summary>Images of <paramref name="source"/> as planar uint8 (channels, size, size), in order.</summary>
    public static IEnumerable<DecodedImage> Decode(IEnumerable<EncodedImage> source, int channels, int size, int workers = 0, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        workers = workers > 0 ? workers : Environment.ProcessorCount;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);

        // One task per image on a scheduler that runs at most `workers` at once; the queue of started
        // tasks is bounded, and taking them in order gives the images back in order with no barriers.
        var scheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, workers).ConcurrentScheduler;
        using var queue = new BlockingCollection<Task<DecodedImage>>(boundedCapacity: workers * 8);
        var producer = Task.Run(() => Produce(source, channels, size, scheduler, queue, stop.Token), stop.Token);
        try
        {
            foreach (var task in queue.GetConsumingEnumerable(stop.Token))
            {
                yield return task.GetAwaiter().GetResult();
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

    private static void Produce(IEnumerable<EncodedImage> source, int channels, int size, TaskScheduler scheduler, BlockingCollection<Task<DecodedImage>> queue, CancellationToken stop)
    {
        try
        {
            foreach (var image in source)
            {
                var task = Task.Factory.StartNew(() => DecodeOne(image, channels, size), stop, TaskCreationOptions.None, scheduler);
                queue.Add(task, stop);
            }
        }
        finally
        {
            queue.CompleteAdding();
        }
    }

    private static DecodedImage DecodeOne(EncodedImage image, int channels, int size)
    {
        byte[]? rented = null;
        try
        {
            byte[] bytes;
            int length;
            if (image.FilePath is { } path)
            {
                // Files go through a pooled buffer: photos are mostly over 85 kB, and a fresh array each
                // would churn the large-object heap.
                using var handle = File.OpenHandle(path);
                var fileLength = RandomAccess.GetLength(handle);
                if (fileLength > Array.MaxLength)
                {
                    throw new InvalidDataException($"{fileLength} bytes is too large for an image file");
                }

                rented = ArrayPool<byte>.Shared.Rent((int)fileLength);
                bytes = rented;
                length = RandomAccess.Read(handle, rented.AsSpan(0, (int)fileLength), 0);
            }
            else
            {
                bytes = image.Load();
                length = bytes.Length;
            }

            var pixels = Preprocess.Square(bytes, channels, size, length, out var side);
            return new DecodedImage(image.Name, pixels, null, side);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return new DecodedImage(image.Name, null, e.Message);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
