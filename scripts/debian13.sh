#!/usr/bin/env bash
# A cached Debian 13 root for hosts whose libstdc++ is too old for TorchSharp.
#
# TorchSharp's native library needs GLIBCXX_3.4.32 (GCC 13's libstdc++). Debian 12 stops at 3.4.30, so on
# such a host OGan's programs run inside a Debian 13 root made here with debootstrap from the host's own
# package mirror. The root is made once (about a minute), reused, and made again when its package list
# changes; the extras (chromium, for the web page's browser test) are added to it in place with apt. A run enters it through a private mount namespace (unshare): the host's folders (all but the system folders the root brings: /usr, /etc, /var/lib, ...),
# $HOME, the working directory and the .NET SDK appear at the same paths, so every path works unchanged;
# the command is exec'd, so its exit code and signals (Ctrl+C, SIGTERM) are its own.
#
#   scripts/debian13.sh needed       exit 0 when this host needs the root
#   scripts/debian13.sh check-paths  check that a run written inside to /var/tmp lands on the host (./test.sh runs it)
#   scripts/debian13.sh ensure       make the root if missing or stale
#   scripts/debian13.sh run CMD...   run CMD inside it (making it first)
#   scripts/debian13.sh path         print where it lives
# Making the root needs root (or sudo); runs need root or unprivileged user namespaces.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rootfs="${OGAN_DEBIAN13_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/ogan/debian13}"

# What the root holds: .NET's native needs, libgomp for libtorch, the reference PyTorch with OpenBLAS
# (the tests' and benchmarks' comparison), the default data set, and LMDB 0.9's tools (the tests make LSUN-style databases with them).
packages=(ca-certificates libicu76 libssl3t64 zlib1g libgomp1
          python3-torch python3-numpy libopenblas0-openmp dataset-fashion-mnist lmdb-utils)
stamp="debian13 v1 ${packages[*]}"
# Installed with apt into the made root, in place: adding one here extends an existing root instead of
# making it again. Chromium (headless) drives the web page's browser test; Open MPI runs the multi-process
# tests (`mpirun`), iproute2 makes the network namespaces of the two-machine test, and Pillow writes the CMYK
# JPEG of the photo-folder test (tests/fixtures/photos/make.py), which .NET's ImageSharp cannot.
extras=(chromium fonts-dejavu-core openmpi-bin iproute2 python3-pil python3-onnx)
extras_stamp="extras v4 ${extras[*]}"

needed() {
  [ "$(uname -s)" = Linux ] || return 1
  local lib
  # awk reads all of ldconfig's output: an early exit would let ldconfig die of SIGPIPE, and pipefail fail this.
  lib=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 / && !found {print $NF; found = 1}')
  [ -n "$lib" ] || return 1
  ! grep -qa 'GLIBCXX_3\.4\.32' "$lib"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "error: making the Debian 13 root at $rootfs needs root or sudo" >&2; exit 1; fi
}

mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -z "$uri" ] && uri=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

ensure() {
  made && extras_added && return 0
  mkdir -p "$(dirname "$rootfs")"
  exec 9>"$rootfs.lock"
  flock 9
  made || make_root
  extras_added || add_extras
  exec 9>&- # the command that follows must not hold the lock
}

