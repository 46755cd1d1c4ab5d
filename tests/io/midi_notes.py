#!/usr/bin/python3
"""Print the notes of MIDI files as "pitch start duration channel" lines
(times in quarter notes, 6 decimals), sorted; one block per file, each headed by
"# <path>". Used by tests/io/test_musicxml_musescore.c to compare musc with
MuseScore 3's MIDI export. Needs Debian's python3-mido."""
import sys
import mido


def notes(path):
    mid = mido.MidiFile(path)
    tpq = mid.ticks_per_beat
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
                    s = starts.pop(0)
                    out.append((msg.note, s / tpq, (t - s) / tpq, msg.channel))
    out.sort()
    return out


for path in sys.argv[1:]:
    print('# ' + path)
    try:
        for p, s, d, c in notes(path):
            print('%d %.6f %.6f %d' % (p, s, d, c))
    except Exception as e:  # a broken export counts as a mismatch
        print('! %s' % e)
