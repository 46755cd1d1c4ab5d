#!/bin/sh
# Instrumentation benchmark: for each model in models/instrument/, the
# test-split accuracy and the inference throughput on one thread (notes per
# second of wall clock and per CPU second: the second is the one to compare
# on a shared machine), and the training wall time from its log.
#
#   sh bench/instrument.sh [MUSC] [DATA] [MODELS]
set -eu
MUSC=${1:-build/musc}
DATA=${2:-../shared/data}
MODELS=${3:-models/instrument}
export OMP_NUM_THREADS=1
printf '| model | test notes | accuracy %% | notes/s (wall) | notes/CPU-s | training wall time |\n'
printf '|---|---:|---:|---:|---:|---|\n'
for ck in "$MODELS"/*.ck; do
    name=$(basename "$ck" .ck)
    case $name in
    bach-*) data=$DATA/music21_corpus/bach ;;
    pop909-*) data=$DATA/pop909/POP909 ;;
    quartet-*) data=$DATA/music21_corpus/beethoven:$DATA/music21_corpus/haydn:$DATA/music21_corpus/mozart:$DATA/music21_corpus/schumann_robert ;;
    *) continue ;;
    esac
    json=$("$MUSC" instrument eval --model "$ck" --data "$data" --json)
    train=$(sed -n 's/^# wall time \(.*\)$/\1/p' "$MODELS/$name.log" 2>/dev/null || true)
    printf '%s\n' "$json" | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
print("| %s | %d | %.2f | %.0f | %.0f | %s |" % (sys.argv[1], j["notes"], j["accuracy"],
      j["notes_per_second"], j["notes_per_cpu_second"], sys.argv[2] or "-"))' "$name" "$train"
done
