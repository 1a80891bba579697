"""FLOPs of one alternating O-GAN iteration (forward and backward, E step and G step), counted by PyTorch's
FlopCounterMode on the real iteration of bench/train_step.py: convolutions, transposed convolutions and matrix
products, as 2 x multiply-adds; elementwise work, BatchNorm and the optimizer are left out (a few per cent).
Usage: python3 bench/gpu/flops.py SIZE WIDTH BATCH CHANNELS [DEVICE]   prints "tflop_per_iteration X"
"""
import os
import sys

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import ogan_torch as og  # noqa: E402

size, width, batch, channels = (int(a) for a in sys.argv[1:5])
device = sys.argv[5] if len(sys.argv) > 5 else "cpu"
config = og.Config(size, channels, width)
g, e = og.Generator(config).to(device), og.Encoder(config).to(device)
step = og.Step(g, e)
real = torch.rand(batch, channels, size, size, device=device) * 2 - 1
with FlopCounterMode(display=False) as counter:
    step(real, torch.randn(batch, config.Z, device=device), torch.randn(batch, config.Z, device=device))
print(f"tflop_per_iteration {counter.get_total_flops() / 1e12:.4f}")
