#!/usr/bin/env bash
# A long run's resident memory (bench/README.md, "Soak"): trains ITERATIONS iterations with the default
# cadences (grids, checkpoints, metrics) and samples the process's RSS every 5 s; prints the curve and the
# growth from the first quarter's lowest sample to the last quarter's.
#   bash bench/soak.sh [ITERATIONS] [WIDTH]       10000 and 128 (the default model) by default
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-10000}
width=${2:-128}
dotnet build src/OGan.Cli -c Release --nologo -v quiet -clp:NoSummary
dll=$PWD/src/OGan.Cli/bin/Release/net10.0/ogan.dll
ogan=(dotnet "$dll")
if bash scripts/debian13.sh needed; then ogan=(bash scripts/debian13.sh run dotnet "$dll"); fi
work=$(mktemp -d /tmp/ogan-soak-XXXXXX)
"${ogan[@]}" train --steps "$iterations" --width "$width" --sample-every 500 --snapshot-every 1000 --metrics-every 1000 \
  --verbosity quiet --out "$work/runs" > "$work/out.log" 2>&1 &
pid=$!
start=$(date +%s)
echo "seconds,step,rss_mb" > "$work/rss.csv"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status" 2>/dev/null || true)
  step=$(grep -o '"step":[0-9]*' "$work"/runs/*/stats.jsonl 2>/dev/null | tail -1 | cut -d: -f3 || true)
  [ -n "$rss" ] && echo "$(( $(date +%s) - start )),${step:-0},$rss" >> "$work/rss.csv"
  sleep 5
done
wait "$pid" || { echo "the run failed: $(tail -3 "$work/out.log")"; exit 1; }
python3 - "$work/rss.csv" <<'PY'
import csv, sys
rows = [(int(r["seconds"]), int(r["step"]), int(r["rss_mb"])) for r in csv.DictReader(open(sys.argv[1]))]
n = len(rows)
print("seconds  step    RSS MB")
for s, step, rss in rows[:: max(1, n // 20)] + [rows[-1]]:
    print(f"{s:7d} {step:6d} {rss:8d}")
quarter = max(1, n // 4)
first, last = min(r[2] for r in rows[:quarter]), min(r[2] for r in rows[-quarter:])
peak = max(r[2] for r in rows)
print(f"{n} samples over {rows[-1][0]} s: lowest of the first quarter {first} MB, of the last quarter {last} MB "
      f"(growth {last - first:+d} MB), peak {peak} MB")
PY
cp "$work/rss.csv" "${SOAK_CSV:-/tmp/ogan-soak-rss.csv}"
rm -rf "$work"
