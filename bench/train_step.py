"""The O-GAN training iteration in plain PyTorch (python/ogan_torch.py), the same as bench/OGan.Bench/TrainStep.cs.

train_step.py speed SIZE WIDTH BATCH ITERATIONS CHANNELS FORM THREADS [DEVICE [compile] [bf16] [channels-last]]: seconds
per iteration on random images; DEVICE cpu or cuda; "compile" wraps the networks in torch.compile (PyTorch 2.x); "bf16"
runs the forward passes under torch.autocast(dtype=torch.bfloat16); "channels-last" lays the networks and images out NHWC.
train_step.py phases SIZE WIDTH BATCH ITERATIONS CHANNELS [fp32|bf16] [channels-last] THREADS: the iteration cut into
phases, each timed (as `ogan-bench phases`).
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


def trainer(size, width, single_pass, device="cpu", compiled=False, channels=1, bf16=False, channels_last=False):
    torch.manual_seed(1)
    config = og.Config(size, channels, width)
    g, e = og.Generator(config), og.Encoder(config)
    og.dcgan_init(g), og.dcgan_init(e)
    layout = torch.channels_last if channels_last else torch.contiguous_format
    g, e = g.to(device, memory_format=layout), e.to(device, memory_format=layout)
    step = og.Step(g, e, single_pass=single_pass, bf16=bf16)
    if compiled:
        step.g, step.e = torch.compile(g), torch.compile(e)
    return config, step


def batches(images, batch):
    while True:
        order = torch.randperm(len(images))
        for start in range(0, len(images) - batch + 1, batch):
            yield og.to_float(images[order[start:start + batch]])


def speed(size, width, batch, iterations, channels, single_pass, device="cpu", compiled=False, bf16=False, channels_last=False):
    config, step = trainer(size, width, single_pass, device, compiled, channels, bf16, channels_last)
    layout = torch.channels_last if channels_last else torch.contiguous_format
    images = (torch.rand(batch * 4, channels, size, size) * 255).to(torch.uint8)

    def iteration():
        pixels = images[torch.randint(len(images), (batch,))]
        if device != "cpu":  # as OGan's ImageSet.Batch: uint8 crosses the bus from pinned memory, the GPU converts
            pixels = pixels.pin_memory().to(device, non_blocking=True)
        step(og.to_float(pixels).contiguous(memory_format=layout), torch.randn(batch, config.Z, device=device), torch.randn(batch, config.Z, device=device))

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


def phases(size, width, batch, iterations, channels, bf16=False, channels_last=False):
    """As `ogan-bench phases`: the alternating iteration cut into phases, each timed over the same iterations."""
    config, step = trainer(size, width, False, "cpu", False, channels, bf16, channels_last)
    layout = torch.channels_last if channels_last else torch.contiguous_format
    names = ["g_forward_no_grad", "e_forward_loss", "e_backward", "e_adam", "ge_forward_loss", "g_backward", "g_adam"]
    seconds = [0.0] * len(names)
    g, e = step.g, step.e

    def phase(index, action):
        start = time.perf_counter()
        result = action()
        seconds[index] += time.perf_counter() - start
        return result

    def e_loss(real, z, fake):
        with step.autocast():
            code = e(fake)
            return og.qp_encoder_loss(e(real).mean(1), code.mean(1), real, fake) - 0.5 * og.correlation(z, code).mean()

    def g_loss(z):
        with step.autocast():
            code = e(g(z))
            return code.mean() - 0.5 * og.correlation(z, code).mean()

    for i in range(WARMUP + iterations):
        if i == WARMUP:
            seconds = [0.0] * len(names)
        real = (torch.rand(batch, channels, size, size) * 2 - 1).contiguous(memory_format=layout)
        z = torch.randn(batch, config.Z)
        with torch.no_grad(), step.autocast():
            fake = phase(0, lambda: g(z))
        loss_e = phase(1, lambda: e_loss(real, z, fake))
        phase(2, lambda: (step.opt_e.zero_grad(set_to_none=True), loss_e.backward()))
        phase(3, step.opt_e.step)
        for p in e.parameters():
            p.requires_grad_(False)
        z2 = torch.randn(batch, config.Z)
        loss_g = phase(4, lambda: g_loss(z2))
        phase(5, lambda: (step.opt_g.zero_grad(set_to_none=True), loss_g.backward()))
        phase(6, step.opt_g.step)
        for p in e.parameters():
            p.requires_grad_(True)
    total = sum(seconds)
    for name, s in zip(names, seconds):
        print(f"{name:<18} {s / iterations:.4f} s {100 * s / total:5.1f}%")
    print(f"{'total':<18} {total / iterations:.4f} s")


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
if mode == "phases":
    phases(*numbers, "bf16" in words, "channels-last" in words)
elif mode == "speed":
    device = next((a for a in extra if a == "cpu" or a.startswith("cuda")), "cpu")
    speed(*numbers, form == "single-pass", device, "compile" in extra, "bf16" in extra, "channels-last" in extra)
else:
    quality(*numbers, form == "single-pass")
