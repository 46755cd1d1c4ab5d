"""The peer a user would otherwise write: three MusPy metrics
(pitch_class_entropy, scale_consistency, groove_consistency with a 4-beat
measure) in plain Python over notes read with mido. MusPy itself is not
installed here. Same output format as metrics_bench.c: one timing line
(read + metrics, best of -r passes) and one line of means.

Usage: /usr/bin/python3 metrics_mido.py [-r REPEATS] FILE...
"""
import math
import sys
import time

import mido

MAJOR = {0, 2, 4, 5, 7, 9, 11}
MINOR = {0, 2, 3, 5, 7, 8, 10}


def read_notes(path):
    """(notes, length, resolution): notes as (start, end, pitch, is_drum),
    note-offs paired first-in first-out per (track, channel, pitch), as MusPy;
    length counts note ends and control changes (MusPy keeps those)."""
    mid = mido.MidiFile(path)
    notes, length = [], 0
    for track in mid.tracks:
        t, open_notes = 0, {}
        for msg in track:
            t += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                open_notes.setdefault((msg.channel, msg.note), []).append(t)
            elif msg.type in ("note_off", "note_on"):
                starts = open_notes.get((msg.channel, msg.note))
                if starts:
                    notes.append((starts.pop(0), t, msg.note, msg.channel == 9))
                    length = max(length, t)
            elif msg.type == "control_change":
                length = max(length, t)
        for (channel, pitch), starts in open_notes.items():
            for s in starts:  # closed at the end of the track
                notes.append((s, t, pitch, channel == 9))
                length = max(length, t)
    return notes, length, mid.ticks_per_beat


def pitch_class_entropy(notes):
    counts = [0] * 12
    for _, _, p, drum in notes:
        if not drum:
            counts[p % 12] += 1
    total = sum(counts)
    if not total:
        return math.nan
    return -sum(c / total * math.log2(c / total) for c in counts if c)


def scale_consistency(notes):
    pcs = [p % 12 for _, _, p, drum in notes if not drum]
    if not pcs:
        return math.nan
    best = 0.0
    for scale in (MAJOR, MINOR):
        for root in range(12):
            rate = sum((pc - root) % 12 in scale for pc in pcs) / len(pcs)
            best = max(best, rate)
    return best


def groove_consistency(notes, length, measure):
    n_measures = length // measure + 1
    if n_measures < 2:
        return math.nan
    groove = [set() for _ in range(n_measures)]
    for start, _, _, _ in notes:
        groove[start // measure].add(start % measure)
    hamming = sum(len(groove[i] ^ groove[i + 1]) for i in range(n_measures - 1))
    return 1 - hamming / (measure * (n_measures - 1))


def main():
    args = sys.argv[1:]
    repeats = 1
    if args[:1] == ["-r"]:
        repeats, args = int(args[1]), args[2:]
    best, values = None, []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        values = []
        for path in args:
            notes, length, res = read_notes(path)
            values.append((pitch_class_entropy(notes), scale_consistency(notes),
                           groove_consistency(notes, length, 4 * res)))
        w, c = time.perf_counter() - w, time.process_time() - c
        if best is None or w < best[0]:
            best = (w, c)
    print("read_metrics files=%d seconds=%.6f cpu_seconds=%.6f" % (len(args), best[0], best[1]))
    means = []
    for j in range(3):
        vs = [v[j] for v in values if not math.isnan(v[j])]
        means.append(sum(vs) / len(vs))
    print("means pitch_class_entropy=%.12f scale_consistency=%.12f groove_consistency=%.12f"
          % tuple(means))


if __name__ == "__main__":
    main()
