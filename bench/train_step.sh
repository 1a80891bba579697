#!/usr/bin/env bash
# Times one O-GAN training iteration (E step + G step, GAN-QP + rho, Adam) through OGan's Trainer and
# through plain PyTorch (python/ogan_torch.py) on the same libtorch, alternating rounds in one run; prints
# the median seconds per iteration of each and the ratio C# / PyTorch (lower is better for OGan).
# Usage: bench/train_step.sh [SIZE] [WIDTH] [BATCH] [ITERATIONS] [ROUNDS] [alternating|single-pass]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-32}; width=${2:-128}; batch=${3:-64}; iterations=${4:-40}; rounds=${5:-5}; form=${6:-alternating}
threads=${OGAN_NUM_THREADS:-$(nproc)}

bench_dll=${OGAN_BENCH_DLL:-bench/OGan.Bench/bin/Release/net10.0/ogan-bench.dll} # a prebuilt copy skips the build
[ -n "${OGAN_BENCH_DLL:-}" ] || dotnet build bench/OGan.Bench -c Release --nologo -v quiet -clp:NoSummary >&2

cs=(); py=()
for round in $(seq "$rounds"); do
  py+=("$(/usr/bin/python3 bench/train_step.py speed "$size" "$width" "$batch" "$iterations" "$form" "$threads" | awk '{print $2}')")
  cs+=("$(OGAN_NUM_THREADS=$threads dotnet "$bench_dll" train-speed "$size" "$width" "$batch" "$iterations" "$form" | awk '{print $2}')")
  echo "round $round: C# ${cs[-1]} s/it, PyTorch ${py[-1]} s/it" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c=$(median "${cs[@]}"); p=$(median "${py[@]}")
echo "O-GAN $form iteration, ${size} px, width $width, batch $batch, $threads threads, median of $rounds rounds x $iterations iterations"
awk -v c="$c" -v p="$p" 'BEGIN { printf "C# %.4f s/it, PyTorch %.4f s/it, ratio C#/PyTorch %.3f\n", c, p, c / p }'
