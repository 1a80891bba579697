#!/usr/bin/env bash
# Issue 37's GPU run, on a GPU machine (CUDA, CMake, PyTorch 2.x, no .NET, no network), from the repository
# root after bench/gpu/pack.sh here with FACES=N (N CelebA photos of ../shared/data/celeba-128 carried as
# JPEGs, about 7.6 kB each):  bash bench/gpu/faces.sh [MINUTES]
#   1. trains the paper's 128 px model (width 1024, z 128, batch 64) with OGan's photo defaults otherwise (flips, EMA of
#      G, the schedules) on the carried faces, 10% held out by name, for MINUTES (default 8) of training;
#   2. brings back the sample and reconstruction grids of the run, 64 samples, 8 held-out faces beside their
#      reconstructions and an interpolation between two held-out faces, stats.jsonl (images/s) and
#      `ogan eval` against the held-out faces: rho, MSE, SSIM, SWD, and FID and KID on ImageNet ResNet-18
#      features when the model files travelled too (RESNET=1 in pack.sh: 64 MB, over the carry limit with the
#      rest, so it goes in a call of its own), else without them.
# On a CPU machine, with a build at hand (the test of this script; Debian 12 needs the Debian 13 root's dotnet):
#   CARRY=src/OGan.Cli/bin/Release/net10.0 OGAN="bash scripts/debian13.sh run dotnet" DEVICE=cpu WIDTH=64 EVAL_COUNT=50 LOG_EVERY=2 bash bench/gpu/faces.sh 0.2
# GROW=64 trains the growth schedule instead (64 px for 4/5 of the time, then grown to 128 px by skip, the default; `ogan train --grow`).
# Everything goes to $OUT (the device tool's output folder) or bench/gpu/work.
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-8}
device=${DEVICE:-cuda}
width=${WIDTH:-1024}
if [ -n "${CARRY:-}" ]; then # an ogan build at hand (the CPU test): no carried .NET, no native build
  out=${OUT:-bench/gpu/work}; mkdir -p "$out"
  ogan() { ${OGAN:-dotnet} "$CARRY/ogan.dll" "$@"; }
  faces=${FACES_DIR:-../shared/data/celeba-128}
else
  source bench/gpu/setup.sh
  ogan() { dotnet "$carry/OGan.Cli/ogan.dll" "$@"; }
  faces=$carry/faces
  [ -d "$faces" ] || { echo "error: $faces missing: run FACES=3000 bash bench/gpu/pack.sh and carry bench/gpu/carry" >&2; exit 1; }
fi
imagenet=false
[ -f "${CARRY:-$carry/OGan.Cli}/models/resnet18/ResNet18.onnx" ] && imagenet=true

{
  [ "$device" = cuda ] && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  echo "== faces: $(ls "$faces" | wc -l) photos ($(du -sh "$faces" | cut -f1)), 128 px, width $width, $minutes minutes on $device"
  rm -rf "$out/faces-run"
  start=$SECONDS
  ogan train -d "$faces" --res 128 --grow "${GROW:-none}" --width "$width" --zdim 128 --batch 64 --holdout 0.1 --steps 10000000 --time-limit "${minutes}m" \
    --snapshot-every 0 --sample-every 500 --log-every "${LOG_EVERY:-100}" --device "$device" --out "$out/faces-run" --verbosity quiet
  run=$(ls -d "$out"/faces-run/* | tail -1) # with GROW, the grown run
  echo "trained in $((SECONDS - start)) s of wall clock: $(tail -1 "$run/stats.jsonl")"
  mapfile -t held < <(head -8 "$run/held-out.txt")
  ogan sample -c "$run" -n 64 --seed 7 --device "$device" -o "$out/faces-samples.png" --verbosity quiet
  ogan reconstruct "${held[@]}" -c "$run" --device "$device" -o "$out/faces-reconstructions.png" --verbosity quiet
  ogan interpolate "${held[0]}" "${held[1]}" --steps 8 -c "$run" --device "$device" -o "$out/faces-interpolation.png" --verbosity quiet
  ogan eval -c "$run" --count "${EVAL_COUNT:-1000}" --latents 2000 --device "$device" --imagenet-metrics "$imagenet" --json "$out/faces-eval.json" | tee "$out/faces-eval.txt"
  cp "$run"/stats.jsonl "$run"/options.json "$out/"
  cp "$(ls "$run"/samples-*.png | tail -1)" "$out/faces-run-samples.png"
  rm -rf "$out/faces-run" # the checkpoint (hundreds of MB at width 1024) stays behind
} 2>&1 | tee "$out/faces.txt"
