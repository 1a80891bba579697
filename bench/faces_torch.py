"""The PyTorch row of the faces study (docs/results.md section 10): the same O-GAN (python/ogan_torch.py's
networks and alternating iteration) with the same settings as an OGan run, trained for the same wall-clock
budget on the same prepared photos, then written as an OGan checkpoint so that `ogan eval` measures both
the same way (FID and KID on ImageNet ResNet-18 features against the same held-out photos).

The settings follow OGan's: Adam (0.5, 0.999); the learning rates fall along half a cosine to --lr-floor of
their start over --schedule-steps iterations while lambda-rho grows linearly to --lambda-rho-growth times
itself, then both hold; an EMA of G with OGan's warm-up min(decay, (1 + t) / (10 + t)), (4 + t) in a grown stage; random horizontal
flips; batches drawn from a fresh permutation each epoch; DCGAN initialisation; E's BatchNorm statistics
recalibrated on 1,024 real images before saving. --bf16 runs the forward passes under CPU autocast.

With --grow-from-data (the 128 px rows of section 11): a model of half the size and one skip fewer trains on
those photos for --grow-share of the budget, then grows by skips as `ogan train --grow-by skip` grows it (every
layer and its Adam state under its new name, the old image layers as skip1, the new blocks starting silent) and
trains at the full size for the rest; each stage counts its iterations (the learning rate's and lambda-rho's
schedules, the EMA's warm-up) from 0, as a grown OGan run does.

usage: python3 bench/faces_torch.py PREPARED.ogan-data MINUTES OUT.safetensors --settings-from OPTIONS.json
         [--grow-from-data HALF.ogan-data --grow-share 0.8] [--threads 2] [--bf16]
  PREPARED: the training part that `ogan train` prepared (its cache), OPTIONS.json: an OGan run's options.json
  whose model and training settings are copied (and written into the checkpoint, so eval finds the held-out part).
"""
import argparse
import copy
import json
import math
import os
import re
import struct
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import ogan_torch as ot  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data"), parser.add_argument("minutes", type=float), parser.add_argument("out")
    parser.add_argument("--settings-from", required=True)
    parser.add_argument("--grow-from-data", help="the half-size prepared photos: train there for --grow-share of the budget first")
    parser.add_argument("--grow-share", type=float, default=0.8)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--bf16", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    settings = json.load(open(args.settings_from))
    model, training = settings["model"], settings["training"]
    assert not training.get("augment"), f"{args.settings_from}: --augment is not in the PyTorch reference (python/ogan_torch.py)"
    config = ot.Config(model["image_size"], model["channels"], model["width"], model["z_dim"], model.get("kernel_size", 5), model.get("skips", 0),
                       model.get("min_channels", 0))
    images = prepared(args.data, config)
    torch.manual_seed(training["seed"])
    budget, start, stages = args.minutes * 60, time.perf_counter(), []
    if args.grow_from_data:
        assert config.J >= 1, f"{args.settings_from}: a model grown by skips has skips >= 1"
        small = ot.Config(config.S // 2, config.C, config.W, config.Z, config.K, config.J - 1, config.M)
        run = Run(small, training, args.bf16)
        stages.append(run.train(prepared(args.grow_from_data, small), training, start + budget * args.grow_share))
        run = run.grown(config)
    else:
        run = Run(config, training, args.bf16)
    stages.append(run.train(images, training, start + budget))

    seconds = time.perf_counter() - start
    ot.calibrate(run.e, images[torch.randperm(len(images))[:1024]])
    ot.save_networks(args.out, config, run.ema if run.ema is not None else run.g, run.e, json.dumps(settings))
    print(json.dumps({"iterations": stages[-1]["iterations"], "seconds": round(seconds, 1), "stages": stages}))


def prepared(path, config):
    """uint8 (N, C, S, S) of an OGan .ogan-data file, memory-mapped: 'OGANPREP', int32 header length, JSON, data at 4096."""
    with open(path, "rb") as f:
        start = f.read(12)
        assert start[:8] == b"OGANPREP", f"{path}: not a prepared OGan data set"
        (length,) = struct.unpack("<i", start[8:12])
        header = json.loads(f.read(length))
    shape = (header["count"], header["channels"], header["size"], header["size"])
    assert shape[1:] == (config.C, config.S, config.S), f"{path} holds {shape[1:]}, the model takes {(config.C, config.S, config.S)}"
    return torch.from_numpy(np.memmap(path, np.uint8, "c", offset=4096, shape=shape))


class Run:
    """G, E, the EMA of G and their optimizers at one size."""

    def __init__(self, config, training, bf16, ema_warmup=10):
        self.config, self.training, self.bf16, self.ema_warmup = config, training, bf16, ema_warmup
        self.g, self.e = ot.Generator(config), ot.Encoder(config)
        ot.dcgan_init(self.g), ot.dcgan_init(self.e)
        self.ema = copy.deepcopy(self.g).eval() if training["ema_decay"] > 0 else None
        self.lr = training["learning_rate"] or 2e-4
        self.step = ot.Step(self.g, self.e, lr=self.lr, betas=(training["beta1"], training["beta2"]), lambda_qp=training["lambda_qp"],
                            lambda_rho=training["lambda_rho"], bf16=bf16)

    def train(self, images, training, deadline):
        """Iterations until the clock reaches deadline, counted from 0 (as a grown OGan run counts its own)."""
        batch, length = training["batch_size"], training["schedule_steps"]
        floor, growth, decay = training["learning_rate_floor"], training["lambda_rho_growth"], training["ema_decay"]
        order, cursor, t, start = torch.randperm(len(images)), 0, 0, time.perf_counter()
        while time.perf_counter() < deadline:
            progress = 1.0 if length <= 1 else min(1.0, t / (length - 1))
            factor = floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)) if training["learning_rate_decay"] == "cosine" else 1.0
            for optimizer in (self.step.opt_e, self.step.opt_g):
                for group in optimizer.param_groups:
                    group["lr"] = self.lr * factor
            self.step.lambda_rho = training["lambda_rho"] * (1 + (growth - 1) * progress)
            if cursor + batch > len(images):
                order, cursor = torch.randperm(len(images)), 0
            real = ot.to_float(images[order[cursor:cursor + batch]])
            cursor += batch
            if training.get("flip"):
                flip = torch.rand(batch, 1, 1, 1) < 0.5
                real = torch.where(flip, real.flip(3), real)
            z, z2 = torch.randn(batch, self.config.Z), torch.randn(batch, self.config.Z)
            loss_e, loss_g, rho = self.step(real, z, z2)
            if self.ema is not None:
                with torch.no_grad():
                    d = min(decay, (1 + t) / (self.ema_warmup + t))
                    for p_ema, p in zip(self.ema.parameters(), self.g.parameters()):
                        p_ema.lerp_(p, 1 - d)
                    for b_ema, b in zip(self.ema.buffers(), self.g.buffers()):
                        b_ema.copy_(b)
            t += 1
            if t % 50 == 0:
                print(f"{self.config.S} px step {t}  {t * batch / (time.perf_counter() - start):.0f} img/s  loss_e {loss_e:.4f}  loss_g {loss_g:.4f}  rho {rho:.3f}", flush=True)
        seconds = time.perf_counter() - start
        return {"size": self.config.S, "iterations": t, "seconds": round(seconds, 1), "images_per_second": round(t * batch / seconds, 1)}

    def grown(self, config):
        """This run grown by skips into config's (twice the size, one skip more), as OGan's Growth.Apply does: every
        layer keeps its weights and Adam state under its new name, the old image layers become skip1, and the new
        blocks start silent (G's new out at zero, E's new bn1 at gain zero)."""
        grown = Run(config, self.training, self.bf16, ema_warmup=4)
        pairs = [(self.g, grown.g, generator_name), (self.e, grown.e, encoder_name)] + ([(self.ema, grown.ema, generator_name)] if self.ema is not None else [])
        with torch.no_grad():
            for small, large, rename in pairs:
                targets = large.state_dict()
                for name, value in small.state_dict().items():
                    targets[rename(name)].copy_(value)
            for g in [grown.g] + ([grown.ema] if grown.ema is not None else []):
                g.out.weight.zero_(), g.out.bias.zero_()
            grown.e.bn1.weight.zero_()
        for small, large, rename, old_optimizer, optimizer in [(self.g, grown.g, generator_name, self.step.opt_g, grown.step.opt_g),
                                                               (self.e, grown.e, encoder_name, self.step.opt_e, grown.step.opt_e)]:
            parameters = dict(large.named_parameters())
            for name, p in small.named_parameters():
                if p in old_optimizer.state:
                    optimizer.state[parameters[rename(name)]] = {k: v.clone() for k, v in old_optimizer.state[p].items()}
        return grown


def generator_name(name):
    """The grown G's name of a smaller G's entry: its out becomes skip1, skip{j} skip{j+1}."""
    return "skip1." + name[4:] if name.startswith("out.") else skip_moved_up(name)


def encoder_name(name):
    """The grown E's name of a smaller E's entry: its conv0 becomes skip1, conv{i} and bn{i} move up one, skip{j} too."""
    if name.startswith("conv0."):
        return "skip1." + name[6:]
    block = re.match(r"^(conv|bn)(\d+)\.(.+)$", name)
    return f"{block[1]}{int(block[2]) + 1}.{block[3]}" if block else skip_moved_up(name)


def skip_moved_up(name):
    skip = re.match(r"^skip(\d+)\.(.+)$", name)
    return f"skip{int(skip[1]) + 1}.{skip[2]}" if skip else name


if __name__ == "__main__":
    main()
