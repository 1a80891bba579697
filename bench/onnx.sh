#!/usr/bin/env bash
# Inference speed on the CPU, in one run: TorchSharp (OGanModel, fp32) against ONNX Runtime (OGan.Onnx) on the
# graphs `ogan export` writes (BatchNorm as nodes, and folded), for encode of 1 and 64 images and sample of 64,
# at 32 px (Fashion-MNIST's defaults) and 64 px (the photo defaults: faces). The networks are the defaults'
# shapes from a 1-step run (speed does not depend on the weights' values).
# Usage: bench/onnx.sh [REPEATS] [OUT]   (default 30 repeats, into results/onnx)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-30}; out=${2:-results/onnx}
faces=${FACES:-../shared/data/celeba-128}
# shellcheck source=bench/ogan-built.sh
source bench/ogan-built.sh
dotnet build bench/OGan.Bench -c Release --nologo -v quiet -clp:NoSummary
bench=(dotnet "$PWD/bench/OGan.Bench/bin/Release/net10.0/ogan-bench.dll")
if bash scripts/debian13.sh needed; then bench=(bash scripts/debian13.sh run "${bench[@]}"); fi
mkdir -p "$out"
[ -d "$out/fashion" ] || "${ogan[@]}" train --steps 1 --sample-every 0 --out "$out/fashion" --verbosity quiet
[ -d "$out/faces" ] || "${ogan[@]}" train --data "$faces" --res 64 --steps 1 --sample-every 0 --out "$out/faces" --verbosity quiet
for model in fashion faces; do
  "${bench[@]}" onnx "$(ls "$out/$model"/*/checkpoint-*.safetensors | tail -1)" "$repeats"
  echo
done
