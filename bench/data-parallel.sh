#!/usr/bin/env bash
# Data-parallel training on one machine, side by side in alternating rounds: 2 processes x 1 thread
# (mpirun, shared memory) against 1 process x 2 threads, at the same global batch, through OGan's Trainer on
# random images (ogan-bench data-parallel). Prints the median images/s of each, their ratio (issue 27's
# target: >= 0.95), and the all-reduce's share of an iteration (waiting for the slower process included).
# A third row splits what is lost: 2 independent processes x 1 thread, each at half the batch, at the same
# time and without any communication (their images/s added): what 2 processes could reach with a free all-reduce.
# Usage: bench/data-parallel.sh [ITERATIONS_32PX] [ITERATIONS_64PX] [ROUNDS] [PRECISION]
# CONFIGS="SIZE:WIDTH:BATCH ..." overrides the two settings of the issue (32 px width 128, 64 px width 512).
set -euo pipefail
cd "$(dirname "$0")/.."
iterations32=${1:-150}; iterations64=${2:-12}; rounds=${3:-3}; precision=${4:-auto}
configs=(${CONFIGS:-32:128:64 64:512:32})

bench_dll=${OGAN_BENCH_DLL:-bench/OGan.Bench/bin/Release/net10.0/ogan-bench.dll} # a prebuilt copy skips the build
if [ -z "${OGAN_IN_DEBIAN13:-}" ]; then
  [ -n "${OGAN_BENCH_DLL:-}" ] || dotnet build bench/OGan.Bench -c Release --nologo -v quiet -clp:NoSummary >&2
  if bash scripts/debian13.sh needed; then
    OGAN_BENCH_DLL=$bench_dll exec bash scripts/debian13.sh run bash bench/data-parallel.sh "$@"
  fi
fi
command -v mpirun >/dev/null || { echo "error: mpirun not found: run scripts/install-deps.sh (Open MPI)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

run() { # PROCESSES SIZE WIDTH BATCH ITERATIONS: one line of ogan-bench (PROCESSES "alone": two independent halves)
  if [ "$1" = alone ]; then
    local half=$(($4 / 2)) tmp
    tmp=$(mktemp)
    OGAN_NUM_THREADS=1 dotnet "$bench_dll" data-parallel "$2" "$3" "$half" "$5" "$precision" > "$tmp.a" &
    OGAN_NUM_THREADS=1 dotnet "$bench_dll" data-parallel "$2" "$3" "$half" "$5" "$precision" > "$tmp.b"
    wait
    awk '/images/ {sum += $2} END {print "images_per_second", sum}' "$tmp.a" "$tmp.b"
    rm -f "$tmp" "$tmp.a" "$tmp.b"
    return
  elif [ "$1" = 1 ]; then
    OGAN_NUM_THREADS=2 dotnet "$bench_dll" data-parallel "$2" "$3" "$4" "$5" "$precision"
  else
    OMPI_MCA_btl=self,sm OGAN_NUM_THREADS=1 mpirun -np "$1" --bind-to none -x OGAN_NUM_THREADS dotnet "$bench_dll" data-parallel "$2" "$3" "$4" "$5" "$precision"
  fi | grep images_per_second
}

median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "data-parallel on $(nproc) cores, $precision, median of $rounds alternating rounds"
for config in "${configs[@]}"; do
  IFS=: read -r size width batch <<<"$config"
  iterations=$([ "$size" -le 32 ] && echo "$iterations32" || echo "$iterations64")
  one="" two="" share="" alone="" free=""
  for round in $(seq "$rounds"); do
    a=$(run 1 "$size" "$width" "$batch" "$iterations"); b=$(run 2 "$size" "$width" "$batch" "$iterations"); c=$(run alone "$size" "$width" "$batch" "$iterations")
    free+="$(awk '{print $2}' <<<"$c") "
    one+="$(awk '{print $2}' <<<"$a") "; two+="$(awk '{print $2}' <<<"$b") "; share+="$(awk '{print $6}' <<<"$b") "; alone+="$(awk '{print $16 / $4}' <<<"$b") "
    echo "  $size px width $width batch $batch round $round: 1x2 $(awk '{print $2}' <<<"$a") img/s, 2x1 $(awk '{print $2}' <<<"$b") img/s, 2 independent halves $(awk '{print $2}' <<<"$c") img/s, all-reduce $(awk '{print $6}' <<<"$b") of an iteration, $(awk '{print $16 / $4}' <<<"$b") without waiting ($(awk '{print $12, $14}' <<<"$b") gradient values)" >&2
  done
  m1=$(median "$one"); m2=$(median "$two"); ms=$(median "$share"); ma=$(median "$alone"); mf=$(median "$free")
  awk -v s="$size" -v w="$width" -v b="$batch" -v i="$iterations" -v m1="$m1" -v m2="$m2" -v mf="$mf" -v ms="$ms" -v ma="$ma" -v o="$one" -v t="$two" -v f="$free" \
    'BEGIN { printf "%s px, width %s, global batch %s, %s iterations: 1 process x 2 threads %.1f img/s (%s), 2 processes x 1 thread %.1f img/s (%s); ratio %.3f; all-reduce %.1f%% of an iteration (%.1f%% transfer, the rest waiting for the other process); 2 independent halves without communication %.1f img/s (%s), ratio %.3f\n", s, w, b, i, m1, o, m2, t, m2 / m1, 100 * ms, 100 * ma, mf, f, mf / m1 }'
done
