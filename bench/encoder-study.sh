#!/usr/bin/env bash
# The encoder study of docs/results.md (section 5): each variant changes one thing from the default, is
# trained with 3 seeds at the same budget, and every final checkpoint goes through `ogan eval` (rho, MSE,
# SSIM, FID, and linear probes on the codes `ogan encode` writes, E(x), E's last hidden layer and pixels,
# trained on all 60,000 training images). Then one table of mean ± sd over the seeds.
# Usage: bench/encoder-study.sh [STEPS] [OUT]   (default 2500 steps, ~3 min each on 2 idle cores, into results/encoder-study)
# Runs that exist are kept: re-running resumes the study. Re-check one row: ./ogan eval -c OUT/z128-s1 OUT/z128-s2 OUT/z128-s3
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-2500}; out=${2:-results/encoder-study}
ogan=${OGAN:-./ogan}
seeds=(${SEEDS:-1 2 3})
declare -A variants=(
  [default]=""                               # z 32, lambda-rho 0.5, Adam 2e-4
  [z128]="--zdim 128"
  [z256]="--zdim 256"
  [z128-rho1]="--zdim 128 --lambda-rho 1"
  [z128-rho2]="--zdim 128 --lambda-rho 2"
)
order=(${VARIANTS:-default z128 z256 z128-rho1 z128-rho2})
mkdir -p "$out"

run() { # VARIANT SEED: trains $out/VARIANT-sSEED and evaluates its final checkpoint
  local name=$1-s$2 folder=$out/$1-s$2
  if [ ! -f "$folder/checkpoint-$(printf %06d "$steps").safetensors" ]; then
    rm -rf "$folder" "$out/.tmp"
    local start=$SECONDS
    # shellcheck disable=SC2086
    $ogan train --steps "$steps" --seed "$2" ${variants[$1]} --sample-every "$steps" --snapshot-every "$steps" \
      --log-every 100 --out "$out/.tmp" --verbosity quiet
    mv "$out/.tmp/"* "$folder" && rmdir "$out/.tmp"
    echo "$((SECONDS - start))" > "$folder/wall_seconds"
  fi
  [ -f "$folder/eval.json" ] || $ogan eval -c "$folder" --json "$folder/eval.json" --verbosity quiet > "$folder/eval.txt"
  echo "$name done"
}

for seed in "${seeds[@]}"; do
  for variant in "${order[@]}"; do run "$variant" "$seed"; done
done

python3 - "$out" "${order[@]}" <<'PY'
import json, os, statistics, sys
out, order = sys.argv[1], sys.argv[2:]
cols = [("fid", "FID", 2), ("rho", "rho", 3), ("mse", "MSE", 4), ("ssim", "SSIM", 3),
        ("probe_latents", "probe N(E(x))", 3), ("probe_raw_codes", "probe E(x)", 3), ("probe_hidden", "probe hidden layer", 3)]
print("| variant | seeds | " + " | ".join(c[1] for c in cols) + " | fastest run, s |")
print("| --- | --- | " + " | ".join("---" for _ in cols) + " | --- |")
pixels = []
for variant in order:
    runs = [os.path.join(out, d) for d in sorted(os.listdir(out)) if d.rsplit("-s", 1)[0] == variant]
    evals = [json.load(open(os.path.join(r, "eval.json"))) for r in runs if os.path.exists(os.path.join(r, "eval.json"))]
    if not evals:
        continue
    walls = [int(open(os.path.join(r, "wall_seconds")).read()) for r in runs if os.path.exists(os.path.join(r, "wall_seconds"))]
    pixels += [e["probe_pixels"] for e in evals]
    def cell(key, digits):
        values = [e[key] for e in evals]
        mean = statistics.mean(values)
        sd = statistics.stdev(values) if len(values) > 1 else float("nan")
        return f"{mean:.{digits}f} ± {sd:.{digits}f}"
    print(f"| {variant} | {len(evals)} | " + " | ".join(cell(k, d) for k, _, d in cols) + f" | {min(walls) if walls else float('nan'):.0f} |")
if pixels:
    print(f"\nLinear probe on raw pixels (same protocol): {statistics.mean(pixels):.3f}.")
PY
