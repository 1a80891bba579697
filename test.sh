#!/usr/bin/env bash
# Runs the test suite (installs and builds what is missing first).
set -euo pipefail
cd "$(dirname "$0")"

bash scripts/install-deps.sh
# Normal verbosity lists every test and prints the reason of each skip (the CUDA tests, without a GPU).
dotnet test OGan.slnx -c Release --nologo --logger "console;verbosity=normal" "$@"
