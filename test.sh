#!/usr/bin/env bash
# Runs the test suite (installs and builds what is missing first). Arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"

bash scripts/install-deps.sh
dotnet build OGan.sln -c Release --nologo -v quiet -clp:NoSummary
# Normal verbosity lists every test and prints the reason of each skip (the CUDA tests, without a GPU).
test=(dotnet test OGan.sln -c Release --no-build --nologo --logger "console;verbosity=normal" "$@")
if bash scripts/debian13.sh needed; then
  exec bash scripts/debian13.sh run "${test[@]}"
fi
exec "${test[@]}"
