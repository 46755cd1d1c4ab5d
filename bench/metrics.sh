#!/bin/sh
# Metrics speed: musc over the 909 POP909 songs (read + every metric), and,
# as the peer, MusPy if Debian's python3 has it, else a plain-Python
# implementation of three MusPy metrics over mido (bench/metrics_mido.py):
# the code a user would otherwise write.
#
# Usage: sh bench/metrics.sh [BUILD_DIR]     (default: build; run `make` first)
# Environment: MUSC_SHARED_DATA (default ../shared/data beside the source),
#              REPEATS (musc passes, best kept; default 5),
#              PEER_REPEATS (default 1), LIMIT (first N files only).
#
# Prints files/s by CPU time and by wall-clock time, and the means of
# pitch_class_entropy, scale_consistency and groove_consistency from both,
# which must agree.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
data=${MUSC_SHARED_DATA:-$root/../shared/data}
. "$root/bench/lib.sh"
python=/usr/bin/python3 # Debian's mido belongs to this interpreter

files=$(bench_pop909_files "$data")
bench_compile metrics_bench -fopenmp

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086 # one argument per file
"$build/metrics_bench" -r "${REPEATS:-5}" $files > "$tmp/musc"
# MusPy is not packaged in Debian and was absent when this was written; say
# so when it turns up, the mido peer still runs
if "$python" -c 'import muspy' 2>/dev/null; then
    echo "bench/metrics.sh: MusPy is importable; a MusPy peer is not wired up yet" >&2
fi
peer="plain Python + mido (3 metrics)"
# shellcheck disable=SC2086
"$python" "$root/bench/metrics_mido.py" -r "${PEER_REPEATS:-1}" $files > "$tmp/peer"

awk -v peer="$peer" '
function field(line, key,    i, n, kv) {
    n = split(line, kv, " ")
    for (i = 2; i <= n; i++)
        if (index(kv[i], key "=") == 1)
            return substr(kv[i], length(key) + 2)
    return ""
}
FNR == 1 { who = (FILENAME ~ /musc$/) ? "musc" : "peer" }
$1 == "means" { means[who] = $0; next }
{ files[who, $1] = field($0, "files"); wall[who, $1] = field($0, "seconds")
  cpu[who, $1] = field($0, "cpu_seconds") }
END {
    print "| task | files | CPU s | files/s (CPU) | wall s | files/s (wall) |"
    print "|---|---:|---:|---:|---:|---:|"
    split("read_metrics metrics_only read_metrics_2t", tasks, " ")
    label["read_metrics"] = "musc: read + all metrics, 1 thread"
    label["metrics_only"] = "musc: all metrics, music in memory, 1 thread"
    label["read_metrics_2t"] = "musc: read + all metrics, 2 threads"
    for (k = 1; k <= 3; k++) {
        t = tasks[k]
        printf "| %s | %d | %.3f | %.0f | %.3f | %.0f |\n", label[t], files["musc", t], cpu["musc", t],
            files["musc", t] / cpu["musc", t], wall["musc", t], files["musc", t] / wall["musc", t]
    }
    t = "read_metrics"
    printf "| %s: read + 3 metrics | %d | %.3f | %.1f | %.3f | %.1f |\n", peer, files["peer", t],
        cpu["peer", t], files["peer", t] / cpu["peer", t], wall["peer", t], files["peer", t] / wall["peer", t]
    printf "\nmusc / peer, read + metrics, 1 thread: %.0fx by CPU time, %.0fx by wall time\n",
        (files["musc", t] / cpu["musc", t]) / (files["peer", t] / cpu["peer", t]),
        (files["musc", t] / wall["musc", t]) / (files["peer", t] / wall["peer", t])
    print "\nmeans over the files (must agree):"
    print "  musc: " substr(means["musc"], 7)
    print "  peer: " substr(means["peer"], 7)
}' "$tmp/musc" "$tmp/peer"
echo
echo "$(echo "$files" | wc -l) POP909 files; musc best of ${REPEATS:-5} passes, peer best of ${PEER_REPEATS:-1}."
