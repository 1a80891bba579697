#!/usr/bin/env bash
# Times the DCGAN layer stack from C# (OGan) and from PyTorch on the same libtorch, alternating
# rounds in one run, and prints the ratio C# / PyTorch (lower is better for OGan; target <= 1.05).
# Usage: bench/layer_stack.sh [CHANNELS] [SIZE] [ITERATIONS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
channels=${1:-256}; size=${2:-8}; iterations=${3:-10}; rounds=${4:-3}
threads=${OGAN_NUM_THREADS:-$(nproc)}

dotnet build bench/OGan.Bench -c Release --nologo -v quiet -clp:NoSummary >&2
bench_dll=bench/OGan.Bench/bin/Release/net10.0/ogan-bench.dll

cs=(); py=()
for round in $(seq "$rounds"); do
  py+=("$(/usr/bin/python3 bench/layer_stack.py "$channels" "$size" "$iterations" "$threads" | awk '{print $2}')")
  cs+=("$(OGAN_NUM_THREADS=$threads dotnet "$bench_dll" layer-stack "$channels" "$size" "$iterations" | awk '{print $2}')")
  echo "round $round: C# ${cs[-1]} s/it, PyTorch ${py[-1]} s/it" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c=$(median "${cs[@]}"); p=$(median "${py[@]}")
echo "layer stack (ConvT ${channels}->$((channels/2)) k5 s2 + BN + ReLU + Conv k5 s2, ${size}x${size} -> $((size*2)) -> ${size}, batch 64, fwd+bwd, $threads threads)"
awk -v c="$c" -v p="$p" 'BEGIN { printf "C# %.4f s/it, PyTorch %.4f s/it, ratio C#/PyTorch %.3f\n", c, p, c / p }'
