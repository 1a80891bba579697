#!/usr/bin/env bash
# Open MPI's mpirun for this repository: `scripts/mpirun.sh -np 2 ./ogan train ...` trains one model with two
# processes. On a host whose libstdc++ is too old for TorchSharp (Debian 12) it runs inside the project's
# Debian 13 root, which holds Open MPI (scripts/debian13.sh); as root it sets what Open MPI needs to run as
# root. Without MPI_ARGS, processes on one machine talk through shared memory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# One machine: shared memory between the processes (Open MPI would otherwise also probe TCP and warn where
# no interface pairs up). Set OMPI_MCA_btl yourself for several machines, e.g. tcp,sm,self.
export OMPI_MCA_btl="${OMPI_MCA_btl:-self,sm}"
# Open MPI binds each process to one core when it starts two or fewer: each would train on one core however
# many the machine has. Unbound, OGan shares the machine's cores among the processes (Runtime.DefaultThreads).
binding=(--bind-to none)
for argument in "$@"; do
  case $argument in --bind-to|--bind-to=*|--map-by|--map-by=*) binding=() ;; esac
done
if [ -z "${OGAN_IN_DEBIAN13:-}" ] && bash "$here/debian13.sh" needed; then
  exec bash "$here/debian13.sh" run mpirun "${binding[@]}" "$@"
fi
command -v mpirun >/dev/null || { echo "error: mpirun not found: install Open MPI (Debian: apt-get install openmpi-bin), or run scripts/install-deps.sh" >&2; exit 1; }
exec mpirun "${binding[@]}" "$@"
