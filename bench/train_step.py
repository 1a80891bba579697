"""The O-GAN training iteration in plain PyTorch (python/ogan_torch.py), the same as bench/OGan.Bench/TrainStep.cs.

train_step.py speed SIZE WIDTH BATCH ITERATIONS FORM THREADS: seconds per iteration on random images.
train_step.py quality WIDTH BATCH ITERATIONS FORM THREADS: trains on Fashion-MNIST, prints rho and test MSE.
FORM is alternating or single-pass.
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import ogan_torch as og  # noqa: E402

WARMUP = 10  # as bench/OGan.Bench/TrainStep.cs


def trainer(size, width, single_pass):
    torch.manual_seed(1)
    config = og.Config(size, 1, width)
    g, e = og.Generator(config), og.Encoder(config)
    og.dcgan_init(g), og.dcgan_init(e)
    return config, og.Step(g, e, single_pass=single_pass)


def batches(images, batch):
    while True:
        order = torch.randperm(len(images))
        for start in range(0, len(images) - batch + 1, batch):
            yield og.to_float(images[order[start:start + batch]])


def speed(size, width, batch, iterations, single_pass):
    config, step = trainer(size, width, single_pass)
    data = batches((torch.rand(batch * 4, 1, size, size) * 255).to(torch.uint8), batch)

    def iteration():
        step(next(data), torch.randn(batch, config.Z), torch.randn(batch, config.Z))

    for _ in range(WARMUP):
        iteration()
    start = time.perf_counter()
    for _ in range(iterations):
        iteration()
    print(f"seconds_per_iteration {(time.perf_counter() - start) / iterations:.6f} threads {torch.get_num_threads()} torch {torch.__version__}")


def quality(width, batch, iterations, single_pass):
    config, step = trainer(32, width, single_pass)
    train, test = og.fashion_mnist(True), og.fashion_mnist(False)
    data = batches(train, batch)
    start = time.perf_counter()
    for _ in range(iterations):
        step(next(data), torch.randn(batch, config.Z), torch.randn(batch, config.Z))
    seconds = time.perf_counter() - start
    for statistics in ("running", "calibrated"):
        if statistics == "calibrated":
            og.calibrate(step.e, train)
        rho, mse = og.evaluate(step.g, step.e, test)
        print(f"bn_statistics {statistics} rho {rho:.4f} test_mse {mse:.4f} train_seconds {seconds:.1f}")


mode, numbers, form = sys.argv[1], [int(a) for a in sys.argv[2:-2]], sys.argv[-2]
torch.set_num_threads(int(sys.argv[-1]))
if mode == "speed":
    speed(*numbers, form == "single-pass")
else:
    quality(*numbers, form == "single-pass")
