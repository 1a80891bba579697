#!/usr/bin/env bash
# Installs the Debian packages OGan needs, only those missing: fast and silent when all are there.
set -euo pipefail

packages=(
  build-essential cmake            # the native shim's toolchain
  libtorch-dev libopenblas0-openmp # libtorch; without OpenBLAS (OpenMP) training is 7-9x slower
  libturbojpeg0-dev libpng-dev libwebp-dev liblmdb-dev # image codecs, LSUN databases
  dataset-fashion-mnist            # the default training data
  python3-torch                    # PyTorch on the same libtorch, for side-by-side benchmarks
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
