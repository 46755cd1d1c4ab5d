#!/bin/sh
# MIDI reading and writing speed: musc against mido over the 909 POP909 songs.
#
# Usage: sh bench/midi.sh [BUILD_DIR]     (default: build; run `make` first)
# Environment: MUSC_SHARED_DATA (default ../shared/data beside the source),
#              REPEATS (musc passes, best kept; default 5),
#              MIDO_REPEATS (default 1: mido takes about half a minute a pass),
#              LIMIT (use only the first N files, for a quick look).
#
# Prints a Markdown table: files/s and MB/s (1 MB = 10^6 bytes) of each
# library and the musc/mido ratio, for reading whole files (open + read +
# parse), parsing from memory, and writing to memory. Both are single
# threaded, so MB/s is per core. Times are wall clock, best of the passes.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
data=${MUSC_SHARED_DATA:-$root/../shared/data}
. "$root/bench/lib.sh"
python=/usr/bin/python3 # Debian's mido belongs to this interpreter

files=$(bench_pop909_files "$data")

bench_compile midi_bench

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086 # one argument per file
"$build/midi_bench" -r "${REPEATS:-5}" $files > "$tmp/musc"
# shellcheck disable=SC2086
"$python" "$root/bench/midi_mido.py" -r "${MIDO_REPEATS:-1}" $files > "$tmp/mido"

awk '
function field(line, key,    i, n, kv) {
    n = split(line, kv, " ")
    for (i = 2; i <= n; i++)
        if (index(kv[i], key "=") == 1)
            return substr(kv[i], length(key) + 2)
    return 0
}
FNR == 1 { who = (FILENAME ~ /musc$/) ? "musc" : "mido" }
{
    name = $1
    if (!(name in order)) { order[name] = ++rows; names[rows] = name }
    files[who, name] = field($0, "files"); bytes[who, name] = field($0, "bytes")
    wall[who, name] = field($0, "seconds"); cpu[who, name] = field($0, "cpu_seconds")
}
function table(title, secs_musc, secs_mido,    r, n, mf, mb, pf, pb) {
    print "**" title "**"
    print ""
    print "| task | musc files/s | musc MB/s | mido files/s | mido MB/s | musc / mido |"
    print "|---|---:|---:|---:|---:|---:|"
    for (r = 1; r <= rows; r++) {
        n = names[r]
        mf = files["musc", n] / secs_musc[n]; mb = bytes["musc", n] / secs_musc[n] / 1e6
        pf = files["mido", n] / secs_mido[n]; pb = bytes["mido", n] / secs_mido[n] / 1e6
        printf "| %s | %.0f | %.1f | %.1f | %.2f | %.0fx |\n", label[n], mf, mb, pf, pb, mf / pf
    }
    print ""
}
END {
    label["read_file"] = "read file (open + read + parse)"
    label["parse_mem"] = "parse from memory"
    label["write_mem"] = "write to memory (MB = bytes written)"
    for (r = 1; r <= rows; r++) {
        n = names[r]; cm[n] = cpu["musc", n]; cp[n] = cpu["mido", n]
        wm[n] = wall["musc", n]; wp[n] = wall["mido", n]
    }
    table("CPU time of the process (one thread, so per core)", cm, cp)
    table("Wall-clock time (best pass)", wm, wp)
}' "$tmp/musc" "$tmp/mido"
echo "$(echo "$files" | wc -l) POP909 files, $(cat $files | wc -c) bytes; musc best of ${REPEATS:-5} passes, mido best of ${MIDO_REPEATS:-1}."
