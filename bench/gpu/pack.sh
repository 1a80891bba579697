#!/usr/bin/env bash
# Packs what a GPU machine without .NET needs into bench/gpu/carry/ (git-ignored, under 64 MiB): the .NET
# runtime (host, Microsoft.NETCore.App and
# Microsoft.AspNetCore.App, xz-compressed) and framework-dependent builds of the bench and the
# CLI with TorchSharp's managed assembly, without the CPU libtorch (the GPU machine brings its own, see run.sh).
# Also: TorchSharp's native source (src/Native) from TORCHSHARP_SRC, a checkout or git directory of the TorchSharp
# version in Directory.Packages.props, and the 35 CelebA-HQ photos of ../shared/data for a training check.
#   TORCHSHARP_SRC=/path/to/TorchSharp bash bench/gpu/pack.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
carry=bench/gpu/carry
src=${TORCHSHARP_SRC:?set TORCHSHARP_SRC to a TorchSharp checkout or git directory}
want=$(sed -n 's/.*Include="TorchSharp" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)
if [ -d "$src/src/Native" ]; then props=$(cat "$src/build/BranchInfo.props"); else props=$(git --git-dir="$src" show HEAD:build/BranchInfo.props); fi
have=$(echo "$props" | sed -n 's/.*<\(Major\|Minor\|Patch\)Version>\([0-9]*\)<.*/\2/p' | paste -sd.)
[ "$have" = "$want" ] || { echo "error: $src is TorchSharp $have, but OGan uses $want: check out that version" >&2; exit 1; }
rm -rf "$carry" && mkdir -p "$carry/TorchSharp/src" "$carry/photos"
if [ -d "$src/src/Native" ]; then cp -r "$src/src/Native" "$carry/TorchSharp/src/"; else git --git-dir="$src" archive HEAD src/Native | tar -x -C "$carry/TorchSharp"; fi
cp ../shared/data/celeba-hq/*.jpg "$carry/photos/"
# FACES=N: the first N CelebA faces of ../shared/data/celeba-128 (128 px JPEGs, about 7.6 kB each) for bench/gpu/faces.sh.
if [ -n "${FACES:-}" ]; then
  mkdir -p "$carry/faces"
  ls ../shared/data/celeba-128 | head -n "$FACES" | sed 's|^|../shared/data/celeba-128/|' | xargs cp -t "$carry/faces"
  echo "faces: $(ls "$carry/faces" | wc -l) photos, $(du -sh "$carry/faces" | cut -f1)"
fi
# Fashion-MNIST's test set (4.4 MB) for the multi-process checks of bench/gpu/distributed.sh.
mkdir -p "$carry/fashion-mnist"
fashion=/usr/share/datasets/fashion-mnist
[ -d "$fashion" ] || fashion="$(bash scripts/debian13.sh path)$fashion"
cp "$fashion"/t10k-* "$carry/fashion-mnist/"
for project in bench/OGan.Bench src/OGan.Cli tests/OGan.Distributed.Worker; do
  name=$(basename "$project")
  dotnet publish "$project" -c Release -o "$carry/$name" --nologo -v quiet
  rm -rf "$carry/$name/runtimes" # libtorch-cpu and LibTorchSharp for every platform: replaced on the GPU machine
  [ "${RESNET:-0}" = 1 ] || rm -rf "$carry/$name/models" # the ResNet-18 for FID on photos (64 MB): only with RESNET=1
done
root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(ls -d "$root"/shared/Microsoft.NETCore.App/10.* | sort -V | tail -1)
aspnet=$(ls -d "$root"/shared/Microsoft.AspNetCore.App/10.* | sort -V | tail -1) # ogan serve is part of the CLI
tar -C "$root" -cJf "$carry/dotnet.tar.xz" dotnet host "shared/Microsoft.NETCore.App/$(basename "$runtime")" "shared/Microsoft.AspNetCore.App/$(basename "$aspnet")"
du -sh "$carry"
