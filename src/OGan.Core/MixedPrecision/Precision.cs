namespace OGan.MixedPrecision;

/// <summary>The arithmetic G and E run in. Parameters, optimizer state, BatchNorm statistics and losses are fp32 in every case.</summary>
public enum Precision
{
    /// <summary>bf16 where the device computes it natively (<see cref="PrecisionChoice"/>), fp32 elsewhere.</summary>
    Auto,

    /// <summary>Everything in fp32.</summary>
    Fp32,

    /// <summary>Convolutions, transposed convolutions and linear layers compute in bf16 (PyTorch autocast's rule); the rest stays fp32.</summary>
    Bf16,
}
