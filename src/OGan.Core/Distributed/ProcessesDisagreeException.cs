namespace OGan.Distributed;

/// <summary>
/// The processes of a job were given different settings or data (<see cref="ProcessGroup.CheckAgreement"/>). Every
/// process throws it alike, after the same collective, so it ends the whole job without one waiting for another.
/// </summary>
public sealed class ProcessesDisagreeException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public ProcessesDisagreeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception without a message.</summary>
    public ProcessesDisagreeException()
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public ProcessesDisagreeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
