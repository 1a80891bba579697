namespace OGan.Distributed;

/// <summary>An MPI or NCCL call failed, or MPI did not start as the launcher said it would (an I/O error between processes).</summary>
public sealed class CommunicationException : IOException
{
    /// <summary>Creates the exception with its message.</summary>
    public CommunicationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception without a message.</summary>
    public CommunicationException()
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public CommunicationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
