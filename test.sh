#!/usr/bin/env bash
# Runs the test suite (installs and builds what is missing first).
set -euo pipefail
cd "$(dirname "$0")"

bash scripts/install-deps.sh
dotnet test OGan.slnx -c Release --nologo "$@"
