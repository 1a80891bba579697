"""OGan in plain PyTorch: the networks of docs/checkpoint-format.md, a reader for OGan checkpoints, the
losses and the training iteration. Used to load OGan's weights from Python, as the reference side of
bench/train_step.sh, and by the test that checks a checkpoint gives the same G(z) in both.

Needs only torch (no safetensors package): a safetensors file is 8 bytes of header length, a JSON header
and the raw little-endian data.
"""
import gzip
import hashlib
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "U8": torch.uint8, "I32": torch.int32}


def file_digest(blob, digest):
    """SHA-256 of the file's bytes with the 64 hex digits of its own digest read as '0' (docs/checkpoint-format.md)."""
    at = blob.find(b'"' + digest.encode() + b'"') + 1
    if at == 0:
        raise ValueError("the digest is not written as a plain JSON string")
    return hashlib.sha256(blob[:at] + b"0" * 64 + blob[at + 64:]).hexdigest()


def load_safetensors(path):
    """Returns ({name: tensor}, {metadata key: string}); refuses a file whose SHA-256 does not match its header's."""
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    metadata = header.pop("__metadata__", {})
    if "sha256" in metadata and file_digest(blob, metadata["sha256"]) != metadata["sha256"]:
        raise ValueError(f"{path}: its contents do not match the SHA-256 in its header (changed or damaged bytes)")
    data = bytearray(blob[8 + length:])
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        flat = torch.frombuffer(data, dtype=dtype, count=(end - start) // torch.tensor([], dtype=dtype).element_size(), offset=start) \
            if end > start else torch.empty(0, dtype=dtype)
        tensors[name] = flat.clone().reshape(entry["shape"])
    return tensors, metadata


def save_safetensors(path, tensors, metadata):
    """Writes {name: tensor} and {key: string} metadata as a safetensors file, with its SHA-256."""
    names = {v: k for k, v in DTYPES.items()}
    header, blobs, offset = {"__metadata__": {**metadata, "sha256": "0" * 64}}, [], 0
    for name, tensor in tensors.items():
        data = tensor.detach().cpu().contiguous().numpy().tobytes()
        header[name] = {"dtype": names[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    blob = struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs)
    at = blob.find(b'"' + b"0" * 64 + b'"') + 1
    blob = blob[:at] + hashlib.sha256(blob).hexdigest().encode() + blob[at + 64:]
    with open(path + ".tmp", "wb") as f:
        f.write(blob)
    os.replace(path + ".tmp", path)


class Config:
    """image_size S, channels C, width W (0: 8*S), z_dim Z (0: S), kernel_size K, skips J, min_channels M, as the checkpoint's settings."""

    def __init__(self, image_size=32, channels=1, width=0, z_dim=0, kernel_size=5, skips=0, min_channels=0):
        self.S, self.C, self.K, self.J, self.M = image_size, channels, kernel_size, skips, min_channels
        self.W = width or 8 * image_size
        self.Z = z_dim or image_size
        self.L = image_size.bit_length() - 4

    def g_channels(self, i):
        """Channels of G's hidden layer i (0: fc's, L: the last): W / 2^i, at least M."""
        return max(self.W >> i, self.M)

    def e_channels(self, i):
        """Channels of E's conv i (0..L): W / 2^(L - i), at least M."""
        return max(self.W >> (self.L - i), self.M)

    @staticmethod
    def from_checkpoint(metadata):
        model = json.loads(metadata["settings"])["model"]
        return Config(model["image_size"], model["channels"], model["width"], model["z_dim"], model.get("kernel_size", 5), model.get("skips", 0),
                      model.get("min_channels", 0))


def same_padding(kernel):
    return (2, 1) if kernel == 5 else (1, 0)


class Generator(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.W, self.L = c.W, c.L
        p, op = same_padding(c.K)
        self.fc = nn.Linear(c.Z, 4 * 4 * c.W)
        self.bn0 = nn.BatchNorm2d(c.W)
        for i in range(c.L):
            setattr(self, f"deconv{i + 1}", nn.ConvTranspose2d(c.g_channels(i), c.g_channels(i + 1), c.K, 2, p, output_padding=op))
            setattr(self, f"bn{i + 1}", nn.BatchNorm2d(c.g_channels(i + 1)))
        self.out = nn.ConvTranspose2d(c.g_channels(c.L), c.C, c.K, 2, p, output_padding=op)
        self.J = c.J
        for j in range(1, c.J + 1):  # skip j: the image at 1/2^j of the size, from the hidden layer j blocks before the last
            setattr(self, f"skip{j}", nn.ConvTranspose2d(c.g_channels(c.L - j), c.C, c.K, 2, p, output_padding=op))

    def forward(self, z):
        x = F.relu(self.bn0(self.fc(z).view(-1, self.W, 4, 4)))
        skipped = None
        for i in range(self.L):
            level = self.L - i
            if level <= self.J:
                image = getattr(self, f"skip{level}")(x)
                skipped = image if skipped is None else F.interpolate(skipped, scale_factor=2, mode="nearest") + image
            x = F.relu(getattr(self, f"bn{i + 1}")(getattr(self, f"deconv{i + 1}")(x)))
        x = self.out(x)
        if skipped is not None:
            x = x + F.interpolate(skipped, scale_factor=2, mode="nearest")
        return torch.tanh(x)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.L = c.L
        p, _ = same_padding(c.K)
        channels = [c.e_channels(i) for i in range(c.L + 1)]
        for i in range(c.L + 1):
            setattr(self, f"conv{i}", nn.Conv2d(c.C if i == 0 else channels[i - 1], channels[i], c.K, 2, p))
            if i > 0:
                setattr(self, f"bn{i}", nn.BatchNorm2d(channels[i]))
        self.fc = nn.Linear(4 * 4 * c.W, c.Z)
        self.J = c.J
        for j in range(1, c.J + 1):  # skip j: reads the image pooled to 1/2^j of its size, adds to conv j's block
            setattr(self, f"skip{j}", nn.Conv2d(c.C, channels[j], c.K, 2, p))

    def forward(self, x):
        pooled = x
        for i in range(self.L + 1):
            x = getattr(self, f"conv{i}")(x)
            if i > 0:
                x = getattr(self, f"bn{i}")(x)
            x = F.leaky_relu(x, 0.2)
            if 1 <= i <= self.J:
                pooled = F.avg_pool2d(pooled, 2)
                x = x + F.leaky_relu(getattr(self, f"skip{i}")(pooled), 0.2)
        return self.fc(x.flatten(1))


def dcgan_init(module, generator=None):
    for name, p in module.named_parameters():
        with torch.no_grad():
            if name.endswith("bias"):
                p.zero_()
            elif "bn" in name:
                p.fill_(1)
            else:
                p.normal_(0, 0.02, generator=generator)


def load_networks(path, device="cpu"):
    """G (the EMA copy when there is one) and E of an OGan checkpoint, in eval mode."""
    tensors, metadata = load_safetensors(path)
    config = Config.from_checkpoint(metadata)
    g, e = Generator(config), Encoder(config)
    prefix = "generator_ema." if any(k.startswith("generator_ema.") for k in tensors) else "generator."
    g.load_state_dict({k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)})
    e.load_state_dict({k[len("encoder."):]: v for k, v in tensors.items() if k.startswith("encoder.")})
    return config, g.to(device).eval(), e.to(device).eval()


def save_networks(path, config, g, e, settings=None):
    """Writes G and E as an OGan checkpoint that OGanModel.Load (and `ogan sample`, `ogan encode`...) reads.
    settings: the run settings JSON to keep (e.g. the metadata["settings"] of the checkpoint these networks
    came from); by default only the model's shape, with OGan's default training options."""
    if settings is None:
        settings = json.dumps({"model": {"image_size": config.S, "channels": config.C, "width": config.W,
                                         "z_dim": config.Z, "kernel_size": config.K, "skips": config.J,
                                         "min_channels": config.M},
                               "training": {}, "data": "pytorch"})
    tensors = {"generator." + k: v for k, v in g.state_dict().items()}
    tensors.update({"encoder." + k: v for k, v in e.state_dict().items()})
    save_safetensors(path, tensors, {"format": "ogan-checkpoint/2", "settings": settings, "step": "0"})


# Losses: critic score s = avg(E(x)); low means real (the paper's sign).

def normalise(v):
    centred = v - v.mean(1, keepdim=True)
    return centred * centred.square().sum(1, keepdim=True).clamp(min=1e-12).rsqrt()


def correlation(z, zh):
    return (normalise(z) * normalise(zh)).sum(1)


def standardise(e):
    centred = e - e.mean(1, keepdim=True)
    return centred / centred.square().mean(1, keepdim=True).clamp(min=1e-12).sqrt()


def qp_encoder_loss(s_real, s_fake, real, fake, lambda_qp=0.25):
    delta = s_real - s_fake
    distance = (real - fake).square().mean([1, 2, 3]).clamp(min=1e-8)
    return (delta + lambda_qp * delta.square() / distance).mean()


class Step:
    """One O-GAN iteration with GAN-QP + rho: alternating E and G steps, or the author's single pass.
    bf16=True runs the forward passes and losses under torch.autocast(dtype=torch.bfloat16); backward outside it."""

    def __init__(self, g, e, lr=2e-4, betas=(0.5, 0.999), lambda_qp=0.25, lambda_rho=0.5, single_pass=False, bf16=False):
        self.g, self.e = g, e
        device_type = next(g.parameters()).device.type
        self.autocast = lambda: torch.autocast(device_type, dtype=torch.bfloat16, enabled=bf16)
        self.opt_g = torch.optim.Adam(g.parameters(), lr, betas)
        self.opt_e = torch.optim.Adam(e.parameters(), lr, betas)
        self.lambda_qp, self.lambda_rho, self.single_pass = lambda_qp, lambda_rho, single_pass

    def __call__(self, real, z, z2):
        return self.combined(real, z) if self.single_pass else self.alternating(real, z, z2)

    def alternating(self, real, z, z2):
        with self.autocast():
            with torch.no_grad():
                fake = self.g(z)
            code = self.e(fake)
            rho_e = correlation(z, code).mean()
            loss_e = qp_encoder_loss(self.e(real).mean(1), code.mean(1), real, fake, self.lambda_qp) - self.lambda_rho * rho_e
        self.opt_e.zero_grad(set_to_none=True)
        loss_e.backward()
        self.opt_e.step()

        for p in self.e.parameters():
            p.requires_grad_(False)
        with self.autocast():
            code = self.e(self.g(z2))
            rho = correlation(z2, code).mean()
            loss_g = code.mean() - self.lambda_rho * rho
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        for p in self.e.parameters():
            p.requires_grad_(True)
        return loss_e.detach(), loss_g.detach(), rho.detach()

    def combined(self, real, z):
        with self.autocast():
            fake = self.g(z)
            stopped = fake.detach()
            s_real, code, code_stopped = self.e(real).mean(1), self.e(fake), self.e(stopped)
            rho = correlation(z, code).mean()
            loss_e = qp_encoder_loss(s_real, code_stopped.mean(1), real, stopped, self.lambda_qp)
            total = loss_e + code.mean() - code_stopped.mean() - self.lambda_rho * rho
        self.opt_e.zero_grad(set_to_none=True)
        self.opt_g.zero_grad(set_to_none=True)
        total.backward()
        self.opt_e.step()
        self.opt_g.step()
        return loss_e.detach(), code.mean().detach(), rho.detach()


# Data and evaluation.

def fashion_mnist(train=True, folder="/usr/share/datasets/fashion-mnist"):
    """uint8 (N, 1, 32, 32): 28 px zero-padded to 32, as OGan's reader."""
    name = ("train" if train else "t10k") + "-images-idx3-ubyte"
    path = os.path.join(folder, name)
    data = gzip.open(path + ".gz").read() if os.path.exists(path + ".gz") else open(path, "rb").read()
    count, rows, cols = struct.unpack(">III", data[4:16])
    images = torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).reshape(count, 1, rows, cols)
    return F.pad(images, (2, 2, 2, 2))


def to_float(pixels):
    return pixels.float() / 127.5 - 1


def calibrate(e, images, count=1024, batch=64):
    """E's BatchNorm running statistics recomputed as the plain average over the first `count` images."""
    norms = [m for m in e.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    e.train()
    with torch.no_grad():
        for start in range(0, min(count, len(images)), batch):
            e(to_float(images[start:start + batch]))
    for m in norms:
        m.momentum = 0.1
    e.eval()


@torch.no_grad()
def evaluate(g, e, test_images, z_count=10000, seed=123, batch=500):
    """(rho on z_count fresh z, per-pixel MSE of G(N(E(x))) on test_images), both networks in eval mode."""
    g.eval(), e.eval()
    generator = torch.Generator().manual_seed(seed)
    rho_sum = 0.0
    for start in range(0, z_count, batch):
        z = torch.randn(min(batch, z_count - start), g.fc.in_features, generator=generator)
        rho_sum += correlation(z, e(g(z))).sum().item()
    squared = 0.0
    for start in range(0, len(test_images), batch):
        x = to_float(test_images[start:start + batch])
        squared += (g(standardise(e(x))) - x).square().mean([1, 2, 3]).sum().item()
    g.train(), e.train()
    return rho_sum / z_count, squared / len(test_images)


class EncoderWithLatents(nn.Module):
    """E with its codes' standardisation: images -> (codes E(x), latents N(E(x))), as encoder.onnx of `ogan export`."""
    def __init__(self, e):
        super().__init__()
        self.e = e

    def forward(self, x):
        codes = self.e(x)
        return codes, standardise(codes)


def export_onnx(checkpoint, folder):
    """The layout of `ogan export` (generator.onnx, encoder.onnx, model.json) through torch.onnx.export (opset 17,
    a dynamic batch axis; BatchNorm as nodes), so ONNX Runtime and OGan.Onnx run a model PyTorch trained."""
    import hashlib
    import os
    config, g, e = load_networks(checkpoint)
    tensors, metadata = load_safetensors(checkpoint)
    os.makedirs(folder, exist_ok=True)
    batch = {0: "batch"}
    with torch.no_grad():
        torch.onnx.export(g, (torch.zeros(2, config.Z),), os.path.join(folder, "generator.onnx"), dynamo=False, opset_version=17,
                          input_names=["latents"], output_names=["images"], dynamic_axes={"latents": batch, "images": batch})
        torch.onnx.export(EncoderWithLatents(e).eval(), (torch.zeros(2, config.C, config.S, config.S),), os.path.join(folder, "encoder.onnx"),
                          dynamo=False, opset_version=17, input_names=["images"], output_names=["codes", "latents"],
                          dynamic_axes={"images": batch, "codes": batch, "latents": batch})
    manifest = {
        "format": "ogan-onnx/1", "ogan_version": "python/ogan_torch.py, torch " + torch.__version__, "opset": 17,
        "image_size": config.S, "channels": config.C, "latent_dim": config.Z,
        "pixels": "NCHW float32 in [-1, 1]: value = byte / 127.5 - 1, byte = round((value + 1) * 127.5) clamped to 0..255",
        "standardisation": "latents = N(codes): per sample, (codes - mean) / sqrt(max(mean((codes - mean)^2), 1e-12))",
        "reconstruction_scale": 0.9,
        "preprocessing": "largest centred square, resized to image_size with a triangle (bilinear, antialiased) filter; grey = ITU-R 601 luma",
        "generator_is_ema": any(k.startswith("generator_ema.") for k in tensors), "batch_norm_folded": False,
        "step": int(metadata.get("step", "0")), "checkpoint": os.path.basename(checkpoint),
        "checkpoint_sha256": hashlib.sha256(open(checkpoint, "rb").read()).hexdigest(), "checkpoint_verified": "sha256" in metadata,
    }
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)


def main(argv):
    """ogan_torch.py sample|encode CHECKPOINT IN OUT: raw little-endian float32 in and out.
    sample: latents (N, Z) -> G(z) (N, C, S, S); encode: images (N, C, S, S) in [-1, 1] -> E(x) (N, Z).
    These reference computations run without oneDNN, whose CPU kernels get convolutions with few channels on
    both sides wrong on some CPUs (docs/mixed-precision.md).
    ogan_torch.py perturb CHECKPOINT OUT: G and E with every weight moved by 10% noise, as an OGan checkpoint.
    ogan_torch.py export CHECKPOINT FOLDER: generator.onnx, encoder.onnx and model.json as `ogan export` writes them."""
    if len(argv) == 3 and argv[0] == "export":
        export_onnx(argv[1], argv[2])
        return
    if len(argv) == 3 and argv[0] == "perturb":
        config, g, e = load_networks(argv[1])
        noise = torch.Generator().manual_seed(0)
        with torch.no_grad():
            for p in list(g.parameters()) + list(e.parameters()):
                p.mul_(1 + 0.1 * torch.randn(p.shape, generator=noise))
        save_networks(argv[2], config, g, e, load_safetensors(argv[1])[1]["settings"])
        return
    if len(argv) != 4 or argv[0] not in ("sample", "encode"):
        sys.exit("usage: ogan_torch.py sample|encode CHECKPOINT IN.f32 OUT.f32 | perturb CHECKPOINT OUT | export CHECKPOINT FOLDER")
    command, checkpoint, source, target = argv
    config, g, e = load_networks(checkpoint)
    values = torch.frombuffer(bytearray(open(source, "rb").read()), dtype=torch.float32)
    with torch.no_grad(), torch.backends.mkldnn.flags(enabled=False):
        if command == "sample":
            result = g(values.reshape(-1, config.Z))
        else:
            result = e(values.reshape(-1, config.C, config.S, config.S))
    open(target, "wb").write(result.contiguous().numpy().tobytes())


if __name__ == "__main__":
    main(sys.argv[1:])
