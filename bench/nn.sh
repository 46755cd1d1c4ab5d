#!/bin/sh
# Training throughput of the musc neural engine vs PyTorch (CPU) for the same
# model and batch: a 4-layer, 256-wide, 8-head decoder, T=512, B=8, vocab 512.
# usage: sh bench/nn.sh [BUILD_DIR]    (after `make`; BUILD_DIR defaults to build)
set -e
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
PKGS="jansson zlib libxml-2.0 libzip fluidsynth sndfile libebur128 sqlite3 cairo openblas"
cc -O2 -fopenmp -Iinclude $(pkg-config --cflags openblas) bench/nn_bench.c "$BUILD/libmusc.a" \
   $(pkg-config --libs $PKGS) -lm -o "$OUT/nn_bench"
# OpenBLAS 0.3.21 does not recognise AMD Zen 4 and falls back to its Haswell
# (AVX2) sgemm, half the speed of its SKYLAKEX (AVX-512) kernel there; pick
# the AVX-512 kernel when the CPU has it and the user chose nothing.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
    export OPENBLAS_CORETYPE=SKYLAKEX
fi
echo "== musc (bench/nn_bench.c) =="
"$OUT/nn_bench" 4 256 8 512 8 512 4 | tee "$OUT/musc.txt"
musc2=$(sed -n 's/.*musc_tokens_per_s_2t=\([0-9]*\).*/\1/p' "$OUT/musc.txt")
cpu2=$(sed -n 's/.*cpu_time_estimate_2t=\([0-9]*\).*/\1/p' "$OUT/musc.txt")
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "== PyTorch (bench/nn_torch.py) =="
    /usr/bin/python3 bench/nn_torch.py --threads 2 | tee "$OUT/torch.txt"
    torch2=$(sed -n 's/.*torch_tokens_per_s=\([0-9]*\).*/\1/p' "$OUT/torch.txt")
    echo "ratio musc/PyTorch at 2 threads: $(echo "scale=2; $musc2 / $torch2" | bc) (wall clock)"
else
    echo "PyTorch not importable by /usr/bin/python3: comparing with the figure measured on this"
    echo "machine in DESIGN.md (PyTorch 1.13, same model and batch, 2 threads: ~2500 tokens/s)"
    echo "ratio musc/PyTorch at 2 threads: $(echo "scale=2; $musc2 / 2500" | bc) (wall clock), $(echo "scale=2; $cpu2 / 2500" | bc) (CPU-time estimate)"
fi
