#!/bin/sh
# Train the default melody-harmonization HMM (models/harmonize/hmm.txt) on
# redistributable data only: OpenEWLD (public-domain lead sheets, MIT) and
# POP909 (MIT). Nottingham is kept out of training and used for evaluation.
# Then print the evaluation that models/harmonize/EVAL.md records.
#
#   sh scripts/train-harmonize.sh            # writes models/harmonize/hmm.txt
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
"$MUSC" harmonize eval --method all --model models/harmonize/hmm.txt \
    --data "$DATA/nottingham/ABC_cleaned" --data "$DATA/openewld/dataset" --data "$DATA/pop909/POP909"
