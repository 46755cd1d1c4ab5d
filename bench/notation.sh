#!/bin/bash
# MusicXML and ABC reading speed: musc against MuseScore 3 and abc2midi.
#
# Usage: bash bench/notation.sh [BUILD_DIR]     (default: build; run `make` first)
# Environment: MUSC_SHARED_DATA (default ../shared/data beside the source),
#              REPEATS (musc and abc2midi passes, best kept; default 3),
#              MS_EVERY (MuseScore converts every Nth MusicXML file; default 8,
#                        as it takes about a second a file).
#
# Inputs: the Bach chorales (music21_corpus/bach, .mxl), the OpenEWLD lead
# sheets (openewld/dataset, .mxl) and the 14 Nottingham ABC books
# (nottingham/ABC_cleaned). Debian has no music21 package, so the MusicXML
# peer is what a user of Debian would run: MuseScore 3's command-line
# conversion to MIDI (`mscore3 -j job.json`, one process for all files; its
# start-up is timed separately with a one-file job and subtracted). The ABC
# peer is abc2midi converting each whole book to one MIDI file per tune.
# musc is timed reading (parse into the object model) and converting (read
# + write a MIDI file per score or tune with plain stdio, as the peers do;
# `musc convert` also fsyncs each file), single threaded.
#
# Prints a Markdown table: files/s and MB/s (1 MB = 10^6 input bytes) by
# CPU time of the process (user + system for the peers) and by wall clock.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
data=${MUSC_SHARED_DATA:-$root/../shared/data}
repeats=${REPEATS:-3}
every=${MS_EVERY:-8}

. "$root/bench/lib.sh"
for d in music21_corpus/bach openewld/dataset nottingham/ABC_cleaned; do
    if [ ! -d "$data/$d" ]; then
        echo "bench/notation.sh: $data/$d not found" >&2
        exit 1
    fi
done
bench_compile notation_bench

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find "$data/music21_corpus/bach" -name '*.mxl' | sort > "$tmp/bach.list"
find "$data/openewld/dataset" -name '*.mxl' | sort > "$tmp/openewld.list"
find "$data/nottingham/ABC_cleaned" -name '*.abc' | sort > "$tmp/abc.list"

bytes_of() { tr '\n' '\0' < "$1" | xargs -0 cat | wc -c; }

# "NAME files=N bytes=B seconds=S cpu_seconds=C" for one timed command
timed() { # name files bytes command...
    local name=$1 files=$2 bytes=$3
    shift 3
    /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@" > /dev/null 2>&1 || true
    read -r wall user sys < <(tail -n 1 "$tmp/time")
    echo "$name files=$files bytes=$bytes seconds=$wall cpu_seconds=$(echo "$user + $sys" | bc)"
}

results=$tmp/results
: > "$results"
for set in bach openewld abc; do
    "$build/notation_bench" -r "$repeats" -o "$tmp" "$tmp/$set.list" |
        sed "s/^/musc_${set}_/" >> "$results"
    rm -f "$tmp"/bench-*.mid
done

if command -v mscore3 > /dev/null; then
    for set in bach openewld; do
        # MuseScore refuses .mxl files whose container.xml is not well formed
        # XML; OpenEWLD writes those for titles with an apostrophe, so the
        # sample leaves such files out
        grep -v "'" "$tmp/$set.list" | awk -v n="$every" 'NR % n == 1' > "$tmp/$set.ms"
        mkdir -p "$tmp/ms"
        awk -v out="$tmp/ms" 'BEGIN { printf "[" }
            { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); printf "%s{\"in\": \"%s\", \"out\": \"%s/%d.mid\"}\n", (NR > 1 ? "," : ""), $0, out, NR }
            END { print "]" }' "$tmp/$set.ms" > "$tmp/job.json"
        head -n 1 "$tmp/$set.ms" > "$tmp/one.ms"
        awk -v out="$tmp/ms" 'BEGIN { printf "[" } { gsub(/"/, "\\\""); printf "{\"in\": \"%s\", \"out\": \"%s/one.mid\"}", $0, out } END { print "]" }' \
            "$tmp/one.ms" > "$tmp/one.json"
        export QT_QPA_PLATFORM=offscreen
        timed "ms_${set}_start" 1 "$(bytes_of "$tmp/one.ms")" mscore3 -j "$tmp/one.json"
        timed "ms_${set}_convert" "$(wc -l < "$tmp/$set.ms")" "$(bytes_of "$tmp/$set.ms")" \
            mscore3 -j "$tmp/job.json"
        made=$(ls "$tmp/ms" | grep -cv one.mid || true)
        echo "ms_${set}_made files=$made" >> "$results"
        rm -rf "$tmp/ms"
    done >> "$results"
