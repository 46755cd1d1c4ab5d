#!/usr/bin/env python3
"""Count the notes of a piano-roll list file (JSB chorales JSON) with
Python's json module, to check musc's rolls reader: prints
"pieces notes" where a note is a run of one pitch over consecutive steps
(per voice when the steps are voices, marked by -1 entries).
Usage: rolls_notes.py FILE.json
"""
import json
import sys

data = json.load(open(sys.argv[1]))
pieces = [p for key in data for p in data[key]]
steps = [s for p in pieces for s in p]
voices = len({len(s) for s in steps}) == 1 and any(x == -1 for s in steps for x in s)
notes = 0
for piece in pieces:
    if voices:
        for v in range(len(piece[0]) if piece else 0):
            previous = -1
            for step in piece:
                if step[v] != previous and step[v] >= 0:
                    notes += 1
                previous = step[v]
    else:
        previous = set()
        for step in piece:
            current = {int(x) for x in step}
            notes += len(current - previous)
            previous = current
print(len(pieces), notes)
