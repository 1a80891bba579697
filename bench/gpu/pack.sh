#!/usr/bin/env bash
# Packs what a GPU machine without .NET needs into bench/gpu/carry/ (git-ignored, under 64 MiB): the .NET
# runtime (host + Microsoft.NETCore.App, xz-compressed) and framework-dependent builds of the bench and the
# CLI with TorchSharp's managed assembly, without the CPU libtorch (the GPU machine brings its own, see run.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
carry=bench/gpu/carry
rm -rf "$carry" && mkdir -p "$carry"
for project in bench/OGan.Bench src/OGan.Cli; do
  name=$(basename "$project")
  dotnet publish "$project" -c Release -o "$carry/$name" --nologo -v quiet
  rm -rf "$carry/$name/runtimes" # libtorch-cpu and LibTorchSharp for every platform: replaced on the GPU machine
done
root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(ls -d "$root"/shared/Microsoft.NETCore.App/10.* | sort -V | tail -1)
tar -C "$root" -cJf "$carry/dotnet.tar.xz" dotnet host "shared/Microsoft.NETCore.App/$(basename "$runtime")"
du -sh "$carry"
