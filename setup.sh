#!/usr/bin/env bash
# Sets OGan up (the Debian 13 root or packages it needs, the .NET build), then runs the main job.
# Idempotent: on a machine already set up it only rebuilds what changed. --no-run stops after the build.
set -euo pipefail
cd "$(dirname "$0")"

command -v dotnet >/dev/null || { echo "error: the .NET SDK 10 is required (https://dot.net); dotnet is not on PATH" >&2; exit 1; }
bash scripts/install-deps.sh
dotnet build OGan.sln -c Release --nologo -v quiet -clp:NoSummary
touch src/OGan.Cli/bin/Release/net10.0/.built # ./ogan need not build again

[ "${1:-}" = "--no-run" ] && exit 0
exec ./ogan train "$@"
