#!/usr/bin/env bash
# Runs on a GPU machine (CUDA, CMake, PyTorch 2.x, no .NET, no network), from the repository root, after
# bench/gpu/pack.sh here:  TORCHSHARP_SRC=/path/to/TorchSharp bash bench/gpu/run.sh [ITERATIONS] [ROUNDS]
#
# TorchSharp-cuda-linux is what a user installs for CUDA; where it cannot be had (this project's package
# source does not serve it), TorchSharp's native part is built here from TorchSharp's public source
# (TORCHSHARP_SRC, a checkout of the tag matching the TorchSharp version in Directory.Packages.props,
# carried beside the repository, never into it) against the machine's own CUDA libtorch: the one inside
# its PyTorch wheel. Then it times the O-GAN iteration at the paper's setting (128 px, width 1024,
# batch 64) in OGan and in PyTorch eager and torch.compile, alternating rounds, with peak memory.
# It has not yet run: no GPU was lent to the sessions that wrote it.
set -euo pipefail
cd "$(dirname "$0")/../.."
iterations=${1:-20}; rounds=${2:-3}
carry=bench/gpu/carry
[ -f "$carry/dotnet.tar.xz" ] || { echo "error: $carry/dotnet.tar.xz missing: run bench/gpu/pack.sh on the build machine and carry $carry" >&2; exit 1; }
[ -d "${TORCHSHARP_SRC:-}/src/Native" ] || { echo "error: set TORCHSHARP_SRC to a TorchSharp source checkout (its src/Native is built here)" >&2; exit 1; }

work=${TMPDIR:-/tmp}/ogan-gpu; mkdir -p "$work/dotnet"
[ -x "$work/dotnet/dotnet" ] || tar -C "$work/dotnet" -xJf "$carry/dotnet.tar.xz"
export DOTNET_ROOT=$work/dotnet PATH=$work/dotnet:$PATH DOTNET_CLI_TELEMETRY_OPTOUT=1

torch_lib=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
if [ ! -f "$work/native/libLibTorchSharp.so" ]; then
  cmake -S "$TORCHSHARP_SRC/src/Native" -B "$work/native-build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  cmake --build "$work/native-build" --parallel >/dev/null
  mkdir -p "$work/native" && find "$work/native-build" -name 'libLibTorchSharp.so' -exec cp {} "$work/native/" \;
fi
# TorchSharp loads LibTorchSharp and libtorch from the library path when its backend package is absent.
export LD_LIBRARY_PATH=$work/native:$torch_lib:${LD_LIBRARY_PATH:-}

log=${OUT:-$work}/gpu-bench.txt
{
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
  dotnet "$carry/OGan.Cli/ogan.dll" info
  for round in $(seq "$rounds"); do
    echo "round $round"
    echo "  pytorch eager:    $(python3 bench/train_step.py speed 128 1024 64 "$iterations" 3 alternating 1 cuda | tr '\n' ' ')"
    echo "  pytorch compile:  $(python3 bench/train_step.py speed 128 1024 64 "$iterations" 3 alternating 1 cuda compile | tr '\n' ' ')"
    echo "  ogan:             $(dotnet "$carry/OGan.Bench/ogan-bench.dll" train-speed 128 1024 64 "$iterations" alternating 3 cuda)"
    echo "  ogan single-pass: $(dotnet "$carry/OGan.Bench/ogan-bench.dll" train-speed 128 1024 64 "$iterations" single-pass 3 cuda)"
  done
} 2>&1 | tee "$log"
