using OGan.Nn;

namespace OGan.Core.Tests.Tensors;

public sealed class ErrorTests
{
    [Fact]
    public void A_shape_mismatch_throws_libtorchs_message_and_the_next_call_works()
    {
        using var scope = DisposeScope.Enter();
        var a = Torch.Ones([2, 3]);
        var b = Torch.Ones([4, 5]);
        var error = Assert.Throws<TorchException>(() => a.Matmul(b));
        Assert.Contains("cannot be multiplied", error.Message, StringComparison.Ordinal);

        var c = a.Matmul(Torch.Ones([3, 1]));
        Assert.Equal([3f, 3f], c.ToArray<float>());
    }

    [Fact]
    public void A_convolution_with_the_wrong_channel_count_names_the_problem()
    {
        using var scope = DisposeScope.Enter();
        using var conv = new Conv2d(3, 8, 5, 2, 2);
        var error = Assert.Throws<TorchException>(() => conv.Forward(Torch.Ones([1, 1, 32, 32])));
        Assert.Contains("channels", error.Message, StringComparison.Ordinal);
        Assert.Equal([1L, 8, 16, 16], conv.Forward(Torch.Ones([1, 3, 32, 32])).Shape);
    }

    [Fact]
    public void Wrong_dtypes_and_lengths_are_errors_not_crashes()
    {
        using var scope = DisposeScope.Enter();
        var t = Torch.Ones([2, 2]);
        Assert.Throws<TorchException>(() => t.ToArray<double>());
        Assert.Throws<TorchException>(() => t.CopyTo<float>(new float[3]));
        Assert.Throws<TorchException>(() => Torch.FromArray<float>([1, 2, 3], [2, 2]));
        Assert.Throws<TorchException>(() => t.Backward());
        Assert.Throws<TorchException>(() => t.Reshape(3, 3));
        Assert.Throws<TorchException>(() => Torch.Ones([1]).To(Device.Cuda(99)));
    }

    [Fact]
    public void Using_a_disposed_tensor_throws_ObjectDisposedException()
    {
        var t = Torch.Ones([2]);
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.Shape);
        using var other = Torch.Ones([2]);
        Assert.Throws<ObjectDisposedException>(() => Torch.Cat([other, t]));
    }

    [Fact]
    public void Errors_on_other_threads_stay_on_their_thread()
    {
        var messages = new string?[4];
        Parallel.For(0, 4, i =>
        {
            using var scope = DisposeScope.Enter();
            try
            {
                Torch.Ones([i + 1]).Reshape(7, 7).Dispose();
            }
            catch (TorchException e)
            {
                messages[i] = e.Message;
            }
        });
        for (var i = 0; i < 4; i++)
        {
            Assert.Contains($"input of size {i + 1}", messages[i], StringComparison.Ordinal);
        }
    }
}
