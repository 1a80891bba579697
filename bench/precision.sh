#!/usr/bin/env bash
# Mixed precision side by side, in one run and alternating rounds (warm-up first, as bench/train_step.sh):
# the O-GAN training iteration through OGan's Trainer in fp32 and bf16 (and channels-last), and through plain
# PyTorch (bench/train_step.py) eager fp32 and under torch.autocast("cpu", dtype=torch.bfloat16) (and
# channels-last). Prints the median seconds per iteration of each and the ratios that issue 26 targets.
# Usage: bench/precision.sh [SIZE] [WIDTH] [BATCH] [ITERATIONS] [ROUNDS] [CHANNELS]
# VARIANTS="ogan:fp32 ogan:bf16 ..." overrides the list below.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-64}; width=${2:-512}; batch=${3:-32}; iterations=${4:-10}; rounds=${5:-3}; channels=${6:-3}
threads=${OGAN_NUM_THREADS:-$(nproc)}
variants=(${VARIANTS:-ogan:fp32 ogan:bf16 ogan:bf16:channels-last pytorch:fp32 pytorch:bf16 pytorch:bf16:channels-last})

bench_dll=${OGAN_BENCH_DLL:-bench/OGan.Bench/bin/Release/net10.0/ogan-bench.dll} # a prebuilt copy skips the build
if [ -z "${OGAN_IN_DEBIAN13:-}" ]; then
  [ -n "${OGAN_BENCH_DLL:-}" ] || dotnet build bench/OGan.Bench -c Release --nologo -v quiet -clp:NoSummary >&2
  if bash scripts/debian13.sh needed; then
    OGAN_BENCH_DLL=$bench_dll exec bash scripts/debian13.sh run bash bench/precision.sh "$@"
  fi
fi

time_one() { # VARIANT: seconds per iteration
  local side=${1%%:*} rest=${1#*:}; local flags=(${rest//:/ })
  if [ "$side" = ogan ]; then
    OGAN_NUM_THREADS=$threads dotnet "$bench_dll" train-speed "$size" "$width" "$batch" "$iterations" alternating "$channels" cpu "${flags[@]}"
  else
    [ "${flags[0]}" = fp32 ] && flags=("${flags[@]:1}")
    /usr/bin/python3 bench/train_step.py speed "$size" "$width" "$batch" "$iterations" "$channels" alternating "$threads" cpu "${flags[@]}"
  fi | awk '/seconds_per_iteration/ {print $2}'
}

declare -A times
for round in $(seq "$rounds"); do
  line="round $round:"
  for variant in "${variants[@]}"; do
    t=$(time_one "$variant")
    times[$variant]+="$t "
    line+=" $variant $t"
  done
  echo "$line" >&2
done

median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "O-GAN alternating iteration, ${size} px, $channels channel(s), width $width, batch $batch, $threads threads, median of $rounds rounds x $iterations iterations (PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'))"
declare -A med
for variant in "${variants[@]}"; do
  med[$variant]=$(median "${times[$variant]}")
  printf '%-28s %.4f s/it  (rounds: %s)\n' "$variant" "${med[$variant]}" "${times[$variant]% }"
done
ratio() { [ -n "${med[$1]:-}" ] && [ -n "${med[$2]:-}" ] && awk -v a="${med[$1]}" -v b="${med[$2]}" -v n="$1 / $2" 'BEGIN { printf "%-50s %.3f\n", n, a / b }' || true; }
ratio ogan:bf16 ogan:fp32
ratio ogan:fp32:channels-last ogan:fp32
ratio ogan:bf16:channels-last ogan:fp32
ratio ogan:fp32 pytorch:fp32
ratio ogan:bf16 pytorch:bf16
ratio ogan:bf16:channels-last pytorch:bf16
ratio ogan:bf16:channels-last pytorch:bf16:channels-last
ratio pytorch:bf16 pytorch:fp32
ratio pytorch:bf16:channels-last pytorch:fp32
