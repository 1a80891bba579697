namespace OGan.Training;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its action at once on the reporting thread (unlike
/// <see cref="Progress{T}"/>, which posts to a synchronisation context and may run later or on another thread).
/// </summary>
public sealed class CallbackProgress<T>(Action<T> action) : IProgress<T>
{
    private readonly Action<T> action = action ?? throw new ArgumentNullException(nameof(action));

    /// <inheritdoc/>
    public void Report(T value) => action(value);
}
