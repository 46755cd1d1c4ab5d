#!/bin/sh
# Train the default melody-harmonization HMM (models/harmonize/hmm.txt) and
# BiLSTM (models/harmonize/bilstm.ck, with its training log bilstm-log.csv)
# on redistributable data only: OpenEWLD (public-domain lead sheets, MIT)
# and POP909 (MIT). Nottingham is kept out of training and used for
# evaluation. Then print the evaluation that models/harmonize/EVAL.md records.
#
#   sh scripts/train-harmonize.sh            # writes both models
#   SKIP_BILSTM=1 sh scripts/train-harmonize.sh   # the HMM only (seconds)
#   DATA=/path/to/shared/data sh scripts/train-harmonize.sh
set -eu
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
MUSC=${MUSC:-build/musc}
[ -x "$MUSC" ] || { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build -j2 --target musc; }
mkdir -p models/harmonize
"$MUSC" harmonize train \
    --data "$DATA/openewld/dataset" --data "$DATA/pop909/POP909" \
    -o models/harmonize/hmm.txt --force
# The BiLSTM: one thread (about 15 minutes of CPU), deterministic for the seed.
if [ -z "${SKIP_BILSTM:-}" ]; then
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$MUSC" harmonize train --method bilstm \
        --data "$DATA/openewld/dataset" --data "$DATA/pop909/POP909" \
        --layers 2 --hidden 64 --steps 4000 --eval-every 200 --aux 0.5 --seed 1 \
        --log models/harmonize/bilstm-log.csv -o models/harmonize/bilstm.ck --force
fi
"$MUSC" harmonize eval --method all --model models/harmonize/hmm.txt --model models/harmonize/bilstm.ck \
    --data "$DATA/nottingham/ABC_cleaned" --data "$DATA/openewld/dataset" --data "$DATA/pop909/POP909"
