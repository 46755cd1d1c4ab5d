#!/bin/sh
# Training throughput of the MMT model, musc vs PyTorch (CPU), for the same
# model and batch: the small preset (4 layers, 256 wide, 8 heads, FFN 1024,
# dropout 0.1, MMT's six fields), batch 8 x 512 input rows, Adam + clip.
# usage: sh bench/mmt_train.sh [BUILD_DIR]   (after `make`)
#        PRESET=mmt B=8 T=1024 for the paper's size (slow)
set -e
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
PRESET=${PRESET:-small}
B=${B:-8}
T=${T:-512}
STEPS=${STEPS:-4}
PKGS="jansson zlib libxml-2.0 libzip fluidsynth sndfile libebur128 sqlite3 cairo openblas"
cc -O2 -fopenmp -Iinclude $(pkg-config --cflags openblas) bench/mmt_train_bench.c \
   "$BUILD/libmusc.a" $(pkg-config --libs $PKGS) -lm -o "$OUT/mmt_train_bench"
case $PRESET in
    small) TORCH_ARGS="--layers 4 --width 256 --heads 8 --ffn 1024 --dropout 0.1" ;;
    mmt) TORCH_ARGS="--layers 6 --width 512 --heads 8 --ffn 2048 --dropout 0.2" ;;
    *) echo "PRESET small or mmt" >&2; exit 2 ;;
esac
echo "== musc (bench/mmt_train_bench.c), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} =="
"$OUT/mmt_train_bench" "$PRESET" "$B" "$T" "$STEPS" | tee "$OUT/musc.txt"
if [ -z "${SKIP_SKYLAKEX:-}" ] && grep -qw avx512f /proc/cpuinfo 2>/dev/null &&
   [ "${OPENBLAS_CORETYPE:-}" != SKYLAKEX ]; then
    echo "== musc with OPENBLAS_CORETYPE=SKYLAKEX (OpenBLAS's AVX-512 kernel) =="
    OPENBLAS_CORETYPE=SKYLAKEX "$OUT/mmt_train_bench" "$PRESET" "$B" "$T" "$STEPS" | tee "$OUT/musc-skx.txt"
fi
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "PyTorch is not importable by /usr/bin/python3 (sh scripts/deps-bench.sh installs it)"
    exit 0
fi
echo "== PyTorch (bench/mmt_torch.py), 2 threads =="
/usr/bin/python3 bench/mmt_torch.py $TORCH_ARGS --T "$T" --B "$B" --steps "$STEPS" --threads 2 | tee "$OUT/torch.txt"
get() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$2"; }
t2=$(get torch_tokens_per_s "$OUT/torch.txt")
tc=$(get torch_cpu_time_estimate "$OUT/torch.txt")
m2=$(get musc_tokens_per_s_2t "$OUT/musc.txt")
mc=$(get cpu_time_estimate_2t "$OUT/musc.txt")
echo "ratio musc/PyTorch at 2 threads: $(echo "scale=2; $m2 / $t2" | bc) (wall clock), $(echo "scale=2; $mc / $tc" | bc) (CPU-time estimate)"
if [ -f "$OUT/musc-skx.txt" ]; then
    s2=$(get musc_tokens_per_s_2t "$OUT/musc-skx.txt")
    sc=$(get cpu_time_estimate_2t "$OUT/musc-skx.txt")
    echo "ratio musc (SKYLAKEX)/PyTorch at 2 threads: $(echo "scale=2; $s2 / $t2" | bc) (wall clock), $(echo "scale=2; $sc / $tc" | bc) (CPU-time estimate)"
fi
