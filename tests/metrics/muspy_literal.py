"""MusPy v0.5's metric definitions written out literally with numpy (a dense
boolean piano roll, per-beat and per-measure arrays), over a musc JSON file.
Used by test_metrics_numpy.c to check musc's sweep-based implementation
value for value. Our own code from MusPy's documented definitions; run with
Debian's /usr/bin/python3 (python3-numpy). Prints one JSON object."""
import json
import math
import sys

import numpy as np


def main(path, measure_resolution=None):
    d = json.load(open(path))
    res = d["resolution"]
    tracks = d["tracks"]
    mres = measure_resolution or 4 * res
    ends = []
    for t in tracks:
        e = 0
        for n in t.get("notes", []):
            e = max(e, n["time"] + n["duration"])
        for key in ("lyrics", "annotations", "musc_controls"):  # MusPy reads CCs as annotations
            for x in t.get(key, []):
                e = max(e, x["time"])
        ends.append(e)
    length = max(ends) if ends else 0
    pitched = [n for t in tracks if not t["is_drum"] for n in t.get("notes", [])]
    drums = [n for t in tracks if t["is_drum"] for n in t.get("notes", [])]
    every = [n for t in tracks for n in t.get("notes", [])]
    out = {}
    hist = np.zeros(128)
    for n in pitched:
        hist[n["pitch"]] += 1
    used = np.nonzero(hist)[0]
    out["pitch_range"] = int(used.max() - used.min()) if len(used) else 0
    out["n_pitches_used"] = int(len(used))
    pcs = np.zeros(12)
    for p in range(128):
        pcs[p % 12] += hist[p]
    out["n_pitch_classes_used"] = int(np.count_nonzero(pcs))
    roll = np.zeros((length, 128), bool)
    for n in pitched:
        roll[n["time"]:n["time"] + n["duration"], n["pitch"]] = True
    count = roll.sum(1)
    den = np.count_nonzero(count > 0)
    out["polyphony"] = roll.sum() / den if den else math.nan
    out["polyphony_rate"] = np.count_nonzero(count > 2) / length if length else math.nan
    major = np.array([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1], bool)
    minor = np.array([1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0], bool)
    total = hist.sum()

    def in_scale(root, mask):
        return (pcs * np.roll(mask, root)).sum() / total if total else math.nan

    out["pitch_in_scale_rate"] = in_scale(0, major)
    out["scale_consistency"] = (max(in_scale(r, m) for r in range(12) for m in (major, minor))
                                if total else math.nan)

    def entropy(h):
        s = h.sum()
        if s < 1:
            return math.nan
        p = h[h > 0] / s
        return float(-(p * np.log2(p)).sum())

    out["pitch_entropy"] = entropy(hist)
    out["pitch_class_entropy"] = entropy(pcs)

    def empty_rate(unit):
        if length < 1:
            return math.nan
        n_units = length // unit + 1
        touched = np.zeros(n_units, bool)
        for n in every:
            touched[n["time"] // unit:(n["time"] + n["duration"]) // unit + 1] = True
        return 1 - touched.sum() / n_units

    out["empty_beat_rate"] = empty_rate(res)
    out["empty_measure_rate"] = empty_rate(mres)
    n_meas = length // mres + 1
    if n_meas < 2:
        out["groove_consistency"] = math.nan
    else:
        g = np.zeros((n_meas, mres), bool)
        for n in every:
            m, pos = divmod(n["time"], mres)
            g[m, pos] = True
        out["groove_consistency"] = 1 - np.count_nonzero(g[:-1] != g[1:]) / (mres * (n_meas - 1))

    def drum_rate(kind):
        if not drums:
            return math.nan
        pat = np.zeros(res, bool)
        pat[0] = True
        if kind == "duple":
            if res % 4 == 0:
                pat[::res // 4] = True
            if res % 2 == 0:
                pat[::res // 2] = True
        elif res % 3 == 0:
            pat[::res // 3] = True
        return sum(pat[n["time"] % res] for n in drums) / len(drums)

    out["drum_in_pattern_rate"] = drum_rate("duple")
    out["drum_pattern_consistency"] = (max(drum_rate("duple"), drum_rate("triple"))
                                       if drums else math.nan)
    print(json.dumps({k: (None if isinstance(v, float) and math.isnan(v) else float(v))
                      for k, v in out.items()}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
