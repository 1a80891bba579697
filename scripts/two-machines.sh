#!/usr/bin/env bash
# Two machines simulated on this one: network namespaces ogan-a (10.99.0.1) and ogan-b (10.99.0.2), each with
# its own host name, joined by a veth pair. Open MPI runs over TCP between them; its remote-launch agent
# enters the other namespace (nsenter: `ip netns exec` needs / to be a mount point, which a chroot is not) instead of ssh (the file system is shared, as a cluster's home folders are).
#   scripts/two-machines.sh check     1. 50 iterations on the two machines give bitwise the weights of the same
#                                        job in one namespace (shared memory);
#                                     2. SIGKILL of the rank on machine B mid-run ends the job within 30 s with
#                                        a clear line, the last checkpoint loads, and the run resumes;
#                                     3. the link between the machines cut mid-run (no process dies, TCP just
#                                        stops): with OGAN_COLLECTIVE_TIMEOUT=10 the job ends within 60 s,
#                                        saying in one line which wait ran out.
#   scripts/two-machines.sh cut       check 3 alone
#   scripts/two-machines.sh up|down   make or remove the namespaces (exit 77: this machine does not allow them)
#   scripts/two-machines.sh mpirun ARGS...   mpirun across the two machines (one process each unless told)
# Needs root (network namespaces), Open MPI, iproute2 and the built ogan.dll and worker (dotnet build OGan.sln -c
# Release); adds machine-a and machine-b to /etc/hosts (the Debian 13 root's, on Debian 12).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${OGAN_IN_DEBIAN13:-}" ] && bash "$repo/scripts/debian13.sh" needed; then
  exec bash "$repo/scripts/debian13.sh" run bash "$repo/scripts/two-machines.sh" "$@"
fi
[ "$(id -u)" -eq 0 ] || { echo "error: two-machines.sh needs root (it makes network namespaces)" >&2; exit 1; }
command -v ip >/dev/null || { echo "error: ip not found: install iproute2 (scripts/install-deps.sh does)" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "error: mpirun not found: install Open MPI (scripts/install-deps.sh does)" >&2; exit 1; }

a=10.99.0.1 b=10.99.0.2
bin="$repo/tests/OGan.Core.Tests/bin/Release/net10.0"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OGAN_NUM_THREADS=1 OGAN_COLLECTIVE_TIMEOUT=${OGAN_COLLECTIVE_TIMEOUT:-600}
work=$(mktemp -d /tmp/ogan-two-machines.XXXXXX)

# A command in machine NAME's network (nsenter: `ip -n` and `ip netns exec` remount /, which in a chroot is no mount point).
in_ns() { local ns=$1; shift; nsenter --net=/run/netns/"$ns" "$@"; }

up() {
  down 2>/dev/null || true
  if ! ip netns add ogan-a 2>/dev/null; then
    echo "SKIP this machine does not let root make network namespaces (ip netns add failed)"; exit 77
  fi
  ip netns add ogan-b
  ip link add ogan-veth-a type veth peer name ogan-veth-b
  ip link set ogan-veth-a netns ogan-a && ip link set ogan-veth-b netns ogan-b
  # Each machine calls its end ogan0, as machines of a cluster share interface names.
  in_ns ogan-a ip link set ogan-veth-a name ogan0 && in_ns ogan-b ip link set ogan-veth-b name ogan0
  in_ns ogan-a ip addr add $a/24 dev ogan0 && in_ns ogan-b ip addr add $b/24 dev ogan0
  for ns in ogan-a ogan-b; do in_ns $ns ip link set lo up && in_ns $ns ip link set ogan0 up; done
  # When a machine stops answering, TCP gives up on it after tcp_retries2 retransmissions: 15 (about 15 minutes)
  # by default, 5 (about 12 s) here, as a cluster that wants jobs to end soon after a partition sets it. Open MPI's
  # launcher ends the job only then, even after every rank it can reach has ended.
  for ns in ogan-a ogan-b; do in_ns $ns sysctl -q -w net.ipv4.tcp_retries2=5; done
  # Their names, as a cluster's DNS would give them (Open MPI maps processes to host names).
  grep -q ' machine-b$' /etc/hosts || printf '%s machine-a\n%s machine-b\n' $a $b >> /etc/hosts
}

