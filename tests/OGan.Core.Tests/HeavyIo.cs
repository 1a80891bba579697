namespace OGan.Core.Tests;

/// <summary>
/// Tests that write gigabytes run alone: their flushes to disk would stall the checkpoint writes of tests
/// that measure how fast a run stops (the one full run that had a 2.2 GB write beside the mpirun SIGTERM test failed it).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyIo
{
    public const string Name = "heavy I/O";
}
