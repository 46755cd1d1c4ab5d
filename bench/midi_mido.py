#!/usr/bin/python3
"""MIDI speed of mido, the peer musc is measured against (bench/midi.sh).

Usage: /usr/bin/python3 bench/midi_mido.py [-r REPEATS] FILE...

The same three measurements as bench/midi_bench.c, with the same output
lines: read_file (mido.MidiFile(path)), parse_mem (mido.MidiFile(file=...)
on bytes already in memory) and write_mem (MidiFile.save to a BytesIO).
mido is slow, so REPEATS defaults to 1.
"""
import io
import sys
import time

import mido


def measure(name, files, nbytes, repeats, fn):
    best = None
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        t = (time.perf_counter() - w, time.process_time() - c)
        if best is None or t[0] < best[0]:
            best = t
    print("%s files=%d bytes=%d seconds=%.6f cpu_seconds=%.6f"
          % (name, files, out if out is not None else nbytes, best[0], best[1]), flush=True)


def main():
    args = sys.argv[1:]
    repeats = 1
    if len(args) > 1 and args[0] == "-r":
        repeats, args = int(args[1]), args[2:]
    paths = args
    blobs = []
    for p in paths:
        with open(p, "rb") as f:
            blobs.append(f.read())
    nbytes = sum(len(b) for b in blobs)

    def read_file():
        for p in paths:
            mido.MidiFile(p)

    def parse_mem():
        for b in blobs:
            mido.MidiFile(file=io.BytesIO(b))

    parsed = [mido.MidiFile(file=io.BytesIO(b)) for b in blobs]

    def write_mem():
        total = 0
        for m in parsed:
            f = io.BytesIO()
            m.save(file=f)
            total += len(f.getvalue())
        return total

    measure("read_file", len(paths), nbytes, repeats, read_file)
    measure("parse_mem", len(paths), nbytes, repeats, parse_mem)
    measure("write_mem", len(paths), nbytes, repeats, write_mem)


if __name__ == "__main__":
    main()
