#!/bin/sh
# make demo: the main job, then a tour of the toolkit.
#   sh scripts/demo.sh [PATH/TO/musc]     (writes into demo-out/)
# Main job: generate a short piece with the bundled model (models/default,
# a Multitrack Music Transformer that musc trained itself; recipe in
# scripts/train-default.sh) and write it as MIDI, WAV and a piano-roll
# picture, with its metrics. Tour: compose a piece in C, describe it,
# convert it to MusPy JSON and back to MIDI and check that the round trip
# kept everything `musc info` reports. Exits nonzero on any failure.
set -eu

BIN=${1:-build/musc}
OUT=demo-out

if [ ! -x "$BIN" ]; then
    echo "demo: no musc binary at $BIN (run 'make' first)" >&2
    exit 1
fi
mkdir -p "$OUT"

step() { printf '\n==> %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

MODEL=${MUSC_MODEL:-models/default}
SEED=${MUSC_SEED:-7}
step "generate 32 beats with the bundled MMT model ($MODEL, seed $SEED)"
run "$BIN" generate --model "$MODEL" -o "$OUT/generated.mid" --beats 32 --seed "$SEED" --force
run "$BIN" info "$OUT/generated.mid"
run "$BIN" render "$OUT/generated.mid" -o "$OUT/generated.wav" --normalize --force
run "$BIN" plot "$OUT/generated.mid" -o "$OUT/generated.png" --force
run "$BIN" metrics "$OUT/generated.mid"

step "compose a 4-track piece in C (piano, bass, melody, drums)"
run "$BIN" example -o "$OUT/example.mid" --force

step "describe it"
run "$BIN" info "$OUT/example.mid"

step "MIDI -> MusPy JSON -> MIDI"
run "$BIN" convert "$OUT/example.mid" "$OUT/example.json" --force
run "$BIN" convert "$OUT/example.json" "$OUT/roundtrip.mid" --force

step "machine-readable description of the round trip"
printf '$ %s\n' "$BIN info --json $OUT/roundtrip.mid"
"$BIN" info --json "$OUT/roundtrip.mid" > "$OUT/roundtrip-info.json"
cat "$OUT/roundtrip-info.json"

step "check the round trip"
"$BIN" info --json "$OUT/example.mid" > "$OUT/example-info.json"
# Everything but the file name must match: counts, tracks, tempos, keys, meters.
grep -v '^  "file"' "$OUT/example-info.json" > "$OUT/example-info.cmp"
grep -v '^  "file"' "$OUT/roundtrip-info.json" > "$OUT/roundtrip-info.cmp"
if ! diff -u "$OUT/example-info.cmp" "$OUT/roundtrip-info.cmp"; then
    echo "demo: FAILED: the MIDI -> JSON -> MIDI round trip changed the music" >&2
    exit 1
fi
field() { sed -n "s/^  \"$1\": \\([0-9]*\\),*\$/\\1/p" "$2"; }
notes=$(field n_notes "$OUT/example-info.json")
tracks=$(field n_tracks "$OUT/example-info.json")
if [ -z "$notes" ] || [ "$notes" -eq 0 ]; then
    echo "demo: FAILED: no notes in the example" >&2
    exit 1
fi
echo "round trip ok: $tracks tracks, $notes notes, same tempos and signatures"

step "process while converting: 96 ticks per quarter, sixteenth grid, up a whole tone"
run "$BIN" convert "$OUT/example.mid" "$OUT/example-up2.mid" --resolution 96 --quantize 1/16 --transpose 2 --force
run "$BIN" info "$OUT/example-up2.mid"

step "hear it: render the piece to audio with a General MIDI SoundFont, normalized to -14 LUFS"
run "$BIN" render "$OUT/example.mid" -o "$OUT/example.wav" --normalize --force

step "look at it: a multitrack piano roll, and the standard metrics"
run "$BIN" plot "$OUT/example.mid" -o "$OUT/example.png" --force
run "$BIN" metrics "$OUT/example.mid"

printf '\ndemo ok: files in %s/\n' "$OUT"
