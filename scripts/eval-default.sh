#!/bin/sh
# Evaluate an MMT model as the MMT paper does (Dong et al. 2023, objective
# evaluation): N samples generated unconditionally against N pieces of the
# test split, both cut to their first 64 beats, with MusPy's pitch-class
# entropy, scale consistency and groove consistency (mean +- std and gap).
#
#   sh scripts/eval-default.sh MODEL_DIR SHARD_DIR DATA_ROOT [N] [OUT]
#
# SHARD_DIR/catalogue.sqlite names the test pieces (paths relative to
# DATA_ROOT, the folder `musc dataset build` scanned). Both sides are set to
# MMT's resolution (12 per beat) before measuring, so groove consistency
# compares like with like. Writes OUT/data, OUT/samples, OUT/metrics.json
# and prints the table.
set -eu
MUSC=${MUSC:-build/musc}
MODEL=$1
SHARDS=$2
ROOT=$3
N=${4:-100}
OUT=${5:-/tmp/musc-eval}
SEED=${SEED:-1}
rm -rf "$OUT"
mkdir -p "$OUT/data" "$OUT/samples"

# the first N test pieces in content-hash order (deterministic)
TAB=$(printf '\t')
"$MUSC" dataset query "$SHARDS" "split='test' AND in_shards=1" | tail -n +2 |
    sort -t "$TAB" -k3,3 | cut -f2 | head -n "$N" > "$OUT/test-pieces.txt"
i=0
while IFS= read -r path; do
    i=$((i + 1))
    "$MUSC" convert -q --resolution 12 --trim 0:64 "$ROOT/$path" "$OUT/data/$i.mid"
done < "$OUT/test-pieces.txt"

"$MUSC" generate --model "$MODEL" -o "$OUT/samples/sample.mid" --beats 64 \
    --count "$N" --seed "$SEED" --quiet
for f in "$OUT"/samples/*.mid; do
    "$MUSC" convert -q --force --trim 0:64 "$f" "$f"
done

"$MUSC" metrics --compare "$OUT/data" "$OUT/samples" --json > "$OUT/metrics.json"
"$MUSC" metrics --compare "$OUT/data" "$OUT/samples"
