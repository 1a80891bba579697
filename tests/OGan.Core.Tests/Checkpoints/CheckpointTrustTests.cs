using System.Buffers.Binary;
using System.Text;
using OGan.Checkpoints;
using OGan.Models;
using OGan.Training;

namespace OGan.Core.Tests.Checkpoints;

/// <summary>
/// A checkpoint loads only as it was written: the digest catches changed bytes anywhere in the file, crafted
/// sizes and settings are refused before anything is allocated or built, and every refusal is one line that
/// names the file. Files over 2 GiB round-trip.
/// </summary>
[Collection(HeavyIo.Name)]
public sealed class CheckpointTrustTests
{
    private static readonly OGanConfig Config = new() { ImageSize = 32, Channels = 1, Width = 16, ZDim = 8 };

    [Fact]
    public void Every_flipped_bit_in_the_weights_is_refused_in_one_line_naming_the_file()
    {
        var original = File.ReadAllBytes(WriteCheckpoint());
        var dataStart = 8 + BinaryPrimitives.ReadInt64LittleEndian(original);
        var random = new Random(1);
        for (var trial = 0; trial < 30; trial++)
        {
            var bytes = (byte[])original.Clone();
            bytes[random.NextInt64(dataStart, bytes.Length)] ^= (byte)(1 << random.Next(8));
            var message = Refusal(bytes);
            Assert.Contains("SHA-256", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_changed_byte_of_the_header_is_refused()
    {
        var original = File.ReadAllBytes(WriteCheckpoint());
        var headerEnd = 8 + (int)BinaryPrimitives.ReadInt64LittleEndian(original);
        var random = new Random(2);
        for (var trial = 0; trial < 60; trial++)
        {
            var bytes = (byte[])original.Clone();
            var at = random.Next(0, headerEnd);
            bytes[at] = (byte)(bytes[at] + random.Next(1, 256));
            Refusal(bytes);
        }
    }

    [Fact]
    public void A_checkpoint_without_its_digest_key_is_refused_and_one_from_before_digests_loads_unverified()
    {
        var path = WriteCheckpoint();
        var bytes = File.ReadAllBytes(path);
        var key = Encoding.ASCII.GetBytes("\"sha256\"");
        var at = bytes.AsSpan().IndexOf(key);
        bytes[at + 1] = (byte)'t';
        Assert.Contains("has none", Refusal(bytes), StringComparison.Ordinal);

        using (var current = Checkpoint.Read(path))
        {
            Assert.True(current.IsVerified);
        }

        using var legacy = Checkpoint.Read(Path.Combine(Fixtures.RepositoryRoot, "tests", "fixtures", "legacy", "checkpoint.safetensors"));
        Assert.False(legacy.IsVerified);
    }

    [Fact]
    public void Sizes_that_overflow_or_outrun_the_file_are_refused()
    {
        Assert.Contains("do not fit", Refusal(Craft("""{"a":{"dtype":"U8","shape":[2305843009213693952],"data_offsets":[0,0]}}""", [])), StringComparison.Ordinal);
        Assert.Contains("overflow", Refusal(Craft("""{"a":{"dtype":"F64","shape":[2147483648,2147483648,2147483648],"data_offsets":[0,8]}}""", new byte[8])), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("cover", Refusal(Craft("""{"a":{"dtype":"U8","shape":[16],"data_offsets":[0,16]}}""", new byte[8])), StringComparison.Ordinal);
        Assert.Contains("negative", Refusal(Craft("""{"a":{"dtype":"U8","shape":[-8],"data_offsets":[0,8]}}""", new byte[8])), StringComparison.Ordinal);
        Assert.Contains("starts at byte", Refusal(Craft("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]},"b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}""", new byte[8])), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_out_of_range_or_unmatched_by_the_tensors_are_refused_before_any_network_is_built()
    {
        string Settings(OGanConfig model) => System.Text.Json.JsonSerializer.Serialize(
            new RunSettings(model, new TrainingOptions(), "fashion-mnist").ToJson());

        var huge = Settings(Config with { ImageSize = 65536 });
        Assert.Contains("image size must be a power of two from 32 to 1024", Refusal(Craft($$$"""{"__metadata__":{"format":"ogan-checkpoint/1","settings":{{{huge}}}}}""", [])), StringComparison.Ordinal);

        // The largest settings allowed: building these networks would take tens of GB; the missing tensors are found first.
        var largest = Settings(Config with { ImageSize = 1024, Width = 16384, ZDim = 16384 });
        Assert.Contains("'generator.fc.weight' is missing", Refusal(Craft($$$"""{"__metadata__":{"format":"ogan-checkpoint/1","settings":{{{largest}}}}}""", [])), StringComparison.Ordinal);

        // The weights of width 16 under settings that say width 32.
        var (tensors, metadata) = SafeTensors.Load(WriteCheckpoint());
        metadata.Remove(SafeTensors.DigestKey);
        metadata["settings"] = new RunSettings(Config with { Width = 32 }, new TrainingOptions(), "fashion-mnist").ToJson();
        var path = Path.Combine(Fixtures.TemporaryFolder(), "wider.safetensors");
        SafeTensors.Save(path, [.. tensors.Select(t => (t.Key, t.Value))], metadata);
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }

        Assert.Contains("'generator.fc.weight' has shape [256, 8], its settings need [512, 8]", Refusal(File.ReadAllBytes(path)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(32, 1, 16, 8, 5, 0, 0)]
    [InlineData(64, 3, 0, 0, 4, 0, 1)]
    [InlineData(128, 3, 64, 100, 5, 16, 2)]
    public void The_shapes_checked_before_building_are_those_of_the_built_networks(int size, int channels, int width, int z, int kernel, int minChannels, int skips)
    {
        var config = new OGanConfig { ImageSize = size, Channels = channels, Width = width, ZDim = z, KernelSize = kernel, MinChannels = minChannels, Skips = skips };
        using var generator = new OGan.Models.Generator(config);
        using var encoder = new OGan.Models.Encoder(config);
        Assert.Equal(Shapes(generator).Order(), OGan.Models.Generator.StateShapes(config).Select(e => (e.Name, string.Join(",", e.Shape))).Order());
        Assert.Equal(Shapes(encoder).Order(), OGan.Models.Encoder.StateShapes(config).Select(e => (e.Name, string.Join(",", e.Shape))).Order());
    }

    [SkippableFact]
    public void A_file_over_2_GiB_round_trips()
    {
        var folder = Fixtures.TemporaryFolder();
        var available = MemoryAvailableBytes();
        var disk = new DriveInfo(folder).AvailableFreeSpace;
        Skip.If(available < (6L << 30) || disk < (4L << 30),
            $"round-tripping 2.2 GB needs 6 GiB of free memory and 4 GiB of disk; this machine has {available >> 20} MiB and {disk >> 20} MiB");

        const long Count = 550_000_000; // one tensor of 550M int32: 2.2 GB, over 2 GiB alone
        var path = Path.Combine(folder, "large.safetensors");
        using (var large = arange(Count, dtype: ScalarType.Int32))
        using (var small = tensor(new[] { 7L }))
        {
            SafeTensors.Save(path, [("small", small), ("large", large)], new Dictionary<string, string> { ["what"] = "large" });
        }

        Assert.True(new FileInfo(path).Length > 4L * Count, $"the file is only {new FileInfo(path).Length} bytes");
        var (tensors, metadata) = SafeTensors.Load(path);
        try
        {
            Assert.Equal("large", metadata["what"]);
            Assert.Equal(7L, tensors["small"].item<long>());
            var large = tensors["large"];
            Assert.Equal([Count], large.shape);
            foreach (var index in new[] { 0L, 1L, (1L << 29) + 3, Count - 1 })
            {
                Assert.Equal(index, large[index].item<int>());
            }

            Assert.Equal(Count * (Count - 1) / 2, large.sum(ScalarType.Int64).item<long>());
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            File.Delete(path);
        }
    }

    private static IEnumerable<(string, string)> Shapes(nn.Module module) =>
        module.state_dict().Select(e => (e.Key, string.Join(",", e.Value.shape)));

    private static string WriteCheckpoint()
    {
        var path = Path.Combine(Fixtures.TemporaryFolder(), "checkpoint.safetensors");
        var options = new TrainingOptions { BatchSize = 4 };
        using var state = new TrainingState(Config, options, CPU, dataCount: 8);
        Checkpoint.Write(path, new RunSettings(Config, options, "fashion-mnist"), state);
        return path;
    }

    /// <summary>A safetensors file of this header and data, as an attacker could write it.</summary>
    private static byte[] Craft(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    /// <summary>Reads <paramref name="bytes"/> as a checkpoint file and returns the refusal, which must be one line naming the file.</summary>
    private static string Refusal(byte[] bytes)
    {
        var path = Path.Combine(Fixtures.TemporaryFolder(), "damaged.safetensors");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Read(path).Dispose());
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        return error.Message;
    }

    private static long MemoryAvailableBytes() =>
        File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024)
            .FirstOrDefault();
}