down() {
  # Processes left in a machine whose link was cut (Open MPI's daemon on B) go with it.
  for ns in ogan-a ogan-b; do ip netns pids $ns 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true; done
  ip netns del ogan-a 2>/dev/null || true; ip netns del ogan-b 2>/dev/null || true
}

# The remote-launch agent: called as `agent [ssh options] HOST COMMAND...`, it runs COMMAND in machine B.
agent() {
  cat > "$work/agent" <<'AGENT'
#!/bin/bash
while [[ "${1:-}" == -* ]]; do shift; done
host=$1; shift
exec nsenter --net=/run/netns/ogan-b unshare --uts /bin/bash -c 'hostname machine-b; eval "$0"' "$*"
AGENT
  chmod +x "$work/agent"
}

# mpirun started on machine A (its own host name too); one process on each machine unless -np says more.
across() {
  nsenter --net=/run/netns/ogan-a unshare --uts /bin/bash -c 'hostname machine-a; exec "$@"' _ \
    mpirun --host machine-a:1,machine-b:1 --prtemca plm_ssh_agent "$work/agent" --prtemca oob_tcp_if_include ogan0 \
      --mca btl tcp,self --mca btl_tcp_if_include ogan0 -x OGAN_NUM_THREADS -x OGAN_COLLECTIVE_TIMEOUT --bind-to none "$@"
}

