namespace OGan.Checkpoints;

/// <summary>One part of a checkpoint: the prefix of its tensors' names and what they hold.</summary>
public sealed record CheckpointPart(string Prefix, string Description);
