#!/usr/bin/env bash
# The encoder studies of docs/results.md: each variant changes one thing, is trained with 3 seeds (SEEDS=) at
# the same budget, and every final checkpoint goes through `ogan eval` (rho, MSE, SSIM, FID, KID, and linear
# probes on the codes `ogan encode` writes, E(x), E's last hidden layer and pixels, trained on all 60,000
# training images, or PROBE_IMAGES). Then one table of mean ± sd over the seeds.
# Usage: bench/encoder-study.sh [STEPS] [OUT]   (default 2500 steps, ~3 min each on 2 idle cores, into results/encoder-study)
# Section 9's budgets: STEPS 2500, 7500 (10 minutes of the 0.2 defaults here) and 22500 (30 minutes), e.g.
#   VARIANTS="v0.2 default" PROBE_IMAGES=10000 bench/encoder-study.sh 7500 results/long-study-7500
# THREADS=1 gives each run one libtorch thread, so that two studies (two OUT folders) can share 2 cores.
# Runs that exist are kept: re-running resumes the study; TABLE_ONLY=1 prints the table of what is complete. Re-check one row: ./ogan eval -c OUT/z128-s1 OUT/z128-s2 OUT/z128-s3
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-2500}; out=${2:-results/encoder-study}
ogan=${OGAN:-./ogan}
seeds=(${SEEDS:-1 2 3})
with_threads=(); [ -z "${THREADS:-}" ] || with_threads=(env "OGAN_NUM_THREADS=$THREADS") # the libtorch threads of each command
probes=${PROBE_IMAGES:-60000} # training images of the linear probes (section 9: 10000)
seconds=${SECONDS_BUDGET:-190} # the default's training time for $steps iterations here (181-207 s undisturbed): the budget of rows that change the cost of an iteration
v02="--ema 0 --lr-decay none --lambda-rho-growth 1" # OGan 0.2's defaults, where today's differ (section 9); sections 5-7 changed one thing from them
declare -A variants=(
  [default]=""                               # today's: z 32, lambda-rho 0.5, Adam 2e-4 (0.5, 0.999), width 128, calibrated BatchNorm, --precision auto, EMA of G 0.999, and over the first 10,000 iterations the learning rates fall to 0.1 along half a cosine while lambda-rho grows to 1
  [v0.2]="$v02"                              # the same without the EMA of G and the schedules
  # Section 9: what makes today's defaults, one part at a time
  [ema-only]="--lr-decay none --lambda-rho-growth 1"                  # 0.2's with the EMA of G
  [cosine-10k]="--lambda-rho-growth 1"                                # no growth of lambda-rho
  [growth-10k]="--lr-decay none"                                      # no decay of the learning rates
  [run-cosine-growth]="--schedule-steps 0"                            # the schedules over the run's own --steps, the first candidate
  [ttur]="--lr-e 4e-4 --lr-g 1e-4"           # two time-scale updates
  [adam-0-0.99-now]="--beta1 0 --beta2 0.99"
  [z64]="--zdim 64"
  # Sections 5-7: one change from 0.2's defaults
  [fp32]="$v02 --precision fp32"             # mixed precision (issue 26): the default in each precision
  [bf16]="$v02 --precision bf16"
  [mpi2]="mpirun:2 $v02"                     # data-parallel (issue 27): the default trained by 2 processes (scripts/mpirun.sh), global batch 64
  [z128]="$v02 --zdim 128"
  [z256]="$v02 --zdim 256"
  [z128-rho1]="$v02 --zdim 128 --lambda-rho 1"
  [z128-rho2]="$v02 --zdim 128 --lambda-rho 2"
  [z128-rho2-warmup]="$v02 --zdim 128 --lambda-rho 2 --lambda-rho-warmup $steps" # lambda-rho rises from 0 to 2 over the whole run
  [z256-rho2-warmup]="$v02 --zdim 256 --lambda-rho 2 --lambda-rho-warmup $steps"
  [no-calibration]="$v02 --calibration-images 0"  # E's running statistics from training (real and fake batches) instead of 1,024 real images
  [ema]="--ema 0.999 --lr-decay none --lambda-rho-growth 1"  # 0.2's defaults with the EMA of G: samples and reconstructions from a moving average of G
  [adam-0-0.99]="$v02 --beta1 0 --beta2 0.99"
  [width64]="$v02 --width 64 --steps 1000000 --time-limit ${seconds}s"   # cheaper iterations: as many as fit the default's time
  [width256]="$v02 --width 256 --steps 1000000 --time-limit ${seconds}s"
  [twice-as-long]="resume:v0.2 --steps $((2 * steps))"         # the default's runs, continued to twice the budget
  [z256-twice-as-long]="resume:z256 --steps $((2 * steps))"
)
order=(${VARIANTS:-v0.2 default})
mkdir -p "$out"

