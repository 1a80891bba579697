#!/usr/bin/env bash
# Runs on a GPU machine (CUDA, CMake, ninja, PyTorch 2.x, no .NET, no network), from the repository root,
# after bench/gpu/pack.sh here:  bash bench/gpu/run.sh [ITERATIONS] [ROUNDS]
#
# TorchSharp-cuda-linux is what a user installs for CUDA; where it cannot be had (this project's package
# source does not serve it), TorchSharp's native part is built here from TorchSharp's public source
# (bench/gpu/carry/TorchSharp, put there by pack.sh from a checkout of the TorchSharp version in
# Directory.Packages.props; it is never committed) against the machine's own CUDA libtorch: the one inside
# its PyTorch wheel. Then:
#   1. checks: `ogan info` sees the GPU; a 64 px model trains on 35 real photos on CUDA; G(z) and eval's
#      numbers of that checkpoint on CUDA agree with the CPU's;
#   2. times the O-GAN iteration at the paper's setting (128 px, width 1024, RGB) at batches 64 and 256
#      (BATCHES), alternating rounds of OGan fp32, bf16 and bf16 channels-last against PyTorch eager fp32 and
#      torch.autocast bf16 (with and without channels-last) on the same card (VARIANTS); then images/s, the
#      ratios, and the achieved TFLOP/s (bench/gpu/flops.py counts one iteration) as a share of the card's
#      dense bf16 peak (bench/gpu/summary.py).
# CHECKS=0 skips part 1; COMPILE=1 adds a torch.compile row. Everything goes to $OUT (the device tool's output folder) or bench/gpu/work.
set -euo pipefail
cd "$(dirname "$0")/../.."
iterations=${1:-20}; rounds=${2:-3}
BATCHES=${BATCHES:-64 256}
VARIANTS=${VARIANTS:-pytorch-fp32 pytorch-bf16 pytorch-bf16-cl ogan-fp32 ogan-bf16 ogan-bf16-cl}
source bench/gpu/setup.sh # the carried .NET, and TorchSharp's native part built against this machine's libtorch
ogan() { dotnet "$carry/OGan.Cli/ogan.dll" "$@"; }

{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  ogan info

  if [ "${CHECKS:-1}" = 1 ]; then
  echo "== checks: 64 px on the carried photos, CUDA"
  rm -rf "$out/run"
  ogan train -d "$carry/photos" --res 64 --width 256 --batch 32 --flip --steps 300 --snapshot-every 300 --sample-every 300 --log-every 100 \
    --device cuda --out "$out/run" --verbosity quiet
  run=$(ls -d "$out"/run/*)
  ogan sample -c "$run" -n 16 --seed 7 --device cuda -o "$out/g-cuda.npy" --verbosity quiet
  ogan sample -c "$run" -n 16 --seed 7 --device cpu -o "$out/g-cpu.npy" --verbosity quiet
  python3 - "$out/g-cuda.npy" "$out/g-cpu.npy" <<'PY'
import ast, struct, sys
def load(path):  # float32 .npy, without numpy
    raw = open(path, "rb").read()
    length = int.from_bytes(raw[8:10], "little")
    assert ast.literal_eval(raw[10:10 + length].decode())["descr"] == "<f4"
    data = raw[10 + length:]
    return struct.unpack(f"<{len(data) // 4}f", data)
a, b = load(sys.argv[1]), load(sys.argv[2])
diffs = [abs(x - y) for x, y in zip(a, b)]
print(f"G(z), 16 images: largest |cuda - cpu| {max(diffs):.2e}, mean {sum(diffs) / len(diffs):.2e}")
PY
  for device in cuda cpu; do
    echo "eval on $device:"; ogan eval -c "$run" -d "$carry/photos" --count 64 --latents 2000 --device "$device" --json "$out/eval-$device.json" --verbosity quiet | sed 's/^/  /'
  done
  fi

  echo "== speed: 128 px, width 1024, RGB, batches $BATCHES; $iterations iterations after warm-up, seconds per iteration"
  : > "$out/speed.tsv"
  time_one() { # BATCH VARIANT: appends "BATCH VARIANT SECONDS" to speed.tsv
    local batch=$1 variant=$2 seconds
    case $variant in
      pytorch-fp32)    seconds=$(python3 bench/train_step.py speed 128 1024 "$batch" "$iterations" 3 alternating "$(nproc)" cuda) ;;
      pytorch-bf16)    seconds=$(python3 bench/train_step.py speed 128 1024 "$batch" "$iterations" 3 alternating "$(nproc)" cuda bf16) ;;
      pytorch-bf16-cl) seconds=$(python3 bench/train_step.py speed 128 1024 "$batch" "$iterations" 3 alternating "$(nproc)" cuda bf16 channels-last) ;;
      ogan-fp32)       seconds=$(dotnet "$carry/OGan.Bench/ogan-bench.dll" train-speed 128 1024 "$batch" "$iterations" alternating 3 cuda fp32) ;;
      ogan-bf16)       seconds=$(dotnet "$carry/OGan.Bench/ogan-bench.dll" train-speed 128 1024 "$batch" "$iterations" alternating 3 cuda bf16) ;;
      ogan-bf16-cl)    seconds=$(dotnet "$carry/OGan.Bench/ogan-bench.dll" train-speed 128 1024 "$batch" "$iterations" alternating 3 cuda bf16 channels-last) ;;
    esac
    echo "$batch $variant $(echo "$seconds" | awk '/seconds_per_iteration/ {print $2}')" | tee -a "$out/speed.tsv"
  }
  for batch in $BATCHES; do
    echo "batch $batch: $(python3 bench/gpu/flops.py 128 1024 "$batch" 3 cuda)" | tee -a "$out/flops.txt"
    for round in $(seq "$rounds"); do
      for variant in $VARIANTS; do time_one "$batch" "$variant"; done
    done
  done
  python3 bench/gpu/summary.py "$out/speed.tsv" "$out/flops.txt" "$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
  [ "${COMPILE:-0}" = 1 ] && echo "  pytorch compile, batch 64:  $(python3 bench/train_step.py speed 128 1024 64 "$iterations" 3 alternating "$(nproc)" cuda compile | tr '\n' ' ')"
} 2>&1 | tee "$out/gpu-bench.txt"
