#!/usr/bin/env bash
# Runs the test suite (installs and builds what is missing first), then checks the packages as users get them
# (scripts/check-packages.sh: pack, install the tool, build and run the samples against the packed OGan.Core).
# Arguments go to `dotnet test` and skip the package check (e.g. ./test.sh --filter Pearson).
set -euo pipefail
cd "$(dirname "$0")"

bash scripts/install-deps.sh
dotnet build OGan.sln -c Release --nologo -v quiet -clp:NoSummary
# Normal verbosity lists every test and prints the reason of each skip (the CUDA tests, without a GPU).
# --blame-crash: if the test host process itself dies (a native fault kills it, not a failed assertion), the
# log names the signal ("[createdump] Crashing thread ... signal N") and a dump is kept under tests/*/TestResults.
test=(dotnet test OGan.sln -c Release --no-build --nologo --logger "console;verbosity=normal"
  --blame-crash --blame-crash-dump-type mini "$@")
if bash scripts/debian13.sh needed; then
  bash scripts/debian13.sh check-paths
  test=(bash scripts/debian13.sh run "${test[@]}")
fi
# A crashed host ends the run without a result for the tests it had not reached. One crash (seen once in CI, on
# 2026-12-05, no test failing; not reproduced in 3 runs here) is reported and the suite runs once more; a second
# crash, or any failed test, fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "${test[@]}" 2>&1 | tee "$log"; then
  grep -q "Test host process crashed" "$log" || exit 1
  echo "test.sh: the test host process crashed (its signal is named above); running the suite once more" >&2
  "${test[@]}"
fi
if [ $# -eq 0 ]; then
  bash scripts/check-packages.sh
fi
