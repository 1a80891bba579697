"""Summarises bench/gpu/run.sh's timings: per batch and variant the median seconds per iteration, images/s,
the ratio to PyTorch's autocast step and to OGan fp32, and the achieved TFLOP/s as a share of the card's dense
bf16 peak (the FLOPs of one iteration from bench/gpu/flops.py).
Usage: python3 bench/gpu/summary.py speed.tsv flops.txt "GPU NAME"
"""
import statistics
import sys

# Dense bf16 tensor-core peaks in TFLOP/s, from NVIDIA's data sheets (without sparsity).
PEAKS = {"H200": 989.4, "H100 SXM": 989.4, "H100 80GB HBM3": 989.4, "H100 PCIe": 756.0, "H100 NVL": 835.0, "A100": 312.0, "L40S": 362.0}

speed_file, flops_file, gpu = sys.argv[1:4]
peak = next((value for name, value in PEAKS.items() if name in gpu), None)
times = {}
for line in open(speed_file):
    parts = line.split()
    if len(parts) == 3:
        times.setdefault((int(parts[0]), parts[1]), []).append(float(parts[2]))
tflop = {int(line.split()[1].rstrip(":")): float(line.split()[-1]) for line in open(flops_file) if "tflop_per_iteration" in line}

print(f"GPU {gpu}, dense bf16 peak {peak or 'unknown'} TFLOP/s")
print("| batch | variant | s/it (median) | images/s | / pytorch-bf16 | / ogan-fp32 | TFLOP/s | share of peak |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for batch in sorted({b for b, _ in times}):
    medians = {v: statistics.median(t) for (b, v), t in times.items() if b == batch}
    for variant, seconds in medians.items():
        achieved = tflop.get(batch, 0) / seconds
        share = f"{100 * achieved / peak:.1f}%" if peak else "-"
        versus = lambda other: f"{seconds / medians[other]:.3f}" if other in medians else "-"  # noqa: E731
        print(f"| {batch} | {variant} | {seconds:.4f} | {batch / seconds:.0f} | {versus('pytorch-bf16')} | {versus('ogan-fp32')} | {achieved:.1f} | {share} |")
