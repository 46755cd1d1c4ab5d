#!/bin/sh
# Audio rendering benchmark: musc render (mix on one thread, mix on all
# cores, stems in parallel) against the fluidsynth CLI and TiMidity++ on the
# same SoundFont and sample rate. Prints wall seconds (best of N runs), CPU
# seconds and x real time per renderer and input.
#
# usage: bench/audio.sh [MUSC] [RUNS]   (inputs: POP909 001 from
# ../shared/data if present, and a 4-track band piece from band_midi.py)
set -e
MUSC=${1:-build/musc}
RUNS=${2:-3}
SF=${MUSC_BENCH_SOUNDFONT:-/usr/share/sounds/sf2/FluidR3_GM.sf2}
RATE=44100
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
HERE=$(dirname "$0")

inputs=""
POP=$HERE/../../shared/data/pop909/POP909/001/001.mid
[ -f "$POP" ] && inputs="$POP"
/usr/bin/python3 "$HERE/band_midi.py" "$TMP/band4.mid" 96 && inputs="$inputs $TMP/band4.mid"

# best wall time and its CPU time over $RUNS runs of a command
measure() {
    best=""
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f "%e %U %S" -o "$TMP/t" sh -c "$1" >/dev/null 2>&1 || { echo "failed: $1" >&2; return 1; }
        read -r w u s < "$TMP/t"
        if [ -z "$best" ] || [ "$(echo "$w < $best" | bc)" = 1 ]; then
            best=$w
            cpu=$(echo "$u + $s" | bc)
        fi
        i=$((i + 1))
    done
    echo "$best $cpu"
}

printf "%-10s %-28s %8s %8s %8s\n" input renderer wall_s cpu_s x_rt
for mid in $inputs; do
    name=$(basename "$mid" .mid)
    seconds=$("$MUSC" render "$mid" -o "$TMP/probe.wav" --soundfont "$SF" --json --force \
        | sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' | head -1)
    for case in "musc mix 1 thread|$MUSC render $mid -o $TMP/a.wav --soundfont $SF --threads 1 --force -q" \
                "musc mix all cores|$MUSC render $mid -o $TMP/b.wav --soundfont $SF --force -q" \
                "musc mix + stems|rm -rf $TMP/st; $MUSC render $mid -o $TMP/c.wav --soundfont $SF --stems $TMP/st --force -q" \
                "fluidsynth CLI|fluidsynth -ni -R 1 -C 0 -g 0.2 -r $RATE -F $TMP/d.wav $SF $mid" \
                "timidity|timidity -Ow -s $RATE -x 'soundfont $SF' -o $TMP/e.wav $mid"; do
        label=${case%%|*}
        cmd=${case#*|}
        case "$label" in timidity) command -v timidity >/dev/null || continue ;; esac
        r=$(measure "$cmd") || continue
        set -- $r
        printf "%-10s %-28s %8.2f %8.2f %8.1f\n" "$name" "$label" "$1" "$2" "$(echo "$seconds / $1" | bc -l)"
    done
done
echo "($(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); SoundFont $SF; audio seconds from musc's render)"