make_root() {
  if ! command -v debootstrap >/dev/null; then
    echo "Installing debootstrap (to make the Debian 13 root)" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2
  fi
  local work="$rootfs.new" includes
  includes=$(IFS=,; echo "${packages[*]}")
  echo "Making the Debian 13 root at $rootfs from $(mirror) (once; a few minutes)" >&2
  as_root rm -rf "$work"
  if ! as_root debootstrap --variant=minbase --include="$includes" trixie "$work" "$(mirror)" > "$rootfs.log" 2>&1; then
    echo "error: debootstrap failed; its log is $rootfs.log" >&2
    tail -5 "$rootfs.log" >&2
    exit 1
  fi
  # The host's certificate authorities (package registries may be reached through them).
  if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    as_root cp /usr/local/share/ca-certificates/*.crt "$work/usr/local/share/ca-certificates/"
    as_root chroot "$work" update-ca-certificates >/dev/null 2>&1 || true
  fi
  as_root rm -rf "$work/var/cache/apt/archives/"*.deb
  echo "$stamp" | as_root tee "$work/.ogan-stamp" >/dev/null
  as_root rm -rf "$rootfs"
  as_root mv "$work" "$rootfs"
}

made() { [ -f "$rootfs/.ogan-stamp" ] && [ "$(cat "$rootfs/.ogan-stamp")" = "$stamp" ]; }
extras_added() { [ -f "$rootfs/.ogan-extras" ] && [ "$(cat "$rootfs/.ogan-extras")" = "$extras_stamp" ]; }

# apt-get install of the extras inside the root (with /proc, /dev and the host's DNS), once per extras list.
add_extras() {
  echo "Installing ${extras[*]} into the Debian 13 root (once)" >&2
  if ! as_root unshare --mount --propagation private -- /bin/bash -c '
      r=$1; shift
      mount --rbind /proc "$r/proc" && mount --rbind /dev "$r/dev" && mount --rbind /sys "$r/sys"
      cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
      chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" &&
        chroot "$r" apt-get clean' _ "$rootfs" "${extras[@]}" > "$rootfs.extras.log" 2>&1; then
    echo "error: installing ${extras[*]} into the Debian 13 root failed; its log is $rootfs.extras.log" >&2
    tail -5 "$rootfs.extras.log" >&2
    exit 1
  fi
  echo "$extras_stamp" | as_root tee "$rootfs/.ogan-extras" >/dev/null
}

# Paths that must look the same inside: never a system folder of the root itself.
shareable() {
  case "$1" in
    /|/usr|/usr/*|/etc|/etc/*|/bin|/bin/*|/sbin|/sbin/*|/lib|/lib/*|/lib32|/lib32/*|/lib64|/lib64/*|/libx32|/libx32/*|/boot|/boot/*) return 1 ;;
    /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|/run|/run/*|/lost+found|/var) return 1 ;;
    /var/lib|/var/lib/*|/var/cache|/var/cache/*|/var/log|/var/log/*|/var/run|/var/run/*|/var/lock|/var/lock/*) return 1 ;;
    /var/spool|/var/spool/*|/var/mail|/var/mail/*|/var/backups|/var/backups/*) return 1 ;;
  esac
  [ -d "$1" ]
}

# Whether $1 lies in one of the folders after it (already bound with it).
covered() {
  local path=$1 real parent
  shift
  real=$(readlink -f "$path")
  for parent in "$@"; do
    parent=$(readlink -f "$parent")
    [[ "$real" == "$parent" || "$real" == "$parent"/* ]] && return 0
  done
  return 1
}

run() {
  ensure
  if [ ! -f "$rootfs/.ogan-notice" ] || [ -n "${OGAN_DEBIAN13_VERBOSE:-}" ]; then
    echo "OGan: this host's libstdc++ lacks GLIBCXX_3.4.32 (TorchSharp needs it); running in the Debian 13 root $rootfs" >&2
    touch "$rootfs/.ogan-notice" 2>/dev/null || true
  fi
  local binds=() dotnet_dir="" shared
  command -v dotnet >/dev/null && dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet)")")
  shared="$(cd "$repo/.." && pwd)/shared"
  # The host's file system at its own paths, but for the system folders the root brings: output, data and
  # checkpoints anywhere else land where the user said.
  for path in /* /var/* "$HOME" "$repo" "$shared" "$PWD" "$dotnet_dir"; do
    [ -n "$path" ] && shareable "$path" && ! covered "$path" "${binds[@]}" && binds+=("$path")
  done
  # dotnet's SDK often lives under /usr (e.g. /usr/share/dotnet): that folder is bound too (/opt/nuget came with /opt).
  [ -n "$dotnet_dir" ] && [ -d "$dotnet_dir" ] && ! shareable "$dotnet_dir" && binds+=("$dotnet_dir")
  local userns=()
  [ "$(id -u)" -ne 0 ] && userns=(--user --map-root-user)
  exec unshare "${userns[@]}" --mount --propagation private -- \
    /bin/bash "$repo/scripts/debian13.sh" __enter "$rootfs" "$PWD" "$dotnet_dir" "${#binds[@]}" "${binds[@]}" "$@"
}

# Inside the new mount namespace: bind, then exec the command in the root (same process, same signals).
enter() {
  local r=$1 cwd=$2 dotnet_dir=$3 count=$4
  shift 4
  local binds=("${@:1:$count}")
  shift "$count"
  mount --rbind /proc "$r/proc"
  mount --rbind /dev "$r/dev"
  mount --rbind /sys "$r/sys"
  cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
  for path in "${binds[@]}"; do
    # A path through a symbolic link (../shared often is one) is bound at the link's target, and the link is
    # made again inside where no bound folder brings it along.
    local real
    real=$(readlink -f "$path")
    if ! { mkdir -p "$r$real" && mount --rbind "$real" "$r$real"; } 2>/dev/null; then
      echo "OGan: could not show $real inside the Debian 13 root; paths under it are the root's own" >&2
      continue
    fi
    if [ "$real" != "$path" ] && [ ! -e "$r$path" ]; then
      mkdir -p "$r$(dirname "$path")"
      ln -sfn "$real" "$r$path"
    fi
  done
  if [ -n "$dotnet_dir" ]; then ln -sfn "$dotnet_dir/dotnet" "$r/usr/bin/dotnet"; fi
  export OGAN_IN_DEBIAN13=1
  export DOTNET_ROOT="${DOTNET_ROOT:-$dotnet_dir}"
  exec chroot "$r" /usr/bin/env --chdir="$cwd" "$@"
}

# A run written inside the root to a path outside the repository, /tmp and $HOME must be on the host at that
# path (before, it stayed in the root's own /var/tmp). Needs a built ogan.dll; exit 0 when it is.
check_paths() {
  local dll="$repo/src/OGan.Cli/bin/Release/net10.0/ogan.dll" outside
  outside=$(mktemp -d /var/tmp/ogan-paths-XXXXXX)
  trap 'rm -rf "$outside"' RETURN
  rmdir "$outside" # the run makes it, inside the root
  if ! (run dotnet "$dll" train --steps 2 --width 16 --zdim 8 --batch 16 --sample-every 0 --calibration-images 0 \
        --verbosity quiet --out "$outside/runs") >/dev/null; then
    echo "debian13 paths: FAILED: the run into $outside/runs did not finish" >&2
    return 1
  fi
  if ! ls "$outside"/runs/*/checkpoint-000002.safetensors >/dev/null 2>&1; then
    echo "debian13 paths: FAILED: a run written to $outside/runs inside the Debian 13 root is not on the host" >&2
    return 1
  fi
  echo "debian13 paths: a run written inside the root to $outside/runs is on the host at that path"
}

case "${1:-}" in
  needed) needed ;;
  check-paths) check_paths ;;
  ensure) ensure ;;
  path) echo "$rootfs" ;;
  run) shift; [ $# -gt 0 ] || { echo "usage: $0 run CMD..." >&2; exit 2; }; run "$@" ;;
  __enter) shift; enter "$@" ;;
  *) echo "usage: $0 needed|ensure|path|check-paths|run CMD..." >&2; exit 2 ;;
esac
