#!/usr/bin/env bash
# Runs the test suite (installs and builds what is missing first), then checks the packages as users get them
# (scripts/check-packages.sh: pack, install the tool, build and run the samples against the packed OGan.Core).
# Arguments go to `dotnet test` and skip the package check (e.g. ./test.sh --filter Pearson).
set -euo pipefail
cd "$(dirname "$0")"

bash scripts/install-deps.sh
dotnet build OGan.sln -c Release --nologo -v quiet -clp:NoSummary
# Normal verbosity lists every test and prints the reason of each skip (the CUDA tests, without a GPU).
test=(dotnet test OGan.sln -c Release --no-build --nologo --logger "console;verbosity=normal" "$@")
if bash scripts/debian13.sh needed; then
  bash scripts/debian13.sh check-paths
  bash scripts/debian13.sh run "${test[@]}"
else
  "${test[@]}"
fi
if [ $# -eq 0 ]; then
  bash scripts/check-packages.sh
fi
