#!/usr/bin/env bash
# Checks OGan the way its users get it: packs OGan.Core and the `ogan` tool into artifacts/packages, installs
# the tool into a temporary folder and runs it, builds and runs the samples (which reference the packed
# OGan.Core, not the sources), and builds a console app made by `dotnet new console` outside the repository
# from the packed folder and nuget.org alone. A broken package fails here. Run by ./test.sh.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
feed="$repo/artifacts/packages"
quiet=(--nologo -v quiet -clp:NoSummary)
# The samples and the outside app are built as users build them, except that libtorch (1.2 GB, plus the other
# platforms' in a portable build) is linked from the NuGet cache, not copied, so that a CI machine's disk holds it.
links=(-p:CreateHardLinksForCopyLocalIfPossible=true -p:CreateHardLinksForPublishFilesIfPossible=true)

in_root() { # runs a TorchSharp program where it can load: here, or in the Debian 13 root
  if bash "$repo/scripts/debian13.sh" needed; then bash "$repo/scripts/debian13.sh" run "$@"; else "$@"; fi
}
fail() { echo "check-packages: $*" >&2; exit 1; }
build() { # dotnet build, printing its output only when it fails
  local output
  output=$(dotnet build "$@" -c Release "${quiet[@]}" "${links[@]}" 2>&1) || { printf '%s\n' "$output" >&2; fail "dotnet build $1 failed"; }
}

version=$(dotnet msbuild src/OGan.Core/OGan.Core.csproj -getProperty:Version)
for project in samples/*/*.csproj; do
  grep -Eq "Include=\"OGan\.(Core|Onnx)\" Version=\"$version\"" "$project" ||
    fail "$project does not reference OGan.Core or OGan.Onnx $version (the version in Directory.Build.props): update it"
done

echo "== dotnet pack OGan.sln -> artifacts/packages (OGan.Core, OGan.Onnx and ogan $version, the tool once per platform)"
rm -f "$feed"/*.nupkg "$feed"/*.snupkg
dotnet pack OGan.sln -c Release -o "$feed" "${quiet[@]}"
for package in "OGan.Core.$version.nupkg" "OGan.Core.$version.snupkg" "OGan.Onnx.$version.nupkg" "ogan.$version.nupkg" \
  "ogan.linux-x64.$version.nupkg" "ogan.osx-arm64.$version.nupkg" "ogan.win-x64.$version.nupkg"; do
  [ -f "$feed/$package" ] || fail "dotnet pack did not write $package"
done
# A package of the same version restored earlier would shadow the new one: drop OGan's own from the cache.
cache=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
rm -rf "$cache/ogan.core/$version" "$cache/ogan.onnx/$version" "$cache/ogan/$version" "$cache"/ogan.*-*/"$version"

