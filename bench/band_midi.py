#!/usr/bin/python3
"""Write a deterministic 4-track band piece (piano, bass, strings, drums) as
MIDI for the audio benchmark, standing in for generated output until the
generator exists. usage: band_midi.py OUT.mid [BARS]"""
import random
import sys

import mido

out = sys.argv[1]
bars = int(sys.argv[2]) if len(sys.argv) > 2 else 96
rng = random.Random(7)
tpq = 480
mid = mido.MidiFile(type=1, ticks_per_beat=tpq)
meta = mido.MidiTrack()
meta.append(mido.MetaMessage('set_tempo', tempo=mido.bpm2tempo(112)))
meta.append(mido.MetaMessage('time_signature', numerator=4, denominator=4))
mid.tracks.append(meta)
progression = [(57, 'm'), (53, ''), (48, ''), (55, '')]  # Am F C G


def chord(root, kind):
    return [root, root + (3 if kind == 'm' else 4), root + 7]


def track(name, channel, program, events):
    t = mido.MidiTrack()
    t.append(mido.MetaMessage('track_name', name=name))
    t.append(mido.Message('program_change', channel=channel, program=program, time=0))
    timeline = []
    for start, dur, pitch, vel in events:
        timeline.append((start, 1, pitch, vel))
        timeline.append((start + dur, 0, pitch, 0))
    timeline.sort()
    now = 0
    for time, on, pitch, vel in timeline:
        kind = 'note_on' if on else 'note_off'
        t.append(mido.Message(kind, channel=channel, note=pitch, velocity=vel, time=time - now))
        now = time
    mid.tracks.append(t)


piano, bass, strings, drums = [], [], [], []
for bar in range(bars):
    root, kind = progression[bar % 4]
    t0 = bar * 4 * tpq
    for beat in range(4):
        for p in chord(root + 12, kind):
            piano.append((t0 + beat * tpq, tpq // 2, p, 70 + rng.randint(-8, 8)))
        bass.append((t0 + beat * tpq, tpq - 20, root - 12 + (7 if beat == 2 else 0), 95))
    for p in chord(root + 24, kind):
        strings.append((t0, 4 * tpq - 10, p, 60))
    for eighth in range(8):
        t = t0 + eighth * tpq // 2
        drums.append((t, tpq // 4, 42, 70 + rng.randint(-10, 10)))
        if eighth in (0, 4):
            drums.append((t, tpq // 4, 36, 110))
        if eighth in (2, 6):
            drums.append((t, tpq // 4, 38, 100))
track('piano', 0, 0, piano)
track('bass', 1, 33, bass)
track('strings', 2, 48, strings)
track('drums', 9, 0, drums)
mid.save(out)
