"""The PyTorch row of the faces study (docs/results.md section 10): the same O-GAN (python/ogan_torch.py's
networks and alternating iteration) with the same settings as an OGan run, trained for the same wall-clock
budget on the same prepared photos, then written as an OGan checkpoint so that `ogan eval` measures both
the same way (FID and KID on ImageNet ResNet-18 features against the same held-out photos).

The settings follow OGan's: Adam (0.5, 0.999); the learning rates fall along half a cosine to --lr-floor of
their start over --schedule-steps iterations while lambda-rho grows linearly to --lambda-rho-growth times
itself, then both hold; an EMA of G with OGan's warm-up min(decay, (1 + t) / (10 + t)); random horizontal
flips; batches drawn from a fresh permutation each epoch; DCGAN initialisation; E's BatchNorm statistics
recalibrated on 1,024 real images before saving. --bf16 runs the forward passes under CPU autocast.

usage: python3 bench/faces_torch.py PREPARED.ogan-data MINUTES OUT.safetensors --settings-from OPTIONS.json [--threads 2] [--bf16]
  PREPARED: the training part that `ogan train` prepared (its cache), OPTIONS.json: an OGan run's options.json
  whose model and training settings are copied (and written into the checkpoint, so eval finds the held-out part).
"""
import argparse
import copy
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import ogan_torch as ot  # noqa: E402


def prepared(path):
    """uint8 (N, C, S, S) of an OGan .ogan-data file, memory-mapped: 'OGANPREP', int32 header length, JSON, data at 4096."""
    with open(path, "rb") as f:
        start = f.read(12)
        assert start[:8] == b"OGANPREP", f"{path}: not a prepared OGan data set"
        (length,) = struct.unpack("<i", start[8:12])
        header = json.loads(f.read(length))
    shape = (header["count"], header["channels"], header["size"], header["size"])
    return torch.from_numpy(np.memmap(path, np.uint8, "c", offset=4096, shape=shape))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data"), parser.add_argument("minutes", type=float), parser.add_argument("out")
    parser.add_argument("--settings-from", required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--bf16", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    settings = json.load(open(args.settings_from))
    model, training = settings["model"], settings["training"]
    config = ot.Config(model["image_size"], model["channels"], model["width"], model["z_dim"], model.get("kernel_size", 5))
    images = prepared(args.data)
    assert images.shape[1:] == (config.C, config.S, config.S), f"{args.data} holds {tuple(images.shape[1:])}, the model takes {(config.C, config.S, config.S)}"

    torch.manual_seed(training["seed"])
    g, e = ot.Generator(config), ot.Encoder(config)
    ot.dcgan_init(g), ot.dcgan_init(e)
    ema = copy.deepcopy(g).eval()
    lr = training["learning_rate"] or 2e-4
    step = ot.Step(g, e, lr=lr, betas=(training["beta1"], training["beta2"]), lambda_qp=training["lambda_qp"],
                   lambda_rho=training["lambda_rho"], bf16=args.bf16)
    batch, length = training["batch_size"], training["schedule_steps"]
    floor, growth, decay = training["learning_rate_floor"], training["lambda_rho_growth"], training["ema_decay"]

    order, cursor, t = torch.randperm(len(images)), 0, 0
    budget = args.minutes * 60
    start = time.perf_counter()
    while time.perf_counter() - start < budget:
        progress = 1.0 if length <= 1 else min(1.0, t / (length - 1))
        factor = floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)) if training["learning_rate_decay"] == "cosine" else 1.0
        for optimizer in (step.opt_e, step.opt_g):
            for group in optimizer.param_groups:
                group["lr"] = lr * factor
        step.lambda_rho = training["lambda_rho"] * (1 + (growth - 1) * progress)
        if cursor + batch > len(images):
            order, cursor = torch.randperm(len(images)), 0
        real = ot.to_float(images[order[cursor:cursor + batch]])
        cursor += batch
        if training.get("flip"):
            flip = torch.rand(batch, 1, 1, 1) < 0.5
            real = torch.where(flip, real.flip(3), real)
        z, z2 = torch.randn(batch, config.Z), torch.randn(batch, config.Z)
        loss_e, loss_g, rho = step(real, z, z2)
        if decay > 0:
            with torch.no_grad():
                d = min(decay, (1 + t) / (10 + t))
                for p_ema, p in zip(ema.parameters(), g.parameters()):
                    p_ema.lerp_(p, 1 - d)
                for b_ema, b in zip(ema.buffers(), g.buffers()):
                    b_ema.copy_(b)
        t += 1
        if t % 50 == 0:
            print(f"step {t}  {t * batch / (time.perf_counter() - start):.0f} img/s  loss_e {loss_e:.4f}  loss_g {loss_g:.4f}  rho {rho:.3f}", flush=True)

    seconds = time.perf_counter() - start
    ot.calibrate(e, images[torch.randperm(len(images))[:1024]])
    ot.save_networks(args.out, config, ema if decay > 0 else g, e, json.dumps(settings))
    print(json.dumps({"iterations": t, "seconds": round(seconds, 1), "images_per_second": round(t * batch / seconds, 1)}))


if __name__ == "__main__":
    main()
