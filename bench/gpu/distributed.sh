#!/usr/bin/env bash
# Issue 27's GPU checks, on a GPU machine (CUDA, CMake, PyTorch 2.x, no .NET, no network), from the repository
# root after bench/gpu/pack.sh here:  bash bench/gpu/distributed.sh
#   1. NCCL: PyTorch's wheel brings libnccl.so.2 (nvidia/nccl/lib); an NCCL communicator of one rank
#      all-reduces a CUDA tensor correctly (ogan-bench nccl-check).
#   2. With mpirun on the machine: 2 processes sharing one GPU (NCCL refuses two ranks on one card: OGan
#      notices, says so in one line and sends CUDA gradients through MPI via pinned host memory) train the worker's model 20
#      iterations on CUDA: both ranks hold bitwise the same weights, and they agree with the same 2-process
#      job on the CPU and with 1 process (largest difference printed).
#   3. With mpirun and 2 GPUs or more: the same job with NCCL, one GPU per process.
# Without mpirun, parts 2 and 3 say so and are skipped. Everything goes to $OUT or bench/gpu/work.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/setup.sh
nccl=$(python3 -c 'import nvidia.nccl, os; print(os.path.join(list(nvidia.nccl.__path__)[0], "lib", "libnccl.so.2"))' 2>/dev/null || true)
[ -n "$nccl" ] && [ -f "$nccl" ] && export OGAN_NCCL_LIBRARY=$nccl
export OGAN_WORKER_DATA=$PWD/$carry/fashion-mnist OGAN_NUM_THREADS=4
bench() { dotnet "$carry/OGan.Bench/ogan-bench.dll" "$@"; }
worker() { dotnet "$carry/OGan.Distributed.Worker/OGan.Distributed.Worker.dll" "$@"; }
compare() { # A B: largest difference between two weight files, and whether they are bitwise the same
  python3 - "$1" "$2" <<'PY'
import json, struct, sys
def load(path):  # safetensors, float32 tensors, without the safetensors package
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n]); data = raw[8 + n:]
    return {k: struct.unpack(f"<{(v['data_offsets'][1] - v['data_offsets'][0]) // 4}f", data[v['data_offsets'][0]:v['data_offsets'][1]])
            for k, v in header.items() if k != "__metadata__"}
a, b = load(sys.argv[1]), load(sys.argv[2])
worst = max(max(abs(x - y) for x, y in zip(a[k], b[k])) for k in a)
print(f"largest difference {worst:.3e}" + (" (bitwise the same)" if all(a[k] == b[k] for k in a) else ""))
PY
}

{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  echo "== 1. NCCL, one rank (${OGAN_NCCL_LIBRARY:-libnccl.so.2 from the library path})"
  bench nccl-check 1000003 || echo "FAIL nccl-check"

  if ! command -v mpirun >/dev/null; then
    echo "== 2, 3. skipped: no mpirun on this machine (install Open MPI to run the multi-process checks)"
  else
    [ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    run_job() { # NAME PROCESSES DEVICE [ENV...]: the worker's 20 iterations into $out/NAME
      local name=$1 processes=$2 device=$3; shift 3
      mkdir -p "$out/$name"
      if [ "$processes" = 1 ]; then env OGAN_WORKER_DEVICE="$device" "$@" worker train 20 "$out/$name"
      else env OGAN_WORKER_DEVICE="$device" "$@" mpirun -np "$processes" --oversubscribe --bind-to none -x OGAN_WORKER_DEVICE -x OGAN_WORKER_DATA -x OGAN_NCCL -x OGAN_NCCL_LIBRARY -x LD_LIBRARY_PATH -x DOTNET_ROOT -x OGAN_NUM_THREADS \
        dotnet "$carry/OGan.Distributed.Worker/OGan.Distributed.Worker.dll" train 20 "$out/$name"; fi
    }
    echo "== 2. two processes sharing one GPU: MPI through pinned host memory, chosen without OGAN_NCCL=0"
    run_job cuda-mpi 2 cuda CUDA_VISIBLE_DEVICES=0 2>&1 | tee "$out/cuda-mpi.log"
    grep -q "share one GPU" "$out/cuda-mpi.log" && echo "the fallback was named in one line" || echo "FAIL: no line naming the shared GPU"
    run_job cpu-mpi 2 cpu
    run_job cuda-one 1 cuda
    echo "rank 0 against rank 1 on CUDA: $(compare "$out/cuda-mpi/weights-rank0.safetensors" "$out/cuda-mpi/weights-rank1.safetensors")"
    echo "2 processes, CUDA against CPU: $(compare "$out/cuda-mpi/weights-rank0.safetensors" "$out/cpu-mpi/weights-rank0.safetensors")"
    echo "2 processes against 1 process, CUDA (BatchNorm sees half batches): $(compare "$out/cuda-mpi/weights-rank0.safetensors" "$out/cuda-one/weights-rank0.safetensors")"
    if [ "$(nvidia-smi -L | wc -l)" -ge 2 ]; then
      echo "== 3. two processes, one GPU each, NCCL"
      run_job cuda-nccl 2 cuda
      echo "NCCL against MPI through host memory: $(compare "$out/cuda-nccl/weights-rank0.safetensors" "$out/cuda-mpi/weights-rank0.safetensors")"
    else
      echo "== 3. skipped: one GPU (NCCL refuses two ranks on one card)"
    fi
  fi
} 2>&1 | tee "$out/distributed.txt"