run() { # VARIANT SEED: trains $out/VARIANT-sSEED and evaluates its last checkpoint
  local name=$1-s$2 folder=$out/$1-s$2 spec=${variants[$1]} args launcher=()
  if [[ $spec == mpirun:* ]]; then # mpirun:N [options]: the same training by N processes
    local processes=${spec%% *}; processes=${processes#mpirun:}
    launcher=(scripts/mpirun.sh -np "$processes"); spec=${spec#mpirun:$processes}; spec=${spec# }
  fi
  if [ ! -f "$folder/wall_seconds" ]; then
    rm -rf "$folder" "$out/.tmp"
    local start=$SECONDS
    if [[ $spec == resume:* ]]; then # continue another row's run of the same seed
      local base=${spec%% *}; base=${base#resume:}; local from=$out/$base-s$2
      [ -f "$from/wall_seconds" ] || run "$base" "$2"
      cp -r "$from" "$out/.tmp" && rm -f "$out/.tmp/"{eval.json,eval.txt,wall_seconds}
      args="--resume $out/.tmp ${spec#* }"
    else
      args="--seed $2 --out $out/.tmp $spec"
      [[ $spec == *--steps* ]] || args="--steps $steps $args"
    fi
    # shellcheck disable=SC2086
    "${with_threads[@]}" "${launcher[@]}" $ogan train $args --sample-every "$steps" --snapshot-every "$steps" --log-every 100 --verbosity quiet
    [[ $spec == resume:* ]] || { mv "$out/.tmp/"* "$out/.tmp.run" && rmdir "$out/.tmp" && mv "$out/.tmp.run" "$out/.tmp"; }
    echo "$((SECONDS - start))" > "$out/.tmp/wall_seconds"
    mv "$out/.tmp" "$folder"
  fi
  # Every model is measured the same way, in fp32, whatever it was trained in.
  [ -f "$folder/eval.json" ] || "${with_threads[@]}" $ogan eval -c "$folder" --precision fp32 --probe-images "$probes" --json "$folder/eval.json" --verbosity quiet > "$folder/eval.txt"
  echo "$name done"
}

if [ -z "${TABLE_ONLY:-}" ]; then # TABLE_ONLY=1: print the table of the runs that are complete, train nothing
  exec 9>"$out/.lock"
  flock -n 9 || { echo "error: another encoder study is running in $out (wait for it, or use TABLE_ONLY=1)" >&2; exit 1; }
  for seed in "${seeds[@]}"; do
    for variant in "${order[@]}"; do run "$variant" "$seed"; done
  done
fi

python3 - "$out" "${order[@]}" <<'PY'
import json, os, statistics, sys
out, order = sys.argv[1], sys.argv[2:]
cols = [("fid", "FID", 2), ("kid", "KID", 4), ("rho", "rho", 3), ("mse", "MSE", 4), ("ssim", "SSIM", 3),
        ("probe_latents", "probe N(E(x))", 3), ("probe_raw_codes", "probe E(x)", 3), ("probe_hidden", "probe hidden layer", 3)]
print("| variant | seeds | iterations | " + " | ".join(c[1] for c in cols) + " | fastest run, s |")
print("| --- | --- | --- | " + " | ".join("---" for _ in cols) + " | --- |")
pixels = []
for variant in order:
    runs = [os.path.join(out, d) for d in sorted(os.listdir(out)) if d.rsplit("-s", 1)[0] == variant and os.path.exists(os.path.join(out, d, "wall_seconds"))]
    evals = [json.load(open(os.path.join(r, "eval.json"))) for r in runs if os.path.exists(os.path.join(r, "eval.json"))]
    if not evals:
        continue
    walls = [int(open(os.path.join(r, "wall_seconds")).read()) for r in runs if os.path.exists(os.path.join(r, "wall_seconds"))]
    pixels += [e["probe_pixels"] for e in evals]
    def cell(key, digits):
        values = [e[key] for e in evals if key in e]
        if not values:
            return "-"
        mean = statistics.mean(values)
        sd = statistics.stdev(values) if len(values) > 1 else float("nan")
        return f"{mean:.{digits}f} ± {sd:.{digits}f}"
    steps = sorted(e["step"] for e in evals)
    iterations = f"{steps[0]}" if steps[0] == steps[-1] else f"{steps[0]}–{steps[-1]}"
    print(f"| {variant} | {len(evals)} | {iterations} | " + " | ".join(cell(k, d) for k, _, d in cols) + f" | {min(walls) if walls else float('nan'):.0f} |")
if pixels:
    print(f"\nLinear probe on raw pixels (same protocol): {statistics.mean(pixels):.3f}.")
PY