check() {
  local failed=0 start
  up; agent
  trap 'down; rm -rf "$work"' EXIT

  echo "== 1. 50 iterations across two machines (TCP) against one machine (shared memory)"
  mkdir -p "$work/one" "$work/two"
  OMPI_MCA_btl=self,sm mpirun -np 2 --oversubscribe --bind-to none -x OGAN_NUM_THREADS dotnet "$bin/OGan.Distributed.Worker.dll" train 50 "$work/one"
  across -np 2 dotnet "$bin/OGan.Distributed.Worker.dll" train 50 "$work/two"
  for rank in 0 1; do
    if cmp -s "$work/one/weights-rank$rank.safetensors" "$work/two/weights-rank$rank.safetensors"; then
      echo "PASS rank $rank: the weights after 50 iterations are bitwise the same on two machines as on one"
    else
      echo "FAIL rank $rank: the weights differ between two machines and one"; failed=1
    fi
  done

  echo "== 2. SIGKILL of the rank on machine B mid-run"
  local run="$work/runs" log="$work/killed.log"
  across -np 2 dotnet "$bin/ogan.dll" train --width 32 --batch 16 --steps 100000 --snapshot-every 25 --sample-every 0 --log-every 25 \
    --calibration-images 64 --out "$run" > "$log" 2>&1 &
  local job=$!
  for _ in $(seq 120); do
    ls "$run"/*/checkpoint-000050.safetensors >/dev/null 2>&1 && break
    sleep 1
  done
  local victim
  # Under pipefail and set -e every stage must succeed: the loop's last test may fail (a process that is not
  # rank 1, or gone), and an early-exiting reader (head) would end the loop with SIGPIPE.
  victim=$(ip netns pids ogan-b 2>/dev/null | while read -r pid; do
    environment=$(tr '\0' '\n' < /proc/$pid/environ 2>/dev/null || true)
    if grep -qx 'OMPI_COMM_WORLD_RANK=1' <<< "$environment" && grep -q ogan.dll /proc/$pid/cmdline 2>/dev/null; then echo "$pid"; fi
  done | awk 'NR == 1')
  [ -n "$victim" ] || { echo "FAIL: no rank-1 process found in machine B"; cat "$log"; exit 1; }
  start=$SECONDS
  kill -KILL "$victim"
  local ended=0
  for _ in $(seq 60); do kill -0 $job 2>/dev/null || { ended=1; break; }; sleep 0.5; done
  local took=$((SECONDS - start))
  if [ $ended = 1 ] && [ $took -le 30 ]; then
    echo "PASS the job ended $took s after the kill (limit 30 s); mpirun said: $(tr -s ' \n' ' ' < "$log" | grep -aoE '[a-z]+ noticed that process rank [0-9]+ [^.]*\.' | head -1)"
  else
    echo "FAIL the job did not end within 30 s of the kill"; kill -KILL $job 2>/dev/null || true; failed=1
  fi
  wait $job 2>/dev/null || true
  local folder last
  folder=$(ls -d "$run"/*); last=$(ls "$folder"/checkpoint-*.safetensors | sort | tail -1)
  if dotnet "$bin/ogan.dll" info "$last" > "$work/info.txt" 2>&1; then
    echo "PASS the last checkpoint loads: $(grep -o 'step [0-9]*' "$work/info.txt" | head -1)"
  else
    echo "FAIL the last checkpoint does not load: $(tail -1 "$work/info.txt")"; failed=1
  fi
  local step=${last##*-}; step=$((10#${step%%.*}))
  if across -np 2 dotnet "$bin/ogan.dll" train --resume "$folder" --steps $((step + 25)) --width 32 --batch 16 --calibration-images 64 \
      --sample-every 0 --log-every 25 > "$work/resumed.log" 2>&1 && [ -f "$folder/checkpoint-$(printf %06d $((step + 25))).safetensors" ]; then
    echo "PASS the run resumed on the two machines from step $step to $((step + 25))"
  else
    echo "FAIL the run did not resume: $(tail -3 "$work/resumed.log")"; failed=1
  fi
  cut || failed=1
  return $failed
}

# 3. The link cut mid-run: nothing dies and TCP just waits, so only OGan's collective timeout can end the job.
cut() {
  echo "== 3. The link between the machines cut mid-run (OGAN_COLLECTIVE_TIMEOUT=10)"
  local run="$work/runs-cut" log="$work/cut.log" job start ended=0
  OGAN_COLLECTIVE_TIMEOUT=10 across -np 2 dotnet "$bin/ogan.dll" train --width 32 --batch 16 --steps 100000 --snapshot-every 25 \
    --sample-every 0 --log-every 25 --calibration-images 64 --out "$run" > "$log" 2>&1 &
  job=$!
  for _ in $(seq 120); do
    ls "$run"/*/checkpoint-000050.safetensors >/dev/null 2>&1 && break
    sleep 1
  done
  start=$SECONDS
  in_ns ogan-b ip link set ogan0 down
  for _ in $(seq 180); do kill -0 $job 2>/dev/null || { ended=1; break; }; sleep 0.5; done
  local took=$((SECONDS - start)) said
  said=$(grep -a "waited .* for the others" "$log" | head -1 || true)
  if [ $ended = 1 ] && [ $took -le 60 ] && [ -n "$said" ]; then
    echo "PASS the job ended $took s after the cut (limit 60 s), saying: $said"
  else
    echo "FAIL the job did not end within 60 s of the cut with the timeout's line (ended: $ended after $took s); its output:"
    tail -20 "$log"; kill -KILL $job 2>/dev/null || true; return 1
  fi
  wait $job 2>/dev/null || true
  in_ns ogan-b ip link set ogan0 up
}

case "${1:-}" in
  check) check ;;
  up) up ;;
  down) down ;;
  cut) up; agent; trap 'down; rm -rf "$work"' EXIT; cut ;;
  mpirun) shift; agent; across "$@" ;;
  *) echo "usage: $0 check|cut|up|down|mpirun ARGS..." >&2; exit 2 ;;
esac