else
    echo "bench/notation.sh: mscore3 not found; MuseScore rows left out" >&2
fi

if command -v abc2midi > /dev/null; then
    mkdir -p "$tmp/abc"
    tr '\n' '\0' < "$tmp/abc.list" | xargs -0 cp -t "$tmp/abc"
    cat > "$tmp/abc2midi.sh" << 'EOF'
cd "$1" && for f in *.abc; do abc2midi "$f" -silent > /dev/null 2>&1 || true; done
EOF
    best=""
    for r in $(seq "$repeats"); do
        line=$(timed abc2midi_abc "$(wc -l < "$tmp/abc.list")" "$(bytes_of "$tmp/abc.list")" \
            sh "$tmp/abc2midi.sh" "$tmp/abc")
        s=$(echo "$line" | sed 's/.*seconds=\([0-9.]*\) .*/\1/')
        if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then best=$s; keep=$line; fi
    done
    echo "$keep tunes=$(ls "$tmp/abc"/*.mid | wc -l)" >> "$results"
else
    echo "bench/notation.sh: abc2midi not found; its row left out" >&2
fi

echo "raw measurements:"
sed 's/^/    /' "$results"
echo
awk '
function field(line, key,    i, n, kv) {
    n = split(line, kv, " ")
    for (i = 2; i <= n; i++)
        if (index(kv[i], key "=") == 1)
            return substr(kv[i], length(key) + 2) + 0
    return 0
}
{ f[$1] = field($0, "files"); b[$1] = field($0, "bytes"); w[$1] = field($0, "seconds")
  c[$1] = field($0, "cpu_seconds"); t[$1] = field($0, "tunes") }
function row(label, key, secs, files, bytes) {
    if (secs <= 0) return
    printf "| %s | %d | %.1f | %.2f |\n", label, files, files / secs, bytes / secs / 1e6
    rate[key] = files / secs
}
function table(title, col,    s, k, set, names) {
    print "**" title "**"
    print ""
    print "| reader | files | files/s | MB/s |"
    print "|---|---:|---:|---:|"
    split("bach openewld", names, " ")
    for (k = 1; k <= 2; k++) {
        set = names[k]
        s = col == "cpu" ? c["musc_" set "_read"] : w["musc_" set "_read"]
        row("musc read, " set, "mr" set, s, f["musc_" set "_read"], b["musc_" set "_read"])
        s = col == "cpu" ? c["musc_" set "_convert"] : w["musc_" set "_convert"]
        row("musc read + write MIDI, " set, "mc" set, s, f["musc_" set "_convert"], b["musc_" set "_convert"])
        if (("ms_" set "_convert") in f) {
            s = col == "cpu" ? c["ms_" set "_convert"] - c["ms_" set "_start"] : w["ms_" set "_convert"] - w["ms_" set "_start"]
            row("MuseScore 3 to MIDI (start-up subtracted), " set, "ms" set, s, f["ms_" set "_convert"], b["ms_" set "_convert"])
            printf "| ratio musc convert / MuseScore, %s | | %.0fx | |\n", set, rate["mc" set] / rate["ms" set]
        }
    }
    s = col == "cpu" ? c["musc_abc_read"] : w["musc_abc_read"]
    row("musc read, Nottingham books (" t["musc_abc_read"] " tunes)", "mra", s, f["musc_abc_read"], b["musc_abc_read"])
    s = col == "cpu" ? c["musc_abc_convert"] : w["musc_abc_convert"]
    row("musc read + write MIDI, Nottingham", "mca", s, f["musc_abc_convert"], b["musc_abc_convert"])
    if ("abc2midi_abc" in f) {
        s = col == "cpu" ? c["abc2midi_abc"] : w["abc2midi_abc"]
        row("abc2midi, Nottingham (" t["abc2midi_abc"] " MIDI files)", "aa", s, f["abc2midi_abc"], b["abc2midi_abc"])
        printf "| ratio musc convert / abc2midi | | %.1fx | |\n", rate["mca"] / rate["aa"]
    }
    print ""
}
END {
    table("CPU time of the process (one thread, so per core)", "cpu")
    table("Wall-clock time (best pass)", "wall")
}' "$results"
echo "musc and abc2midi best of $repeats passes; MuseScore one pass over every ${every}th MusicXML file."
