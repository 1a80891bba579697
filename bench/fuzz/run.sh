#!/usr/bin/env bash
# Builds and runs the fuzz harness (bench/fuzz/README.md), in the Debian 13 root where the host needs it.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build bench/fuzz/OGan.Fuzz.csproj -c Release --nologo -v quiet -clp:NoSummary
dll=bench/fuzz/bin/Release/net10.0/ogan-fuzz.dll
if bash scripts/debian13.sh needed; then
  exec bash scripts/debian13.sh run dotnet "$dll" "$@"
fi
exec dotnet "$dll" "$@"
