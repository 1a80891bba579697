#!/usr/bin/env bash
# The faces study of docs/results.md section 10: CelebA at 64 px (../shared/data/celeba-128, 10% held out by
# name), each variant trained for a wall-clock budget on this machine's cores, then measured by `ogan eval`
# against the held-out photos (FID and KID through ImageNet ResNet-18 features, of samples and of
# reconstructions, MSE, SSIM, rho, and the floor: training photos against the same held-out ones).
# Usage: bench/faces-study.sh [MINUTES] [OUT]   (default 15 minutes each, into results/faces-study)
#   VARIANTS="v0.3 faces" SEEDS="1 2" bench/faces-study.sh 15      EVAL_COUNT=1000 (photos, samples and reconstructions each)
# OGAN=... runs another build (a frozen copy, so that editing the sources meanwhile changes nothing).
# torch-faces trains python/ogan_torch.py's O-GAN with the same settings in PyTorch 2.6 (Debian 13 root) for the same budget.
# Runs that exist are kept: re-running resumes the study; TABLE_ONLY=1 prints the table of what is complete.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-15}; out=${2:-results/faces-study}
ogan=${OGAN:-./ogan}
data=${DATA:-../shared/data/celeba-128}
seeds=(${SEEDS:-1 2})
count=${EVAL_COUNT:-1000}
declare -A variants=(
  [v0.3]="--width 128 --zdim 64 --batch 64 --lr 2e-4 --flip false" # OGan 0.3's defaults at 64 px: width 128, z = res, batch 64, Adam 2e-4, no flips
  [wide-b32]="--width 256 --zdim 64 --batch 32 --flip"     # twice the width, half the batch (about as many iterations), flips
  [b32]="--width 128 --zdim 64 --batch 32 --flip"          # 0.3's width, half the batch (more iterations in the budget), flips
  [b128]="--width 128 --zdim 64 --batch 128 --flip"        # 0.3's width, twice the batch, flips
  [b256]="--width 128 --zdim 64 --batch 256 --flip"        # four times the batch
  [lr4]="--width 128 --zdim 64 --batch 64 --flip --lr 4e-4" # 0.3's shape with flips, twice the learning rate
  [w64]="--width 64 --zdim 64 --batch 64 --flip --lr 4e-4"  # half the width (about three times the iterations), flips, Adam 4e-4
  [w64-b32]="--width 64 --zdim 64 --batch 32 --flip --lr 4e-4" # half the width and half the batch
  [short]="--width 128 --zdim 64 --batch 64 --flip --lr 4e-4 --schedule-steps 2700" # lr4 with its schedules run over a 15-minute run's iterations
  [lr8-short]="--width 128 --zdim 64 --batch 64 --flip --lr 8e-4 --schedule-steps 2700" # the same at twice the learning rate
  [lr4-flat]="--width 128 --zdim 64 --batch 64 --flip --lr 4e-4 --lr-decay none" # lr4 without the decay of the learning rate
  [lr4-rho]="--width 128 --zdim 64 --batch 64 --flip --lr 4e-4 --lambda-rho 0.25" # lr4 with half the weight of the rho term
  [faces]=""                                              # today's defaults for photos at 64 px
  [torch-faces]="pytorch:"                                # PyTorch (bench/faces_torch.py) with the settings of [faces], same budget
)
order=(${VARIANTS:-v0.3 faces})
mkdir -p "$out"

run() { # VARIANT SEED
  local folder=$out/$1-s$2
  if [ ! -f "$folder/eval.json" ] && [ -z "${TABLE_ONLY:-}" ]; then
    if ! ls "$folder"/checkpoint-*.safetensors >/dev/null 2>&1; then
      rm -rf "$folder" "$out/.tmp-$1-s$2"
      local spec=${variants[$1]}
      if [[ $spec == pytorch:* ]]; then
        # One OGan iteration prepares the data and writes the settings; PyTorch then trains for the budget.
        # shellcheck disable=SC2086
        $ogan train --data "$data" --res 64 --holdout 0.1 --seed "$2" --steps 1 --snapshot-every 0 --sample-every 0 \
          --out "$out/.tmp-$1-s$2" ${spec#pytorch:} > "$out/$1-s$2.log" 2>&1
        mv "$out/.tmp-$1-s$2"/*/ "$folder"; rmdir "$out/.tmp-$1-s$2"; rm -f "$folder"/checkpoint-*
        local prepared; prepared=$(bash bench/prepared-photos.sh "$out/$1-s$2.log")
        ${PYTHON:-bash scripts/debian13.sh run /usr/bin/python3} bench/faces_torch.py "$prepared" "$minutes" "$folder/checkpoint-torch.safetensors" \
          --settings-from "$folder/options.json" --threads "${THREADS:-$(nproc)}" >> "$out/$1-s$2.log" 2>&1
      else
        # shellcheck disable=SC2086
        $ogan train --data "$data" --res 64 --holdout 0.1 --seed "$2" --steps 1000000 --time-limit "${minutes}m" \
          --out "$out/.tmp-$1-s$2" $spec > "$out/$1-s$2.log" 2>&1
        mv "$out/.tmp-$1-s$2"/*/ "$folder"; rmdir "$out/.tmp-$1-s$2"
      fi
    fi
    local checkpoint=$folder; [ -f "$folder/checkpoint-torch.safetensors" ] && checkpoint=$folder/checkpoint-torch.safetensors
    $ogan eval -c "$checkpoint" --count "$count" --latents 2000 --json "$folder/eval.json" >> "$out/$1-s$2.log" 2>&1
  fi
}

for variant in "${order[@]}"; do
  for seed in "${seeds[@]}"; do run "$variant" "$seed"; done
done

python3 - "$out" "${order[@]}" <<'PY'
import json, os, statistics, sys
out, order = sys.argv[1], sys.argv[2:]
keys = [("step", "iterations", "{:.0f}"), ("fid_resnet18", "FID samples", "{:.1f}"), ("fid_resnet18_reconstructions", "FID reconstructions", "{:.1f}"),
        ("kid_resnet18", "KID x1e3", "{:.1f}"), ("mse", "MSE", "{:.4f}"), ("ssim", "SSIM", "{:.3f}"), ("rho", "rho", "{:.3f}"), ("fid_resnet18_floor", "floor FID", "{:.1f}")]
print("| variant | seeds | " + " | ".join(k[1] for k in keys) + " |")
print("|" + " --- |" * (len(keys) + 2))
for variant in order:
    runs = sorted(d for d in os.listdir(out) if d.startswith(variant + "-s") and os.path.isfile(os.path.join(out, d, "eval.json")))
    docs = [json.load(open(os.path.join(out, d, "eval.json"))) for d in runs]
    if not docs: continue
    cells = []
    for key, _, fmt in keys:
        values = [d[key] for d in docs if key in d]
        cell = fmt.format(statistics.mean(values)) if values else "-"
        if len(values) > 1: cell += " ± " + fmt.format(statistics.stdev(values))
        cells.append(cell)
    print(f"| {variant} | {len(docs)} | " + " | ".join(cells) + " |")
PY
