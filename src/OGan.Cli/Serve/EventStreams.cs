namespace OGan.Cli.Serve;

/// <summary>How many server-sent event streams are open at once: at most <see cref="Limit"/>.</summary>
internal static class EventStreams
{
    /// <summary>The most streams open at once.</summary>
    public const int Limit = 32;

    private static int open;

    /// <summary>Takes a place, given back when the result is disposed; null when all are taken.</summary>
    public static IDisposable? Enter()
    {
        if (Interlocked.Increment(ref open) > Limit)
        {
            Interlocked.Decrement(ref open);
            return null;
        }

        return new Place();
    }

    private sealed class Place : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Interlocked.Decrement(ref open);
            }
        }
    }
}
