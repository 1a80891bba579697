"""The O-GAN training iteration in plain PyTorch (python/ogan_torch.py), the same as bench/OGan.Bench/TrainStep.cs.

train_step.py speed SIZE WIDTH BATCH ITERATIONS CHANNELS FORM THREADS [DEVICE [compile]]: seconds per iteration on
random images; DEVICE cpu or cuda; "compile" wraps the networks in torch.compile (PyTorch 2.x).
train_step.py quality WIDTH BATCH ITERATIONS FORM THREADS: trains on Fashion-MNIST, prints rho and test MSE.
FORM is alternating or single-pass.
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import ogan_torch as og  # noqa: E402

WARMUP, WARMUP_SECONDS = 10, 5  # as bench/OGan.Bench/TrainStep.cs: at least 10 iterations and 5 seconds


def trainer(size, width, single_pass, device="cpu", compiled=False, channels=1):
    torch.manual_seed(1)
    config = og.Config(size, channels, width)
    g, e = og.Generator(config), og.Encoder(config)
    og.dcgan_init(g), og.dcgan_init(e)
    g, e = g.to(device), e.to(device)
    step = og.Step(g, e, single_pass=single_pass)
    if compiled:
        step.g, step.e = torch.compile(g), torch.compile(e)
    return config, step


def batches(images, batch):
    while True:
        order = torch.randperm(len(images))
        for start in range(0, len(images) - batch + 1, batch):
            yield og.to_float(images[order[start:start + batch]])


def speed(size, width, batch, iterations, channels, single_pass, device="cpu", compiled=False):
    config, step = trainer(size, width, single_pass, device, compiled, channels)
    images = (torch.rand(batch * 4, channels, size, size) * 255).to(torch.uint8)

    def iteration():
        pixels = images[torch.randint(len(images), (batch,))]
        if device != "cpu":  # as OGan's ImageSet.Batch: uint8 crosses the bus from pinned memory, the GPU converts
            pixels = pixels.pin_memory().to(device, non_blocking=True)
        step(og.to_float(pixels), torch.randn(batch, config.Z, device=device), torch.randn(batch, config.Z, device=device))

    def synchronize():
        if device != "cpu":
            torch.cuda.synchronize()

    warmup, done = time.perf_counter(), 0
    while done < WARMUP or time.perf_counter() - warmup < WARMUP_SECONDS:
        iteration()
        done += 1
    synchronize()
    start = time.perf_counter()
    for _ in range(iterations):
        iteration()
    synchronize()
    if device != "cpu":
        print(f"peak_memory_bytes {torch.cuda.max_memory_allocated()}")
    blas = "openblas" if "openblas" in open("/proc/self/maps").read() else "other blas"
    print(f"seconds_per_iteration {(time.perf_counter() - start) / iterations:.6f} threads {torch.get_num_threads()} torch {torch.__version__} {blas}")


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


mode = sys.argv[1]
numeric = [a for a in sys.argv[2:] if a.isdigit()]
words = [a for a in sys.argv[2:] if not a.isdigit()]
form, extra = words[0], words[1:]
torch.set_num_threads(int(numeric[-1]))
numbers = [int(a) for a in numeric[:-1]]
if mode == "speed":
    speed(*numbers, form == "single-pass", extra[0] if extra else "cpu", "compile" in extra)
else:
    quality(*numbers, form == "single-pass")
