#!/usr/bin/env bash
# A long run's resident memory (bench/README.md, "Soak"): trains ITERATIONS iterations with the default
# cadences (grids, checkpoints, metrics) and samples the process's RSS every 5 s; prints the curve and the
# growth from the first quarter's lowest sample to the last quarter's.
#   bash bench/soak.sh [ITERATIONS] [WIDTH]       10000 and 128 (the default model) by default
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-10000}
width=${2:-128}
source bench/ogan-built.sh
work=$(mktemp -d /tmp/ogan-soak-XXXXXX)
"${ogan[@]}" train --steps "$iterations" --width "$width" --sample-every 500 --snapshot-every 1000 --metrics-every 1000 \
  --verbosity quiet --out "$work/runs" > "$work/out.log" 2>&1 &
pid=$!
start=$(date +%s)
echo "seconds,step,rss_mb" > "$work/rss.csv"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status" 2>/dev/null || true)
  step=$(tail -n 1 "$work"/runs/*/stats.jsonl 2>/dev/null | grep -o '"step":[0-9]*' | cut -d: -f2 || true)
  [ -n "$rss" ] && echo "$(( $(date +%s) - start )),${step:-0},$rss" >> "$work/rss.csv"
  sleep 5
done
wait "$pid" || { echo "the run failed: $(tail -3 "$work/out.log")"; exit 1; }
python3 - "$work/rss.csv" <<'PY'
import csv, sys
rows = [(int(r["seconds"]), int(r["step"]), int(r["rss_mb"])) for r in csv.DictReader(open(sys.argv[1]))]
rows = [r for r in rows if r[1] > 0]  # from the first logged step: before it the process is starting
n = len(rows)
print("seconds  step    RSS MB")
for s, step, rss in rows[:: max(1, n // 20)] + [rows[-1]]:
    print(f"{s:7d} {step:6d} {rss:8d}")
quarter = max(1, n // 4)
first, last = min(r[2] for r in rows[:quarter]), min(r[2] for r in rows[-quarter:])
peak = max(r[2] for r in rows)
median = lambda part: sorted(r[2] for r in part)[len(part) // 2]
print(f"{n} samples over {rows[-1][0]} s: lowest of the first quarter {first} MB, of the last quarter {last} MB "
      f"(growth {last - first:+d} MB); medians {median(rows[:quarter])} and {median(rows[-quarter:])} MB; peak {peak} MB")
PY
cp "$work/rss.csv" "${SOAK_CSV:-/tmp/ogan-soak-rss.csv}"
rm -rf "$work"
