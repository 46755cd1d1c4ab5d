#!/bin/sh
# MMT sampling speed (notes/s) and peak memory of training and generation.
# Sampling: the paper's config (6 layers, 512 wide, 8 heads, 1024 rows) and
# the small preset (4 x 256, 512 rows), random weights, batch 1, 1 and 2
# threads, with the KV cache and without it (the whole sequence recomputed
# per row, as MMT's reference code does). Memory: `/usr/bin/time -v` of
# `musc generate` and of a few `musc train` steps on a small POP909 dataset.
# usage: sh bench/mmt_sample.sh [BUILD_DIR]   (after `make`)
#        NOTES (default 1000) notes per cached run, NOCACHE_NOTES (default 200)
set -e
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
NOTES=${NOTES:-1000}
NOCACHE_NOTES=${NOCACHE_NOTES:-200}
PKGS="jansson zlib libxml-2.0 libzip fluidsynth sndfile libebur128 sqlite3 cairo openblas"
cc -O2 -fopenmp -Iinclude bench/mmt_sample_bench.c "$BUILD/libmusc.a" \
   $(pkg-config --libs $PKGS) -lm -o "$OUT/mmt_sample_bench"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
echo "== sampling =="
for preset in mmt small; do
    for threads in 1 2; do
        "$OUT/mmt_sample_bench" $preset "$NOTES" $threads 1 2
        "$OUT/mmt_sample_bench" $preset "$NOCACHE_NOTES" $threads 1 2
        "$OUT/mmt_sample_bench" $preset "$NOCACHE_NOTES" $threads 0 1
    done
done
echo "== peak memory =="
DATA=${MMT_BENCH_DATA:-}
if [ -z "$DATA" ]; then
    mkdir -p "$OUT/src"
    for d in $(seq -w 1 60); do
        f=../shared/data/pop909/POP909/0$d/0$d.mid
        [ -f "$f" ] && cp "$f" "$OUT/src/"
    done
    "$BUILD/musc" dataset build "$OUT/src" -o "$OUT/data" --repr mmt -q --force
    DATA="$OUT/data"
fi
rss() { sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$1"; }
for preset in small mmt; do
    /usr/bin/time -v "$BUILD/musc" train --data "$DATA" -o "$OUT/model-$preset" --preset $preset \
        --steps 2 --batch 8 --valid-every 0 --threads 2 -q 2> "$OUT/train-$preset.txt"
    /usr/bin/time -v "$BUILD/musc" generate --model "$OUT/model-$preset" -o "$OUT/gen-$preset.mid" \
        --notes 500 --threads 1 -q 2> "$OUT/gen-$preset.txt"
    echo "RESULT preset=$preset train_peak_rss_mb=$(( $(rss "$OUT/train-$preset.txt") / 1024 )) generate_peak_rss_mb=$(( $(rss "$OUT/gen-$preset.txt") / 1024 ))"
done
