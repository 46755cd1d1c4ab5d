#!/bin/sh
# Dataset build benchmark: all of POP909 -> MMT shards on 1 and 2 threads.
# usage: sh bench/dataset.sh [MUSC_BINARY] [POP909_DIR] [RUNS]
# Prints the best of RUNS (default 3) wall-clock times per thread count.
set -eu
MUSC=${1:-build/musc}
SRC=${2:-$(dirname "$0")/../../shared/data/pop909}
RUNS=${3:-3}
[ -x "$MUSC" ] || { echo "bench/dataset.sh: $MUSC not built (make)" >&2; exit 1; }
[ -d "$SRC" ] || { echo "bench/dataset.sh: SKIP: $SRC not found" >&2; exit 0; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM

files=$(find "$SRC" -type f \( -name '*.mid' -o -name '*.midi' \) | wc -l)
echo "POP909 -> MMT shards: $files MIDI files from $SRC"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# Wall time depends on what else runs on the machine, so CPU time (user +
# sys, from /usr/bin/time) is printed beside it with the load average.
for jobs in 1 2; do
    best=""
    cpu=""
    for run in $(seq "$RUNS"); do
        rm -rf "$TMP/out"
        /usr/bin/time -f '%e %U %S' -o "$TMP/time" \
            "$MUSC" dataset build "$SRC" -o "$TMP/out" --repr mmt --jobs "$jobs" --quiet
        read -r t u s < "$TMP/time"
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then
            best=$t
            cpu=$(echo "$u + $s" | bc -l)
        fi
    done
    printf 'jobs %d: %.2f s wall, %.0f files/s, %.2f s CPU (best of %d; load %s)\n' "$jobs" \
        "$best" "$(echo "$files / $best" | bc -l)" "$cpu" "$RUNS" "$(cut -d' ' -f1 /proc/loadavg)"
done
"$MUSC" dataset stats "$TMP/out" | sed -n '1,5p'
