#!/usr/bin/env bash
# SIGKILL at random moments of training, over and over (bench/README.md, "Crash"). After every kill the run
# must resume from its latest checkpoint (whose SHA-256 `ogan info` checks), having lost at most one snapshot
# interval; kills that land in a checkpoint write are counted (the write's temporary file is there).
#   bash bench/crash.sh [KILLS] [SNAPSHOT_EVERY]       50 and 20 by default
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-50}
every=${2:-20}
dotnet build src/OGan.Cli -c Release --nologo -v quiet -clp:NoSummary
dll=$PWD/src/OGan.Cli/bin/Release/net10.0/ogan.dll
ogan=(dotnet "$dll")
if bash scripts/debian13.sh needed; then ogan=(bash scripts/debian13.sh run dotnet "$dll"); fi
work=$(mktemp -d /tmp/ogan-crash-XXXXXX)
run=$work/runs/00000-fashion-mnist-32
train=(train --width 64 --batch 32 --steps 100000000 --log-every 1 --snapshot-every "$every" --sample-every 0
       --calibration-images 256 --verbosity quiet)

failures=0 in_write=0 most_lost=0 resumed=0
for ((k = 1; k <= kills; k++)); do
  if [ -d "$run" ]; then
    "${ogan[@]}" "${train[@]}" --resume "$run" > "$work/out.log" 2>&1 &
  else
    "${ogan[@]}" "${train[@]}" --out "$work/runs" > "$work/out.log" 2>&1 &
  fi
  pid=$!
  sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 3 + 6 * rand() }')"
  if ! kill -KILL "$pid" 2>/dev/null; then
    echo "kill $k: the run had already ended: $(tail -2 "$work/out.log")"; failures=$((failures + 1)); wait "$pid" || true; continue
  fi
  wait "$pid" 2>/dev/null || true

  logged=$(grep -o '"step":[0-9]*' "$run/stats.jsonl" 2>/dev/null | tail -1 | cut -d: -f2 || true)
  latest=$(ls "$run"/checkpoint-*.safetensors 2>/dev/null | sed 's/.*checkpoint-0*\([0-9]*\)\.safetensors/\1/' | sort -n | tail -1 || true)
  tmp=$(ls "$run"/*.tmp-* 2>/dev/null | wc -l)
  [ "$tmp" -gt 0 ] && in_write=$((in_write + 1))
  lost=$(( ${logged:-0} - ${latest:-0} ))
  [ "$lost" -gt "$most_lost" ] && most_lost=$lost
  verdict=ok
  if [ -n "$latest" ]; then
    file=$(printf '%s/checkpoint-%06d.safetensors' "$run" "$latest")
    if ! "${ogan[@]}" info "$file" 2>&1 | grep -q "SHA-256 digest verified"; then verdict="FAILED: the latest checkpoint does not load"; fi
    resumed=$((resumed + 1))
  fi
  # The last logged step may be up to one log interval (1) behind the step the process was killed at.
  [ "$lost" -gt "$every" ] && verdict="FAILED: lost $lost iterations, more than one snapshot interval ($every)"
  [ "$verdict" != ok ] && failures=$((failures + 1))
  printf 'kill %2d: logged step %s, latest checkpoint %s, lost %s, in a write: %s, %s\n' "$k" "${logged:-none}" "${latest:-none}" "$lost" "$([ "$tmp" -gt 0 ] && echo yes || echo no)" "$verdict"
done

echo "$kills SIGKILLs at random moments (3-9 s after each start, snapshot every $every iterations): $in_write during a checkpoint write,"
echo "at most $most_lost iterations lost, $failures failures; the run went on from its latest checkpoint after every kill."
rm -rf "$work"
[ "$failures" -eq 0 ]
