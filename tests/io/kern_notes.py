#!/usr/bin/env python3
"""An independent reading of simple **kern files, to check musc's reader.

musc times a Humdrum file line by line (a line starts when the earliest
sounding note ends). This script instead walks each **kern column on its
own, adding up the durations of its tokens, as a musician reading one part
would; both must agree on every onset. It handles files without spine
splits or joins (the Haydn Op. 20 scores), ties ([ _ ]), chords, grace notes
(skipped), rests and dots, and prints one line per note:

    track onset_ticks duration_ticks midi_pitch

at the resolution given on the command line, sorted. Exit status 3 when the
file uses spine manipulations this script does not follow.
Usage: kern_notes.py FILE RESOLUTION
"""
import re
import sys
from fractions import Fraction

STEP = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}


def duration(tok):
    m = re.search(r"(\d+)(?:%(\d+))?", tok)
    if not m:
        return None
    digits, num = m.group(1), int(m.group(2) or 1)
    if int(digits) == 0:
        whole = Fraction(2 ** len(digits))
    else:
        whole = Fraction(num, int(digits))
    dots = tok.count(".")
    return 4 * whole * (2 - Fraction(1, 2 ** dots))


def pitch(tok):
    m = re.search(r"([a-gA-G])\1*", tok)
    letter, count = m.group(1), len(m.group(0))
    if letter.islower():
        octave_c = 60 + 12 * (count - 1)
    else:
        octave_c = 48 - 12 * (count - 1)
    return octave_c + STEP[letter.lower()] + tok.count("#") - tok.count("-")


def main():
    path, res = sys.argv[1], int(sys.argv[2])
    rows = [line.rstrip("\n").split("\t") for line in open(path, encoding="utf-8", errors="replace")]
    kinds = None
    for cols in rows:
        if cols and cols[0].startswith("**"):
            kinds = cols
            break
    kern_cols = [i for i, k in enumerate(kinds) if k == "**kern"]
    notes = []
    for track, col in enumerate(kern_cols):
        t = Fraction(0)
        open_ties = {}
        for cols in rows:
            if not cols or not cols[0] or cols[0].startswith(("!", "=")):
                continue
            if cols[0].startswith("*"):
                if any(c in ("*^", "*v", "*x", "*+") for c in cols):
                    sys.exit(3)
                continue
            tok = cols[col]
            if tok == ".":
                continue
            advance = None
            for sub in tok.split(" "):
                if "q" in sub or "Q" in sub:
                    continue
                d = duration(sub)
                if advance is None:
                    advance = d
                if "r" in sub:
                    continue
                p = pitch(sub)
                if ("_" in sub or "]" in sub) and p in open_ties and \
                        notes[open_ties[p]][1] + notes[open_ties[p]][2] == t:
                    k = open_ties[p]
                    notes[k][2] += d
                    if "]" in sub and "[" not in sub:
                        del open_ties[p]
                    continue
                notes.append([track, t, d, p])
                if "[" in sub or "_" in sub:
                    open_ties[p] = len(notes) - 1
            t += advance
    out = []
    for track, start, d, p in notes:
        out.append((track, start * res, d * res, p))
    for track, start, d, p in sorted(out):
        print(track, start, d, p)


main()
