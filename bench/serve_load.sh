#!/usr/bin/env bash
# Load on `ogan serve` (bench/README.md): serves CHECKPOINT on a free loopback port, then 1,000 sequential
# requests (the server's resident memory every 100) and CLIENTS concurrent clients for SECONDS alternating
# /api/sample (16 images) and /api/reconstruct (one upload). Usage: bench/serve_load.sh CHECKPOINT [CLIENTS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
checkpoint=${1:?usage: bench/serve_load.sh CHECKPOINT [CLIENTS] [SECONDS]}; clients=${2:-8}; seconds=${3:-30}
dotnet build bench/OGan.Bench -c Release --nologo -v quiet -clp:NoSummary >&2
log=$(mktemp)
./ogan serve -c "$checkpoint" --port 0 > "$log" 2>&1 &
trap 'kill %1 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 120); do grep -q "serving" "$log" && break; sleep 0.5; done
url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" | head -1)
[ -n "$url" ] || { cat "$log" >&2; exit 1; }
pid=$(pgrep -f "ogan.dll serve -c $checkpoint" | head -1)
echo "serving $checkpoint at $url (pid $pid), $(nproc) cores"
bench=(dotnet bench/OGan.Bench/bin/Release/net10.0/ogan-bench.dll serve-load "$url" "$clients" "$seconds" "$pid" docs/images/fashion-boot.png)
if bash scripts/debian13.sh needed; then bash scripts/debian13.sh run "${bench[@]}"; else "${bench[@]}"; fi
