#!/usr/bin/env bash
# Declares OGan.Core's new public API: builds, and adds every symbol the build reports as undeclared (RS0016)
# to src/OGan.Core/PublicAPI.Unshipped.txt. Review the diff: each line is a promise to users. Symbols removed
# from the code (RS0017) must be deleted from the files by hand. At a release, Unshipped moves into Shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
api=src/OGan.Core/PublicAPI.Unshipped.txt
output=$(dotnet build src/OGan.Core -c Release --nologo -v quiet -clp:NoSummary --no-incremental 2>&1 || true)
mapfile -t added < <(printf '%s\n' "$output" | grep -o "RS0016: Symbol '.*' is not part of the declared public API" |
  sed "s/^RS0016: Symbol '//; s/' is not part of the declared public API\$//" | sort -u)
[ "${#added[@]}" -gt 0 ] || { echo "nothing to declare"; exit 0; }
{ cat "$api"; printf '%s\n' "${added[@]}"; } | { read -r header; echo "$header"; sort -u; } > "$api.new"
mv "$api.new" "$api"
echo "declared ${#added[@]} symbols in $api"
