#!/usr/bin/python3
"""Reference notes for the ABC reader test: run abc2midi on every tune of the
given ABC files and print, per tune, its notes as (pitch, start, duration) in
ticks at 480 per quarter (abc2midi's resolution).

Output lines:  T <file> <X number>  then  N <pitch> <start> <duration>  per note.
Guitar chords and grace notes are switched off (-NGUI -NGRA), as musc reads
chord symbols as annotations and skips grace notes. R: (rhythm) lines are
removed before abc2midi sees the tune: abc2midi plays R:Hornpipe tunes with a
2:1 swing on pairs of eighths, a playback convention rather than what is
written, and musc reads what is written. For the same reason each tune gets
"%%MIDI chordattack 0" (abc2midi otherwise staggers chord notes by 10 ticks).
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from midi_notes import fifo_notes  # noqa: E402


def notes_of(path):
    pairs, tpq = fifo_notes(path)
    out = []
    for pitch, start, end, _ in pairs:
        s, e = start * 480 // tpq, end * 480 // tpq
        # abc2midi sounds each note one tick late (the first note of a tune
        # starts at tick 1) while its end stays on the grid; undo that so
        # onsets are the written ones.
        if s % 2 == 1:
            s -= 1
        out.append((pitch, s, e - s))
    return out


def main():
    with tempfile.TemporaryDirectory(prefix='abc2midi-') as tmp:
        run(tmp)
    sys.stdout.flush()


def run(tmp):
    for abc in sys.argv[1:]:
        with open(abc, encoding='latin-1') as f:
            text = f.read()
        numbers = [m.group(1) for m in re.finditer(r'^X:\s*(\d+)', text, re.M)]
        plain = os.path.join(tmp, 'book.abc')
        with open(plain, 'w', encoding='latin-1') as f:
            text = re.sub(r'^R:.*\n', '', text, flags=re.M)
            # abc2midi staggers the notes of a chord by a few ticks unless
            # told not to; that is playback, not notation
            text = re.sub(r'^(X:.*\n)', r'\1%%MIDI chordattack 0\n', text, flags=re.M)
            f.write(text)
        for x in numbers:
            mid = os.path.join(tmp, 'out.mid')
            if os.path.exists(mid):
                os.unlink(mid)
            subprocess.run(['abc2midi', plain, x, '-NGUI', '-NGRA', '-silent', '-o', mid],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print('T', abc, x)
            if os.path.exists(mid):
                for p, s, d in notes_of(mid):
                    print('N', p, s, d)


if __name__ == '__main__':
    main()
