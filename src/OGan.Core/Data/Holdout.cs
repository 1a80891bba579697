using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OGan.Data;

/// <summary>Which part of a folder a split keeps.</summary>
public enum HoldoutPart
{
    /// <summary>The images not held out: what a run with <c>--holdout</c> trains on.</summary>
    Training = 0,

    /// <summary>The images held out: what <c>ogan eval</c> measures reconstructions and FID against.</summary>
    HeldOut = 1,
}

/// <summary>
/// A fixed fraction of a folder's images held back from training, chosen by name: an image is held out when
/// the SHA-256 of its path relative to the folder, read as a number in [0, 1), is below <see cref="Fraction"/>.
/// The choice depends on the name alone, so it is the same on every machine and for every order of files,
/// and adding images never moves an old one from one part to the other.
/// </summary>
/// <param name="Fraction">The share held out, in (0, 1).</param>
/// <param name="Part">The part kept.</param>
public sealed record Holdout(double Fraction, HoldoutPart Part)
{
    /// <summary>Whether the image at <paramref name="relativePath"/> (with '/' separators) belongs to <see cref="Part"/>.</summary>
    public bool Keeps(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(relativePath.Replace('\\', '/')));
        var position = (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
        return position < Fraction == (Part == HoldoutPart.HeldOut);
    }

    /// <summary>For descriptions and cache names: "training part, 10% held out by name" or "held-out 10%".</summary>
    public override string ToString()
    {
        var percent = (Fraction * 100).ToString("0.##", CultureInfo.InvariantCulture);
        return Part == HoldoutPart.HeldOut ? $"held-out {percent}%" : $"training part, {percent}% held out by name";
    }

    /// <summary>Checks the fraction.</summary>
    /// <exception cref="ArgumentException">Not in (0, 1).</exception>
    public Holdout Validate() =>
        Fraction is > 0 and < 1 ? this : throw new ArgumentException($"the held-out fraction must lie in (0, 1), got {Fraction}");
}
