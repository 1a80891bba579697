# Sourced by bench/gpu/run.sh and bench/gpu/distributed.sh on a GPU machine, from the repository root: unpacks
# the .NET runtime that bench/gpu/pack.sh carried, builds TorchSharp's native part against the machine's own
# CUDA libtorch (inside its PyTorch wheel) once, and puts both on the library path. Sets carry, work and out.
# shellcheck shell=bash
carry=bench/gpu/carry work=bench/gpu/work out=${OUT:-bench/gpu/work}
[ -f "$carry/dotnet.tar.xz" ] || { echo "error: $carry/dotnet.tar.xz missing: run bench/gpu/pack.sh on the build machine and carry $carry" >&2; exit 1; }
[ -d "$carry/TorchSharp/src/Native" ] || { echo "error: $carry/TorchSharp/src/Native missing: run bench/gpu/pack.sh with TORCHSHARP_SRC set" >&2; exit 1; }
mkdir -p "$work/dotnet" "$out"
[ -x "$work/dotnet/dotnet" ] || tar -C "$work/dotnet" -xJf "$carry/dotnet.tar.xz"
export DOTNET_ROOT=$PWD/$work/dotnet PATH=$PWD/$work/dotnet:$PATH DOTNET_CLI_TELEMETRY_OPTOUT=1

torch_lib=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
if [ ! -f "$work/native/libLibTorchSharp.so" ]; then
  start=$SECONDS
  # -w: the source is built as published; its -Werror would otherwise turn a newer libtorch's deprecation notices into errors
  cmake -S "$carry/TorchSharp/src/Native" -B "$work/native-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS=-w >"$out/native-build.log" 2>&1 &&
    cmake --build "$work/native-build" --parallel >>"$out/native-build.log" 2>&1 ||
    { tail -40 "$out/native-build.log"; exit 1; }
  mkdir -p "$work/native" && find "$work/native-build" -name 'libLibTorchSharp.so' -exec cp {} "$work/native/" \;
  echo "built libLibTorchSharp.so against $(python3 -c 'import torch; print(torch.__version__)') in $((SECONDS - start)) s"
fi
# TorchSharp loads LibTorchSharp and libtorch from the library path when its backend package is absent.
export LD_LIBRARY_PATH=$PWD/$work/native:$torch_lib:${LD_LIBRARY_PATH:-}