work=$(mktemp -d /tmp/ogan-packages.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== dotnet tool install ogan $version (into a temporary folder)"
dotnet tool install --tool-path "$work/tools" --add-source "$feed" ogan --version "$version" >/dev/null
tool="$work/tools/ogan"
# One package per platform: a Linux user fetches the small `ogan` package and ogan.linux-x64, nothing of the others.
size() { stat -c %s "$feed/$1"; }
linux_bytes=$(( $(size "ogan.$version.nupkg") + $(size "ogan.linux-x64.$version.nupkg") ))
awk -v l="$linux_bytes" -v m="$(size "ogan.osx-arm64.$version.nupkg")" -v w="$(size "ogan.win-x64.$version.nupkg")" -v c="$(size "OGan.Core.$version.nupkg")" \
  'BEGIN { printf "   a Linux user downloads %.1f MB for the tool (osx-arm64 %.1f MB, win-x64 %.1f MB); OGan.Core %.1f MB\n", l / 1e6, m / 1e6, w / 1e6, c / 1e6 }'
installed=$(find "$work/tools/.store" -name 'libtorch_cpu*' -o -name 'torch_cpu.dll' -o -name 'libtorch_cpu.dylib')
[ "$(printf '%s\n' "$installed" | grep -c .)" -eq 1 ] && [[ "$installed" == */linux-x64/libtorch_cpu.so ]] ||
  fail "the installed tool should hold Linux's libtorch alone, it holds: $installed"
"$tool" --version | grep -qx "$version.*" || fail "the installed tool does not report version $version"
if bash "$repo/scripts/debian13.sh" needed; then
  # On this host TorchSharp cannot load: the tool must say so in one line, not print a loader trace.
  set +e; message=$("$tool" info 2>&1); code=$?; set -e
  [ "$code" -ne 0 ] && [ "$(printf '%s\n' "$message" | wc -l)" -eq 1 ] && [[ "$message" == *GLIBCXX_3.4.32* ]] ||
    fail "on a host without GLIBCXX_3.4.32 the tool should fail with one line, got (exit $code): $message"
  echo "   on this host: $message"
fi
in_root "$tool" info

echo "== samples (PackageReference OGan.Core $version from artifacts/packages)"
for sample in Training Inference FrozenEncoder OnnxInference; do
  build "samples/$sample"
done
cmp -s "$feed/OGan.Core.$version.nupkg" "$cache/ogan.core/$version/ogan.core.$version.nupkg" ||
  fail "the samples did not restore the OGan.Core package just packed"
run_sample() { local name=$1; shift; in_root dotnet "$repo/samples/$name/bin/Release/net10.0/$name.dll" "$@"; }
(cd "$work" && run_sample Training 200 "$work/model.safetensors")
[ -s "$work/model.safetensors" ] || fail "samples/Training wrote no checkpoint"
mapfile -t photos < <(find "$repo/../shared/data" -name '*.jpg' 2>/dev/null | sort | head -2)
[ "${#photos[@]}" -eq 2 ] || photos=("$repo/docs/images/fashion-boot.png" "$repo/docs/images/fashion-shirt.png")
(cd "$work" && run_sample Inference "$work/model.safetensors" "${photos[@]}")
for image in samples.png reconstructions.png interpolation.png; do
  [ -s "$work/$image" ] || fail "samples/Inference wrote no $image"
done
(cd "$work" && run_sample FrozenEncoder "$work/model.safetensors" 1) | tee "$work/frozen.txt"
grep -q "test accuracy" "$work/frozen.txt" || fail "samples/FrozenEncoder printed no accuracy"

echo "== ogan export, and samples/OnnxInference (OGan.Onnx: ONNX Runtime, no TorchSharp) on the host itself"
in_root "$tool" export -c "$work/model.safetensors" -o "$work/exported" --web "$work/site" --verbosity quiet
for file in index.html ogan-web.js generator.onnx onnxruntime-web/ort-wasm-simd-threaded.wasm; do
  [ -s "$work/site/$file" ] || fail "the installed tool's export --web wrote no $file"
done
(cd "$work" && dotnet "$repo/samples/OnnxInference/bin/Release/net10.0/OnnxInference.dll" "$work/exported" "${photos[@]}")
for image in sample-0.png reconstruction-0.png frame-7.png; do
  [ -s "$work/onnx-out/$image" ] || fail "samples/OnnxInference wrote no onnx-out/$image"
done

echo "== dotnet publish -r linux-x64: samples/OnnxInference against samples/Inference (TorchSharp-cpu)"
for sample in OnnxInference Inference; do
  dotnet publish "samples/$sample" -c Release -r linux-x64 --self-contained false -o "$work/publish-$sample" "${quiet[@]}" "${links[@]}" >/dev/null
done
onnx_bytes=$(du -sb "$work/publish-OnnxInference" | cut -f1); torch_bytes=$(du -sb "$work/publish-Inference" | cut -f1)
awk -v o="$onnx_bytes" -v t="$torch_bytes" 'BEGIN { printf "   published: OnnxInference %.1f MB, Inference %.1f MB (ratio %.3f)\n", o / 1e6, t / 1e6, o / t }'
[ "$((onnx_bytes * 10))" -lt "$torch_bytes" ] || fail "the ONNX sample app's publish folder is not under a tenth of the TorchSharp one's"

echo "== the tool on the samples' checkpoint"
in_root "$tool" sample -c "$work/model.safetensors" -n 16 -o "$work/tool-samples.png" --verbosity quiet
[ -s "$work/tool-samples.png" ] || fail "ogan sample wrote nothing"

echo "== a console app outside the repository"
app="$work/outside"
dotnet new console -o "$app" --name Outside >/dev/null
cat > "$app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="ogan" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
EOF
(cd "$app" && dotnet add package OGan.Core --version "$version" >/dev/null && dotnet add package TorchSharp-cpu --version 0.107.0 >/dev/null)
cat > "$app/Program.cs" <<'EOF'
using OGan.Evaluation;
using OGan.Imaging;
using OGan.Inference;

using var model = OGanModel.Load(args[0]);
var samples = model.Sample(count: 16, seed: 1);
ImageGrid.Save(args[1], samples, columns: 4);
Console.WriteLine($"sampled {model.Config.ImageSize}px images from step {model.Step}");
using var imageNet = ImageNetFeatures.Load(); // the ResNet-18 files the package copied beside the app
var features = imageNet.Features(samples.expand(-1, 3, -1, -1));
Console.WriteLine($"ImageNet features: [{string.Join(", ", features.shape)}], finite: {features.isfinite().all().item<bool>()}");
EOF
build "$app"
in_root dotnet "$app/bin/Release/net10.0/Outside.dll" "$work/model.safetensors" "$work/outside.png" | tee "$work/outside.txt"
[ -s "$work/outside.png" ] || fail "the outside app wrote no PNG"
grep -q "ImageNet features: \[16, 512\], finite: True" "$work/outside.txt" || fail "the outside app computed no ImageNet features"
echo "check-packages: OGan.Core and ogan $version pack, install and run; samples and an outside app build against the package"
