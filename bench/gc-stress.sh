#!/usr/bin/env bash
# Trains a small model while another thread forces garbage collections and finalizers without pause
# (tests/OGan.Distributed.Worker, gc-stress), RUNS times, and prints for each run either "survived" or the
# TorchSharp call that aborted. A Scalar that nothing holds during its native call is then finalized mid-call:
# OGan's own calls hold theirs (Engine.HeldScalars, Training.OptimizerStep, ScalarTemporariesTests); what
# still aborts is inside TorchSharp (bench/README.md, "GC stress").
#   bash bench/gc-stress.sh [RUNS] [STEPS]      5 and 300 by default
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}; steps=${2:-300}
worker=tests/OGan.Core.Tests/bin/Release/net10.0/OGan.Distributed.Worker.dll
[ -f "$worker" ] || dotnet build tests/OGan.Core.Tests -c Release --nologo -v quiet -clp:NoSummary >&2
survived=0
for ((run = 1; run <= runs; run++)); do
  if output=$(OGAN_NUM_THREADS=${OGAN_NUM_THREADS:-1} bash scripts/debian13.sh run dotnet "$worker" gc-stress "$steps" 2>&1); then
    survived=$((survived + 1)); echo "run $run: survived: $(grep trained <<< "$output")"
  else
    echo "run $run: aborted in $(grep -E '^ +at TorchSharp' <<< "$output" | grep -v CheckForErrors | head -1 | sed 's/^ *at //'), called from $(grep -E '^ +at OGan' <<< "$output" | head -1 | sed 's/^ *at //; s/ in .*//')"
  fi
done
echo "survived $survived of $runs runs of $steps steps"
