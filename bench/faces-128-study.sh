#!/usr/bin/env bash
# The 128 px faces study of docs/results.md section 11: CelebA (../shared/data/celeba-128, 10% held out by name)
# at 128 px for a wall-clock budget on this machine's cores, trained directly or grown from 64 px, then measured by
# `ogan eval` against the held-out photos (FID and KID on ImageNet ResNet-18 features, of samples and of
# reconstructions, MSE, SSIM, rho, the floor).
# Usage: bench/faces-128-study.sh [MINUTES] [OUT]   (default 30 minutes each, into results/faces-128-study)
#   VARIANTS="direct grow" SEEDS="1" GROW_SHARE=0.33 GROW_BY=fade (the rows of section 11 to 11.3; `ogan train` grows by skip since 11.4, with GROW_SHARE=0.67 since 11.5 and 0.8 since 11.6) FADE=20000 KERNEL= AUGMENT= AUGMENT_RHO=augmented EVAL_COUNT=1000
#   direct:  `ogan train --res 128` with the photo defaults for the whole budget
#   grow:    `--res 64` for GROW_SHARE of the budget, then `--grow-from` it at 128 px for the rest (new layers fade in over FADE images,
#            or with GROW_BY=skip keep the 64 px model's image layers as skips and start at zero)
#   stage64: the grow row's 64 px stage alone, measured at 64 px (what the 128 px stage starts from)
#   torch-grow: the grow row's schedule by skip in PyTorch (bench/faces_torch.py, fp32, THREADS threads): the same networks,
#            settings, prepared photos and budget, written as an OGan checkpoint and measured by the same `ogan eval`
#   KERNEL (4 or 5) trains every stage with `--kernel`; AUGMENT (a policy, e.g. color,translation,cutout) with
#   `--augment`, rho reading AUGMENT_RHO. MIN_CHANNELS trains the 128 px model (direct, or the grown stage: the 64 px stage
#   is the same) with `--min-channels` (grow-share0.8-min16-skip-s2); torch-grow trains both of its stages with it.
#   WIDTH trains every model with `--width` (a grown one takes its 64 px stage's): `ogan train`'s photo default is 128 at
#   64 px and, since section 11.11, 256 at 128 px, which a 128 px run's 64 px stage takes too; give WIDTH=256 for that.
#   A run's folder names what differs from the defaults (grow-fade120000-s2, grow-k4-s2, grow-augment-clean-s2, grow-share0.5-skip-s2).
#   A seed's 64 px stage (grow-s2-64, grow-augment-clean-s2-64, grow-share0.5-s2-64) is trained once, shared by the grow rows and
#   stage64, reused when it is there.
# OGAN=... runs another build (a frozen copy, so that editing the sources meanwhile changes nothing).
# Runs that exist are kept: re-running resumes the study; TABLE_ONLY=1 prints the table of what is complete.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}; out=${2:-results/faces-128-study}
ogan=${OGAN:-./ogan}
data=${DATA:-../shared/data/celeba-128}
seeds=(${SEEDS:-1})
count=${EVAL_COUNT:-1000}
share=${GROW_SHARE:-0.33}
fade=${FADE:-20000}
grow_by=${GROW_BY:-fade}
order=(${VARIANTS:-grow direct})
extra=(); tag=""
if [ -n "${KERNEL:-}" ]; then
  extra=(--kernel "$KERNEL"); tag="-k$KERNEL"
fi
if [ -n "${AUGMENT:-}" ]; then
  extra+=(--augment "$AUGMENT" --augment-rho "${AUGMENT_RHO:-augmented}"); tag="$tag-augment-${AUGMENT_RHO:-augmented}"
fi
wide=()
if [ -n "${WIDTH:-}" ]; then
  wide=(--width "$WIDTH"); tag="$tag-w$WIDTH"
fi
large=(); large_tag=""
if [ -n "${MIN_CHANNELS:-}" ]; then
  large=(--min-channels "$MIN_CHANNELS"); large_tag="-min$MIN_CHANNELS"
fi
if [ "$share" != 0.33 ]; then
  tag="$tag-share$share"
fi
mkdir -p "$out"

