#!/usr/bin/env bash
# Installs what OGan needs beyond the .NET SDK, only what is missing: fast and silent when all is there.
# On a host whose libstdc++ is too old for TorchSharp (Debian 12), that is the project's Debian 13 root
# (scripts/debian13.sh), which holds the data set and the reference PyTorch; elsewhere, Debian packages.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

# npm, on the host that builds: the build takes onnxruntime-web for `ogan export --web` from the npm registry.
if ! command -v npm >/dev/null && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: nodejs npm"
  root_cmd=(); [ "$(id -u)" -eq 0 ] || root_cmd=(sudo)
  "${root_cmd[@]}" apt-get update -q && "${root_cmd[@]}" apt-get install -y -q --no-install-recommends nodejs npm
fi

if bash "$here/debian13.sh" needed; then
  exec bash "$here/debian13.sh" ensure
fi

packages=(
  dataset-fashion-mnist                          # the default training data
  python3-torch python3-numpy libopenblas0-openmp # reference PyTorch for the tests and benchmarks
  lmdb-utils                                     # mdb_load: the tests make LSUN-style LMDB 0.9 databases
  chromium                                       # headless, for the browser test of `ogan serve`'s page
  openmpi-bin                                    # mpirun: data-parallel training and its multi-process tests
  iproute2                                       # network namespaces: the two-machine test (scripts/two-machines.sh)
)
command -v dpkg-query >/dev/null || exit 0 # not Debian or Ubuntu: see the README
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
