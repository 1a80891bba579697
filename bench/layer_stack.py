"""The DCGAN layer stack of bench/OGan.Bench/LayerStack.cs in plain PyTorch, on the same libtorch."""
import sys
import time

import torch
import torch.nn as nn

channels, size, iterations = (int(a) for a in sys.argv[1:4])
torch.set_num_threads(int(sys.argv[4]))

deconv = nn.ConvTranspose2d(channels, channels // 2, 5, stride=2, padding=2, output_padding=1)
bn = nn.BatchNorm2d(channels // 2)
conv = nn.Conv2d(channels // 2, channels, 5, stride=2, padding=2)
x = torch.randn(64, channels, size, size)


def iteration():
    h = torch.relu(bn(deconv(x)))
    conv(h).mean().backward()


for _ in range(2):
    iteration()
start = time.perf_counter()
for _ in range(iterations):
    iteration()
print(f"seconds_per_iteration {(time.perf_counter() - start) / iterations:.6f} threads {torch.get_num_threads()} torch {torch.__version__}")
