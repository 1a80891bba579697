#!/usr/bin/env bash
# Packs what a GPU machine without .NET needs into bench/gpu/carry/ (git-ignored, well under 64 MiB):
# the .NET runtime (host + Microsoft.NETCore.App, xz-compressed) and the framework-dependent bench and CLI
# builds. native/ travels as source and is built there against the machine's CUDA libtorch (run.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
carry=bench/gpu/carry
rm -rf "$carry" && mkdir -p "$carry"
dotnet publish bench/OGan.Bench -c Release -o "$carry/bench" --nologo -v quiet -p:OGanSkipNative=true
dotnet publish src/OGan.Cli -c Release -o "$carry/ogan" --nologo -v quiet -p:OGanSkipNative=true
rm -f "$carry"/bench/libogan_native.so "$carry"/ogan/libogan_native.so
root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(ls -d "$root"/shared/Microsoft.NETCore.App/10.* | sort -V | tail -1)
tar -C "$root" -cJf "$carry/dotnet.tar.xz" dotnet host "shared/Microsoft.NETCore.App/$(basename "$runtime")"
du -sh "$carry"
