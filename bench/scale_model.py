#!/usr/bin/env python3
"""A model of data-parallel scale for OGan (docs/distributed.md): bytes all-reduced per iteration and ring
all-reduce time, set against a measured GPU iteration, give the scaling efficiency to expect.

Usage: bench/scale_model.py [SIZE WIDTH CHANNELS ZDIM SECONDS_PER_ITERATION]
Default: the paper's 128 px, width 1024, RGB, z 128, and 0.0207 s, OGan's alternating iteration at batch 64
per GPU on an H200 (bench/README.md). The parameter count follows src/OGan.Core/Models (biases and
BatchNorm's affine parameters included); bench/data-parallel.sh prints the count the trainer reduces
(647,905 at 32 px width 128, z 32, 1 channel), which this formula reproduces.
"""
import math
import sys


def parameters(size, width, channels, zdim, kernel=5):
    layers = int(math.log2(size)) - 3
    k = kernel * kernel
    g = zdim * 16 * width + 16 * width + 2 * width  # Linear to 4x4xwidth, BatchNorm
    e = 0
    for i in range(layers):  # transposed convolutions halving the channels, each with BatchNorm
        c_in, c_out = width >> i, width >> (i + 1)
        g += k * c_in * c_out + c_out + 2 * c_out
    g += k * (width >> layers) * channels + channels  # to the image
    for i in range(layers + 1):  # convolutions doubling the channels up to width, BatchNorm after all but the first
        c_in = channels if i == 0 else width >> (layers - i + 1)
        c_out = width >> (layers - i)
        e += k * c_in * c_out + c_out + (2 * c_out if i > 0 else 0)
    e += 16 * width * zdim + zdim  # Linear to z
    return g, e


def ring_seconds(nbytes, gpus, gbit_per_s, latency=10e-6):
    """Ring all-reduce: each GPU sends and receives 2 (N - 1) / N of the buffer, in 2 (N - 1) steps."""
    return 2 * (gpus - 1) / gpus * nbytes / (gbit_per_s * 1e9 / 8) + 2 * (gpus - 1) * latency


def main():
    size, width, channels, zdim = (int(a) for a in sys.argv[1:5]) if len(sys.argv) > 4 else (128, 1024, 3, 128)
    iteration = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0207
    g, e = parameters(size, width, channels, zdim)
    fp32 = 4 * (g + e)
    print(f"{size} px, width {width}, {channels} channels, z {zdim}: G {g:,} and E {e:,} parameters; "
          f"{fp32 / 1e6:.1f} MB of fp32 gradients all-reduced per iteration (E's after the E step, G's after the G step)")
    print(f"measured iteration: {iteration * 1000:.1f} ms at batch 64 per GPU; ring all-reduce with 10 us per step\n")
    print("| GPUs | link | all-reduce, fp32 | efficiency | bf16 gradients | + overlapped with backward | batch 256 per GPU, fp32 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for gpus in (8, 64):
        for link in (25, 100, 400):
            t32 = ring_seconds(fp32, gpus, link)
            t16 = ring_seconds(fp32 / 2, gpus, link)
            # Overlap (an upper bound): reductions hide behind the backward passes, about half the iteration.
            hidden = iteration / 2
            overlapped = iteration / (iteration + max(0.0, t16 - hidden))
            big = 4 * iteration  # batch 256: about 4 times the work of batch 64 (an assumption: linear)
            print(f"| {gpus} | {link} Gb/s | {t32 * 1000:.1f} ms | {iteration / (iteration + t32):.0%} | "
                  f"{iteration / (iteration + t16):.0%} | {overlapped:.0%} | {big / (big + t32):.0%} |")


if __name__ == "__main__":
    main()
