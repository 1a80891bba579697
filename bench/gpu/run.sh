#!/usr/bin/env bash
# Runs on the GPU machine (CUDA, CMake, PyTorch 2.x, no .NET, no network), from the repository root, after
# bench/gpu/pack.sh here:  bash bench/gpu/run.sh [ITERATIONS] [ROUNDS]
# Builds native/ against the wheel's CUDA libtorch, then times the O-GAN training iteration at the paper's
# setting (128 px, width 1024, batch 64) in OGan and in plain PyTorch eager and torch.compile, alternating
# rounds, and prints the ratios and peak memory. Writes everything also to $OUT/gpu-bench.txt if $OUT is set.
set -euo pipefail
cd "$(dirname "$0")/../.."
iterations=${1:-20}; rounds=${2:-3}
carry=bench/gpu/carry
[ -f "$carry/dotnet.tar.xz" ] || { echo "error: $carry/dotnet.tar.xz missing: run bench/gpu/pack.sh on the build machine and carry $carry" >&2; exit 1; }

work=${TMPDIR:-/tmp}/ogan-gpu; mkdir -p "$work/dotnet"
[ -x "$work/dotnet/dotnet" ] || tar -C "$work/dotnet" -xJf "$carry/dotnet.tar.xz"
export DOTNET_ROOT=$work/dotnet PATH=$work/dotnet:$PATH DOTNET_CLI_TELEMETRY_OPTOUT=1

prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
cmake -S native -B "$work/native" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/native" --parallel >/dev/null
export OGAN_NATIVE_PATH=$work/native/libogan_native.so
# libtorch's own libraries come from the wheel.
export LD_LIBRARY_PATH=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))'):${LD_LIBRARY_PATH:-}

log=${OUT:-$work}/gpu-bench.txt
{
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
  dotnet "$carry/ogan/ogan.dll" info
  for round in $(seq "$rounds"); do
    echo "round $round"
    echo "  pytorch eager:   $(python3 bench/train_step.py speed 128 1024 64 "$iterations" alternating 1 cuda | tr '\n' ' ')"
    echo "  pytorch compile: $(python3 bench/train_step.py speed 128 1024 64 "$iterations" alternating 1 cuda compile | tr '\n' ' ')"
    echo "  ogan:            $(dotnet "$carry/bench/ogan-bench.dll" train-speed 128 1024 64 "$iterations" alternating cuda)"
    echo "  ogan single-pass: $(dotnet "$carry/bench/ogan-bench.dll" train-speed 128 1024 64 "$iterations" single-pass cuda)"
  done
} 2>&1 | tee "$log"
