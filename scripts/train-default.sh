#!/bin/sh
# Reproduce models/default, the MMT model that `make demo` and
# `musc generate` use by default.
#
#   sh scripts/train-default.sh [WORK_DIR]       (default /tmp/musc-default)
#
# 1. Stage the redistributable training data (../shared/data/README.md:
#    POP909 (MIT), OpenEWLD (MIT, public-domain scores) and the Bach
#    chorales' MusicXML files from music21_corpus/bach) as a folder of
#    symbolic links, so that one `musc dataset build` scans exactly them.
# 2. Build MMT shards (content-hash 8:1:1 split, duplicates dropped).
# 3. Train the `small` preset (4 layers, 256 wide, 8 heads, d_ff 1024,
#    512 rows, 3.55 M parameters) for 2,400 steps of 8 x 513 rows on one
#    thread (the run that made the committed model took 3,926 s, about 65 minutes
#    on a 2-vCPU AMD EPYC), seed 1, MMT's transposition augmentation -5..6.
# 4. Copy the best checkpoint (lowest validation loss), the config and the
#    training log into models/default.
# Then `sh scripts/eval-default.sh models/default WORK_DIR/shards
# WORK_DIR/data` measures it against the test split.
set -eu
cd "$(dirname "$0")/.."
MUSC=${MUSC:-build/musc}
DATA=${MUSC_SHARED_DATA:-../shared/data}
WORK=${1:-/tmp/musc-default}
DATA=$(cd "$DATA" && pwd)

rm -rf "$WORK/data"
mkdir -p "$WORK/data"
cp -rs "$DATA/pop909" "$WORK/data/pop909"
cp -rs "$DATA/openewld" "$WORK/data/openewld"
(cd "$DATA/music21_corpus" &&
    find bach -type f \( -name '*.mxl' -o -name '*.xml' -o -name '*.musicxml' \) | sort) |
    while IFS= read -r f; do
        mkdir -p "$WORK/data/$(dirname "$f")"
        ln -s "$DATA/music21_corpus/$f" "$WORK/data/$f"
    done

"$MUSC" dataset build "$WORK/data" -o "$WORK/shards" --repr mmt --jobs 2 --force --quiet
"$MUSC" dataset stats "$WORK/shards"

"$MUSC" train --data "$WORK/shards" -o "$WORK/model" --force --preset small --steps 2400 \
    --threads 1 --seed 1 --valid-every 200 --valid-batches 10 --ckpt-every 100 --quiet

mkdir -p models/default
cp "$WORK/model/best.ckpt" models/default/model.ckpt
cp "$WORK/model/config.json" "$WORK/model/log.csv" models/default/
