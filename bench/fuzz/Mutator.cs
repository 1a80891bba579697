namespace OGan.Fuzz;

/// <summary>Damaged copies of a valid file: bit flips, bytes set to edge values, cuts, inserted and removed runs, and numbers in text swapped for extreme ones.</summary>
internal sealed class Mutator(int seed)
{
    private static readonly string[] ExtremeNumbers = ["0", "-1", "1", "4294967296", "9223372036854775807", "-9223372036854775808", "18446744073709551615", "1e308", "NaN", "65536"];
    private readonly Random random = new(seed);

    /// <summary>A copy of <paramref name="original"/> changed in one to four ways; never equal to it.</summary>
    public byte[] Mutate(byte[] original)
    {
        while (true)
        {
            var bytes = original;
            var changes = random.Next(1, 5);
            for (var i = 0; i < changes; i++)
            {
                bytes = Once(bytes);
            }

            if (!bytes.AsSpan().SequenceEqual(original))
            {
                return bytes;
            }
        }
    }

    private byte[] Once(byte[] input)
    {
        var bytes = (byte[])input.Clone();
        if (bytes.Length == 0)
        {
            return [(byte)random.Next(256)];
        }

        // Most formats keep their header in front: half of the changes land in the first 512 bytes.
        var at = random.Next(2) == 0 ? random.Next(Math.Min(bytes.Length, 512)) : random.Next(bytes.Length);
        switch (random.Next(7))
        {
            case 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1:
                bytes[at] = (byte)(random.Next(3) switch { 0 => 0x00, 1 => 0xFF, _ => 0x7F });
                return bytes;
            case 2:
                return bytes[..random.Next(bytes.Length)];
            case 3:
                var run = new byte[random.Next(1, 64)];
                random.NextBytes(run);
                return [.. bytes[..at], .. run, .. bytes[at..]];
            case 4:
                return [.. bytes[..at], .. bytes[Math.Min(bytes.Length, at + random.Next(1, 64))..]];
            case 5:
                var word = new byte[Math.Min(4, bytes.Length - at)];
                random.NextBytes(word);
                word.CopyTo(bytes, at);
                return bytes;
            default:
                return ReplaceNumber(bytes);
        }
    }

    // A run of ASCII digits (a size, an offset, a shape in a JSON or .npy header) becomes an extreme number.
    private byte[] ReplaceNumber(byte[] bytes)
    {
        var window = Math.Min(bytes.Length, 4096);
        var starts = new List<int>();
        for (var i = 0; i < window; i++)
        {
            if (char.IsAsciiDigit((char)bytes[i]) && (i == 0 || !char.IsAsciiDigit((char)bytes[i - 1])))
            {
                starts.Add(i);
            }
        }

        if (starts.Count == 0)
        {
            return bytes;
        }

        var start = starts[random.Next(starts.Count)];
        var end = start;
        while (end < bytes.Length && char.IsAsciiDigit((char)bytes[end]))
        {
            end++;
        }

        var number = System.Text.Encoding.ASCII.GetBytes(ExtremeNumbers[random.Next(ExtremeNumbers.Length)]);
        return [.. bytes[..start], .. number, .. bytes[end..]];
    }
}
