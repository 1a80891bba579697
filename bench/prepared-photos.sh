#!/usr/bin/env bash
# Prints the prepared photos (a .ogan-data file in OGan's cache) that the last `ogan train` logged in LOG trained on,
# read from its "ogan: training on" line (a first run also names the file while preparing it, with its full path).
# Usage: bench/prepared-photos.sh LOG
set -euo pipefail
name=$(grep '^ogan: training on' "$1" | tail -1 | grep -o '([^()]*\.ogan-data)' | tr -d '()' || true)
[ -n "$name" ] || { echo "bench/prepared-photos.sh: no 'ogan: training on ... .ogan-data' line in $1" >&2; exit 1; }
echo "${OGAN_CACHE:-$HOME/.cache/ogan}/prepared/$name"
