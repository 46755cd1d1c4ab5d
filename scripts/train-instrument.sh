#!/bin/sh
# Train the default instrumentation models shipped in models/instrument/ and
# write each one's training log beside it. Only redistributable data: the
# music21 Bach chorale MusicXML files and POP909 (MIT). One thread, as
# measured in models/instrument/EVAL.md.
#
#   scripts/train-instrument.sh [MUSC] [DATA] [OUT]
set -eu
MUSC=${1:-build/musc}
DATA=${2:-../shared/data}
OUT=${3:-models/instrument}
BACH=$DATA/music21_corpus/bach
POP=$DATA/pop909/POP909
export OMP_NUM_THREADS=1
mkdir -p "$OUT"

train() { # name data dataset model [options]
    name=$1 data=$2 ds=$3 model=$4
    shift 4
    rm -f "$OUT/$name.log"
    echo "# $MUSC instrument train --data $data --dataset $ds --model $model $* -o $OUT/$name.ck" >"$OUT/$name.log"
    start=$(date +%s)
    "$MUSC" instrument train --data "$data" --dataset "$ds" --model "$model" "$@" \
        -o "$OUT/$name.ck" --force --quiet --log "$OUT/$name.log"
    echo "# wall time $(( $(date +%s) - start )) s" >>"$OUT/$name.log"
}

case "${ONLY:-all}" in all|bach-baselines)
    train bach-zone "$BACH" bach zone
    train bach-closest "$BACH" bach closest ;;
esac
case "${ONLY:-all}" in all|bach-lstm)
    train bach-lstm "$BACH" bach lstm --steps 500 --batch 8 --lr 0.005 --eval-every 50 ;;
esac
case "${ONLY:-all}" in all|bach-bilstm)
    train bach-bilstm "$BACH" bach bilstm --steps 500 --batch 8 --lr 0.005 --eval-every 50 ;;
esac
case "${ONLY:-all}" in all|pop909-baselines)
    train pop909-zone "$POP" pop909 zone
    train pop909-closest "$POP" pop909 closest ;;
esac
case "${ONLY:-all}" in all|pop909-lstm)
    train pop909-lstm "$POP" pop909 lstm --steps 2000 --batch 16 --lr 0.005 --eval-every 250 --transpose ;;
esac
case "${ONLY:-all}" in all|pop909-bilstm)
    train pop909-bilstm "$POP" pop909 bilstm --steps 2000 --batch 16 --lr 0.005 --eval-every 250 --transpose ;;
esac
case "${ONLY:-all}" in all|bach-transformer)
    # 3 pre-LN encoder layers x 96 wide, 4 heads, FFN 384; window 256 notes
    train bach-transformer "$BACH" bach transformer --steps 3000 --batch 16 --lr 0.002 --eval-every 250 ;;
esac
