using System.Text;
using OGan.Data;

namespace OGan.Core.Tests.Data;

/// <summary>.npy latents: written arrays read back, and crafted headers refused in one line naming the file.</summary>
public sealed class NpyTests
{
    [Fact]
    public void Latents_round_trip()
    {
        var path = Path.Combine(Fixtures.TemporaryFolder(), "z.npy");
        using var written = randn(3, 5);
        Npy.Write(path, written);
        using var read = Npy.Read(path);
        Assert.Equal(written.shape, read.shape);
        Assert.True(read.allclose(written));
    }

    [Theory]
    [InlineData(2, 0xFFFFFFFFu, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "truncated")]
    [InlineData(1, 0u, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "")]
    [InlineData(1, 0u, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", "overflow")]
    [InlineData(1, 0u, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", "latents must be float32")]
    [InlineData(9, 0u, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "version 9")]
    public void Crafted_headers_are_refused_in_one_line(byte version, uint claimedLength, string header, string reason)
    {
        var path = Path.Combine(Fixtures.TemporaryFolder(), "crafted.npy");
        var text = Encoding.ASCII.GetBytes(header);
        using var file = new MemoryStream();
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', version, 0]);
        if (version == 1)
        {
            file.Write(BitConverter.GetBytes((ushort)text.Length));
        }
        else
        {
            file.Write(BitConverter.GetBytes(claimedLength == 0 ? (uint)text.Length : claimedLength));
        }

        file.Write(text);
        file.Write(new byte[8]);
        File.WriteAllBytes(path, file.ToArray());
        var error = Assert.Throws<InvalidDataException>(() => Npy.Read(path).Dispose());
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
