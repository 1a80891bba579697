#!/usr/bin/env bash
# Re-runs the experiments of docs/results.md on this machine's CPU: the same number of iterations and the
# same seed for each variant, then `ogan eval` on each final checkpoint (JSON beside it).
# Usage: bench/results.sh [STEPS] [OUT]   (default 3000 steps into results/)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-3000}; out=${2:-results}
ogan=${OGAN:-./ogan} # or e.g. "dotnet /path/to/ogan.dll"
mkdir -p "$out"
common=(--steps "$steps" --seed 1 --sample-every "$steps" --snapshot-every "$steps" --metrics-every 500 --log-every 100 --out "$out")

run() { # NAME ARGS...: trains one variant into $out/NNNNN-NAME and evaluates it
  local name=$1; shift
  if ! ls -d "$out"/*-"$name" >/dev/null 2>&1; then
    local start=$SECONDS
    $ogan train "${common[@]}" "$@" --verbosity quiet
    local folder; folder=$(ls -d "$out"/*-fashion-mnist-32 | sort | tail -1)
    mv "$folder" "${folder%-fashion-mnist-32}-$name"
    echo "$((SECONDS - start))" > "$(ls -d "$out"/*-"$name")/wall_seconds"
  fi
  local folder; folder=$(ls -d "$out"/*-"$name")
  [ -f "$folder/eval.json" ] || $ogan eval -c "$folder" --json "$folder/eval.json" --verbosity quiet
  $ogan plot "$folder" --verbosity quiet
}

run qp-rho                                    # O-GAN: GAN-QP + rho (the paper's)
run qp-plain       --lambda-rho 0             # the same GAN without the rho term
run hinge-rho      --loss hinge
run logistic-rho   --loss logistic
run qp-rho-single  --single-pass              # the author's single combined step
run qp-rho-rmsprop --optimizer rmsprop        # the author's optimizer

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
rows = []
for name in sorted(os.listdir(out)):
    path = os.path.join(out, name, "eval.json")
    if os.path.exists(path):
        e = json.load(open(path))
        wall = open(os.path.join(out, name, "wall_seconds")).read().strip()
        rows.append((name.split("-", 1)[1], e, wall))
print("| variant | FID | KID | rho | MSE | PSNR | SSIM | probe N(E(x)) | min/max class share | wall s |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for name, e, wall in rows:
    shares = e["class_shares"]
    print(f"| {name} | {e['fid']:.2f} | {e['kid']:.3f} | {e['rho']:.3f} | {e['mse']:.4f} | {e['psnr']:.2f} | {e['ssim']:.3f} | {e['probe_latents']:.3f} | {min(shares):.3f} / {max(shares):.3f} | {wall} |")
if rows:
    e = rows[0][1]
    print(f"\nFloor (Fashion-MNIST train vs test images): FID {e['fid_floor']:.2f}, KID {e['kid_floor']:.3f}; linear probe on raw pixels {e['probe_pixels']:.3f}.")
PY
