#!/usr/bin/python3
"""Notes of MIDI files as mido sees them, for tests/io/test_midi_mido.c.

Usage: mido_notes.py LIST OUT
LIST names one MIDI file per line. For each, OUT gets a line "F <n> <path>"
followed by n lines "channel pitch start end velocity" (ticks), sorted, or
"E <message> <path>" when mido cannot read the file.

Notes are paired as musc pairs them by default (and as MusPy does): within
one MIDI track, a note-off (or note-on with velocity 0) closes the earliest
open note of the same channel and pitch; unmatched offs are ignored; notes
still open when the track ends close at the time of the track's last event.
All files run in this one process so the interpreter starts once.
"""
import collections
import io
import sys

import mido


def notes_of(path):
    out = []
    # mido parses a file object message by message with a tell() each time;
    # from memory it is several times faster, with the same messages
    with open(path, "rb") as f:
        midi = mido.MidiFile(file=io.BytesIO(f.read()))
    for track in midi.tracks:
        now = 0
        open_notes = collections.defaultdict(collections.deque)
        for msg in track:
            now += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                open_notes[(msg.channel, msg.note)].append((now, msg.velocity))
            elif msg.type in ("note_off", "note_on"):
                q = open_notes.get((msg.channel, msg.note))
                if q:
                    start, vel = q.popleft()
                    out.append((msg.channel, msg.note, start, now, vel))
        for (ch, pitch), q in open_notes.items():
            for start, vel in q:
                out.append((ch, pitch, start, now, vel))
    out.sort()
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        paths = [line.rstrip("\n") for line in f if line.strip()]
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        for path in paths:
            try:
                notes = notes_of(path)
            except Exception as e:  # report, let the C side decide
                out.write("E %s %s\n" % (type(e).__name__, path))
                continue
            out.write("F %d %s\n" % (len(notes), path))
            out.write("".join("%d %d %d %d %d\n" % n for n in notes))


if __name__ == "__main__":
    main()