train() { # FOLDER LOG ARGS...: one run into FOLDER (moved out of a numbered run folder)
  local folder=$1 log=$2; shift 2
  rm -rf "$folder" "$folder.tmp"
  $ogan train --data "$data" --holdout 0.1 --steps 1000000 --out "$folder.tmp" "$@" >> "$log" 2>&1
  mv "$folder.tmp"/*/ "$folder"; rmdir "$folder.tmp"
}

has_checkpoint() { ls "$1"/checkpoint-*.safetensors >/dev/null 2>&1; }

prepared() { bash bench/prepared-photos.sh "$1"; } # LOG: the prepared photos the last `ogan train` of LOG trained on

torch_grow() { # FOLDER LOG SEED: one OGan iteration at each size prepares the photos and writes the grown model's settings;
  local folder=$1 log=$2 seed=$3  # PyTorch then trains the whole schedule for the budget
  local once=(--seed "$seed" --steps 1 --snapshot-every 0 --sample-every 0 "${extra[@]}" "${large[@]}")
  rm -rf "$folder" "$folder.tmp" "$folder.64.tmp"
  $ogan train --data "$data" --holdout 0.1 --res 64 --out "$folder.64.tmp" "${once[@]}" "${wide[@]}" >> "$log" 2>&1
  local small; small=$(prepared "$log")
  $ogan train --data "$data" --holdout 0.1 --grow-from "$folder.64.tmp"/*/ --grow-by skip --out "$folder.tmp" "${once[@]}" >> "$log" 2>&1
  mv "$folder.tmp"/*/ "$folder"; rmdir "$folder.tmp"; rm -rf "$folder.64.tmp" "$folder"/checkpoint-* "$folder"/samples-* "$folder"/reconstructions-* "$folder"/stats.jsonl
  ${PYTHON:-bash scripts/debian13.sh run /usr/bin/python3} bench/faces_torch.py "$(prepared "$log")" "$minutes" "$folder/checkpoint-torch.safetensors" \
    --settings-from "$folder/options.json" --grow-from-data "$small" --grow-share "$share" --threads "${THREADS:-$(nproc)}" >> "$log" 2>&1
  tail -1 "$log" > "$folder/torch.json"
}

run() { # VARIANT SEED
  local name=$1$tag$large_tag
  [ "$1" = grow ] && [ "$fade" != 20000 ] && name=$name-fade$fade
  [ "$1" = grow ] && [ "$grow_by" = skip ] && name=$name-skip
  local folder=$out/$name-s$2 log=$out/$name-s$2.log
  local first; first=$(awk -v m="$minutes" -v s="$share" 'BEGIN { printf "%d", m * 60 * s }')
  local small=$out/grow$tag-s$2-64
  [ "$1" = stage64 ] && { folder=$small; log=$small.log; }
  if [ ! -f "$folder/eval.json" ] && [ -z "${TABLE_ONLY:-}" ]; then
    if ! has_checkpoint "$folder" && [ ! -f "$folder/checkpoint-torch.safetensors" ]; then
      : > "$log"
      case $1 in
        direct) train "$folder" "$log" --res 128 --grow none --seed "$2" --time-limit "${minutes}m" "${extra[@]}" "${wide[@]}" "${large[@]}" ;;
        stage64) train "$folder" "$log" --res 64 --seed "$2" --time-limit "${first}s" "${extra[@]}" "${wide[@]}" ;;
        grow)
          has_checkpoint "$small" || train "$small" "$log" --res 64 --seed "$2" --time-limit "${first}s" "${extra[@]}" "${wide[@]}"
          local growth=(--grow-by fade --fade "$fade"); [ "$grow_by" = skip ] && growth=(--grow-by skip)
          train "$folder" "$log" --grow-from "$small" --seed "$2" "${growth[@]}" --time-limit "$(( minutes * 60 - first ))s" "${extra[@]}" "${large[@]}" ;;
        torch-grow) torch_grow "$folder" "$log" "$2" ;;
        *) echo "unknown variant $1" >&2; exit 2 ;;
      esac
    fi
    local checkpoint=$folder; [ -f "$folder/checkpoint-torch.safetensors" ] && checkpoint=$folder/checkpoint-torch.safetensors
    $ogan eval -c "$checkpoint" --count "$count" --latents 2000 --json "$folder/eval.json" >> "$log" 2>&1
  fi
}

for variant in "${order[@]}"; do
  for seed in "${seeds[@]}"; do
    run "$variant" "$seed"
  done
done

# The table: iterations and images/s at the run's size (the last progress line of stats.jsonl) beside every quality number.
python3 - "$out" "${order[@]}" <<'PY'
import json, os, sys
out, order = sys.argv[1], sys.argv[2:]
keys = [("fid_resnet18", "FID samples", "{:.1f}"), ("fid_resnet18_reconstructions", "FID reconstructions", "{:.1f}"), ("kid_resnet18", "KID x1e3", "{:.1f}"),
        ("mse", "MSE", "{:.4f}"), ("ssim", "SSIM", "{:.3f}"), ("rho", "rho", "{:.3f}"), ("fid_resnet18_floor", "floor FID", "{:.1f}")]
print("| run | iterations | images/s | " + " | ".join(k[1] for k in keys) + " |")
print("|" + " --- |" * (len(keys) + 3))
for variant in order:
    prefix, small = ("grow", True) if variant == "stage64" else (variant, False)
    for run in sorted(d for d in os.listdir(out) if d.startswith(prefix + "-") and d.endswith("-64") == small and os.path.isfile(os.path.join(out, d, "eval.json"))):
        doc = json.load(open(os.path.join(out, run, "eval.json")))
        torch_run = os.path.join(out, run, "torch.json")
        if os.path.isfile(torch_run):  # PyTorch's last stage
            stage = json.load(open(torch_run))["stages"][-1]
            last = {"step": stage["iterations"], "images_per_s": stage["images_per_second"]}
        else:
            stats = [json.loads(l) for l in open(os.path.join(out, run, "stats.jsonl")) if l.strip()]
            last = stats[-1] if stats else {}
        speed = next((last[k] for k in ("images_per_s",) if k in last), float("nan"))
        cells = [fmt.format(doc[key]) if key in doc else "-" for key, _, fmt in keys]
        print(f"| {run} | {last.get('step', '?')} | {speed:.0f} | " + " | ".join(cells) + " |")
PY
