#!/bin/sh
# Melody harmonization speed, one thread: decoding throughput (melody notes
# per second, the time spent in musc_harmonize_piece only, best of REPEATS
# passes) for template matching, HMM Viterbi, HMM posterior decoding and the
# shipped BiLSTM (argmax and Viterbi; models/harmonize/bilstm.ck, when
# present) over every POP909 song and every Nottingham tune; and the time to train the
# default HMM (reading OpenEWLD and POP909, counting, tuning the emission
# weight on the valid split, writing the tables).
#
# Usage: sh bench/harmonize.sh [BUILD_DIR]   (default: build; run `make` first)
# Environment: MUSC_SHARED_DATA (default ../shared/data beside the source),
#              REPEATS (default 3).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
data=${MUSC_SHARED_DATA:-$root/../shared/data}
musc=$build/musc
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== training the default HMM (OpenEWLD + POP909), best of ${REPEATS:-3}"
i=0
while [ "$i" -lt "${REPEATS:-3}" ]; do
    "$musc" harmonize train --data "$data/openewld/dataset" --data "$data/pop909/POP909" \
        -o "$tmp/hmm.txt" --force --json -q > /dev/null 2>&1 || true
    /usr/bin/time -f "%e s wall, %U s user" "$musc" harmonize train --data "$data/openewld/dataset" \
        --data "$data/pop909/POP909" -o "$tmp/hmm.txt" --force --json 2>>"$tmp/train_time" \
        | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print("train: %d pieces, %d frames, %.2f s" % (d["train_pieces"], d["train_frames"], d["seconds"]))'
    i=$((i + 1))
done
grep -v "pieces with chords" "$tmp/train_time" || true

for corpus in pop909/POP909 nottingham/ABC_cleaned; do
    echo "== decoding $corpus (all splits), best of ${REPEATS:-3}"
    i=0
    while [ "$i" -lt "${REPEATS:-3}" ]; do
        if [ -f "$root/models/harmonize/bilstm.ck" ]; then
            set -- --model "$root/models/harmonize/bilstm.ck"
        else
            set --
        fi
        "$musc" harmonize eval --method all --model "$tmp/hmm.txt" "$@" --data "$data/$corpus" \
            --split all --json > "$tmp/eval$i.json"
        i=$((i + 1))
    done
    /usr/bin/python3 - "$tmp" "${REPEATS:-3}" <<'PY'
import json, sys
tmp, n = sys.argv[1], int(sys.argv[2])
runs = [json.load(open(f"{tmp}/eval{i}.json"))["datasets"][0] for i in range(n)]
d = runs[0]
print(f"{d['pieces']} pieces, {d['notes']} notes, {d['frames']} frames")
for m in ("template", "hmm", "hmm-posterior", "bilstm", "bilstm-viterbi", "bilstm-prior"):
    if m not in d["methods"]:
        continue
    best = max(r["methods"][m]["notes_per_second"] for r in runs)
    print(f"  {m:14s} {best:12.0f} notes/s  ({best * d['frames'] / d['notes']:.0f} frames/s)")
PY
done
