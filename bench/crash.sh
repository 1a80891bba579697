#!/usr/bin/env bash
# SIGKILL at random moments of training, over and over (bench/README.md, "Crash"). After every kill the run
# must resume from its latest checkpoint (whose SHA-256 `ogan info` checks), having lost at most one snapshot
# interval. Every fourth kill waits for a checkpoint write to begin and lands inside it; kills that land in a
# write are counted (the write's temporary file is there).
#   bash bench/crash.sh [KILLS] [SNAPSHOT_EVERY]       50 and 10 by default
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-50}
every=${2:-10}
source bench/ogan-built.sh
work=$(mktemp -d /tmp/ogan-crash-XXXXXX)
run=$work/runs/00000-fashion-mnist-32
train=(train --width 32 --batch 16 --steps 100000000 --log-every 1 --snapshot-every "$every" --sample-every 0
       --calibration-images 64 --verbosity quiet)

failures=0 in_write=0 most_lost=0 resumed=0
for ((k = 1; k <= kills; k++)); do
  if ls "$run"/checkpoint-*.safetensors > /dev/null 2>&1; then
    "${ogan[@]}" "${train[@]}" --resume "$run" > "$work/out.log" 2>&1 &
  else
    rm -rf "$work/runs" # killed before its first checkpoint: nothing to resume, a new run
    "${ogan[@]}" "${train[@]}" --out "$work/runs" > "$work/out.log" 2>&1 &
  fi
  pid=$!
  sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 5 + 9 * rand() }')"
  if ((k % 4 == 0)); then
    # Every fourth kill waits for a checkpoint write to begin (its temporary file) and lands inside it.
    for ((poll = 0; poll < 5000; poll++)); do
      compgen -G "$run/*.tmp-*" > /dev/null && break
      sleep 0.002
    done
  fi
  if ! kill -KILL "$pid" 2>/dev/null; then
    echo "kill $k: the run had already ended: $(tail -2 "$work/out.log")"; failures=$((failures + 1)); wait "$pid" || true; continue
  fi
  wait "$pid" 2>/dev/null || true

  logged=$(grep -o '"step":[0-9]*' "$run/stats.jsonl" 2>/dev/null | tail -1 | cut -d: -f2 || true)
  latest=$(ls "$run"/checkpoint-*.safetensors 2>/dev/null | sed 's/.*checkpoint-0*\([0-9]*\)\.safetensors/\1/' | sort -n | tail -1 || true)
  tmp=$( (ls "$run"/*.tmp-* 2>/dev/null || true) | wc -l)
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

echo "$kills SIGKILLs (5-14 s after each start, every fourth at the start of a checkpoint write; snapshot every $every iterations): $in_write during a write,"
echo "at most $most_lost iterations lost, $failures failures; the run went on from its latest checkpoint after every kill."
rm -rf "$work"
[ "$failures" -eq 0 ]
