#!/usr/bin/python3
"""Print the notes of MIDI files as "pitch start duration channel" lines
(times in quarter notes, 6 decimals), sorted; one block per file, each headed by
"# <path>". Used by tests/io/test_musicxml_musescore.c to compare musc with
MuseScore 3's MIDI export. Needs Debian's python3-mido."""
import sys
import mido


def fifo_notes(path):
    """(pitch, start tick, end tick, channel) of every note of a MIDI file,
    note-offs paired first in, first out per (channel, pitch); and the
    file's ticks per quarter."""
    mid = mido.MidiFile(path)
    out = []
    for track in mid.tracks:
        t = 0
        open_notes = {}
        for msg in track:
            t += msg.time
            if msg.type == 'note_on' and msg.velocity > 0:
                open_notes.setdefault((msg.channel, msg.note), []).append(t)
            elif msg.type in ('note_off', 'note_on'):
                starts = open_notes.get((msg.channel, msg.note))
                if starts:
                    out.append((msg.note, starts.pop(0), t, msg.channel))
    return out, mid.ticks_per_beat


def notes(path):
    pairs, tpq = fifo_notes(path)
    return sorted((p, s / tpq, (e - s) / tpq, c) for p, s, e, c in pairs)


if __name__ == '__main__':
    for path in sys.argv[1:]:
        print('# ' + path)
        try:
            for p, s, d, c in notes(path):
                print('%d %.6f %.6f %d' % (p, s, d, c))
        except Exception as e:  # a broken export counts as a mismatch
            print('! %s' % e)
