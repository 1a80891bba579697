using OGan.Native;

namespace OGan.Tensors;

/// <summary>
/// A seeded source of random numbers (a libtorch CPU generator). Numbers are drawn on the CPU and moved
/// to the target device, so one seed gives the same values everywhere. Its state can be saved and restored.
/// </summary>
public sealed class RandomGenerator : IDisposable
{
    /// <summary>Creates a generator seeded with <paramref name="seed"/>.</summary>
    public RandomGenerator(ulong seed)
    {
        Handle = NativeMethods.ogan_generator_new(seed);
        if (Handle.IsInvalid)
        {
            Handle.Dispose();
            throw new TorchException("could not create a random generator");
        }
    }

    internal GeneratorHandle Handle { get; }

    /// <summary>The generator's whole state, as a uint8 tensor (for checkpoints).</summary>
    public Tensor GetState() => Tensor.Wrap(NativeMethods.ogan_generator_get_state(Handle));

    /// <summary>Restores a state returned by <see cref="GetState"/>.</summary>
    /// <exception cref="TorchException">The tensor is not a generator state.</exception>
    public void SetState(Tensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        NativeError.Check(NativeMethods.ogan_generator_set_state(Handle, state.Handle));
    }

    /// <summary>Frees the generator.</summary>
    public void Dispose() => Handle.Dispose();

    internal static GeneratorHandle HandleOf(RandomGenerator? generator) => generator?.Handle ?? GeneratorHandle.Null;
}
