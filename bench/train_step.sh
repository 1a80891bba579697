#!/usr/bin/env bash
# Times one O-GAN training iteration (E step + G step, GAN-QP + rho, Adam, fetching the batch included)
# through OGan's Trainer on TorchSharp and through plain PyTorch eager (bench/train_step.py on
# python/ogan_torch.py), alternating rounds in one run; prints the median seconds per iteration of each
# and the ratio OGan / PyTorch (below 1: OGan is faster).
# Usage: bench/train_step.sh [SIZE] [WIDTH] [BATCH] [ITERATIONS] [ROUNDS] [alternating|single-pass] [CHANNELS]
# PyTorch is the Debian 13 root's python3-torch 2.6 with OpenBLAS (OpenMP) on Debian 12 hosts, the host's
# /usr/bin/python3 elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-32}; width=${2:-128}; batch=${3:-32}; iterations=${4:-40}; rounds=${5:-5}; form=${6:-alternating}; channels=${7:-1}
threads=${OGAN_NUM_THREADS:-$(nproc)}

bench_dll=${OGAN_BENCH_DLL:-bench/OGan.Bench/bin/Release/net10.0/ogan-bench.dll} # a prebuilt copy skips the build
if [ -z "${OGAN_IN_DEBIAN13:-}" ]; then
  [ -n "${OGAN_BENCH_DLL:-}" ] || dotnet build bench/OGan.Bench -c Release --nologo -v quiet -clp:NoSummary >&2
  if bash scripts/debian13.sh needed; then
    OGAN_BENCH_DLL=$bench_dll exec bash scripts/debian13.sh run bash bench/train_step.sh "$@"
  fi
fi

cs=(); py=()
for round in $(seq "$rounds"); do
  py+=("$(/usr/bin/python3 bench/train_step.py speed "$size" "$width" "$batch" "$iterations" "$channels" "$form" "$threads" | awk '/seconds_per_iteration/ {print $2}')")
  cs+=("$(OGAN_NUM_THREADS=$threads dotnet "$bench_dll" train-speed "$size" "$width" "$batch" "$iterations" "$form" "$channels" | awk '{print $2}')")
  echo "round $round: OGan ${cs[-1]} s/it, PyTorch ${py[-1]} s/it" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c=$(median "${cs[@]}"); p=$(median "${py[@]}")
torch_version=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')
echo "O-GAN $form iteration, ${size} px, $channels channel(s), width $width, batch $batch, $threads threads, median of $rounds rounds x $iterations iterations"
awk -v c="$c" -v p="$p" -v t="$torch_version" 'BEGIN { printf "OGan (TorchSharp) %.4f s/it, PyTorch %s %.4f s/it, ratio OGan/PyTorch %.3f\n", c, t, p, c / p }'
