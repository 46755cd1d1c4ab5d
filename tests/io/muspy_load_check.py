#!/usr/bin/env python3
"""Check that JSON files written by musc would load in MusPy 0.5.

MusPy is not installable here (no network), so this re-states what
muspy.load_json does, from MusPy 0.5's source: json.load, then
Music.from_dict, which walks each class's attribute table (name, type,
optional, list) in order, ignores keys it does not know, raises TypeError for
a required attribute that is missing or null, and passes values through
without casting. It then applies the checks of Music.validate(): each value's
Python type and MusPy's value ranges. Run by hand:

    python3 tests/io/muspy_load_check.py file.json [file.json.gz ...]

Exit status 0 when every file loads and validates.
"""
import gzip
import json
import sys

# (attribute, type, optional, is_list) per MusPy class, in MusPy's order.
# "float|int" is Tempo.qpm's (float, int); "any" is Annotation.annotation.
CLASSES = {
    "Music": [
        ("metadata", "Metadata", True, False),
        ("resolution", int, True, False),
        ("tempos", "Tempo", True, True),
        ("key_signatures", "KeySignature", True, True),
        ("time_signatures", "TimeSignature", True, True),
        ("barlines", "Barline", True, True),
        ("beats", "Beat", True, True),
        ("lyrics", "Lyric", True, True),
        ("annotations", "Annotation", True, True),
        ("tracks", "Track", True, True),
    ],
    "Metadata": [
        ("schema_version", str, False, False),
        ("title", str, True, False),
        ("creators", str, True, True),
        ("copyright", str, True, False),
        ("collection", str, True, False),
        ("source_filename", str, True, False),
        ("source_format", str, True, False),
    ],
    "Tempo": [("time", int, False, False), ("qpm", "float|int", False, False)],
    "KeySignature": [
        ("time", int, False, False),
        ("root", int, True, False),
        ("mode", str, True, False),
        ("fifths", int, True, False),
        ("root_str", str, True, False),
    ],
    "TimeSignature": [
        ("time", int, False, False),
        ("numerator", int, False, False),
        ("denominator", int, False, False),
    ],
    "Barline": [("time", int, False, False)],
    "Beat": [("time", int, False, False)],
    "Lyric": [("time", int, False, False), ("lyric", str, False, False)],
    "Annotation": [
        ("time", int, False, False),
        ("annotation", "any", False, False),
        ("group", str, True, False),
    ],
    "Note": [
        ("time", int, False, False),
        ("pitch", int, False, False),
        ("duration", int, False, False),
        ("velocity", int, True, False),
        ("pitch_str", str, True, False),
    ],
    # MusPy declares pitches as int without marking it a list, so its own
    # validate() rejects every chord; from_dict loads them. Checked as a list.
    "Chord": [
        ("time", int, False, False),
        ("pitches", int, False, True),
        ("duration", int, False, False),
        ("velocity", int, True, False),
        ("pitches_str", str, True, True),
    ],
    "Track": [
        ("program", int, False, False),
        ("is_drum", bool, False, False),
        ("name", str, True, False),
        ("notes", "Note", True, True),
        ("chords", "Chord", True, True),
        ("lyrics", "Lyric", True, True),
        ("annotations", "Annotation", True, True),
    ],
}

RANGES = {  # (class, attribute): (min, max) as MusPy's validate() checks them
    ("Note", "pitch"): (0, 127),
    ("Note", "velocity"): (0, 127),
    ("Note", "duration"): (0, None),
    ("Chord", "velocity"): (0, 127),
    ("Chord", "duration"): (0, None),
    ("Track", "program"): (0, 127),
    ("TimeSignature", "numerator"): (1, None),
    ("TimeSignature", "denominator"): (1, None),
}


def type_ok(value, typ):
    if typ == "any":
        return True
    if typ == "float|int":
        return isinstance(value, (float, int)) and not isinstance(value, bool)
    if typ is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, typ)


def load(cls, data, path):
    """Music.from_dict followed by validate(); raises on the first problem."""
    if not isinstance(data, dict):
        raise TypeError(f"{path}: expected an object for {cls}")
    for attr, typ, optional, is_list in CLASSES[cls]:
        where = f"{path}.{attr}" if path else attr
        value = data.get(attr)
        if value is None:
            if optional:
                continue
            raise TypeError(f"{where}: `{attr}` must not be None (required by {cls})")
        items = value if is_list else [value]
        if is_list and not isinstance(value, list):
            raise TypeError(f"{where}: expected a list")
        for i, item in enumerate(items):
            at = f"{where}[{i}]" if is_list else where
            if isinstance(typ, str) and typ in CLASSES:
                load(typ, item, at)
                continue
            if not type_ok(item, typ):
                raise TypeError(f"{at}: {item!r} is not of type {typ}")
            if attr == "time" and item < 0:
                raise ValueError(f"{at}: time must be nonnegative")
            lo, hi = RANGES.get((cls, attr), (None, None))
            if (lo is not None and item < lo) or (hi is not None and item > hi):
                raise ValueError(f"{at}: {item} out of range")
            if cls == "Tempo" and attr == "qpm" and item <= 0:
                raise ValueError(f"{at}: qpm must be positive")
            if cls == "Chord" and attr == "pitches" and not 0 <= item <= 127:
                raise ValueError(f"{at}: pitch out of range")


def main(paths):
    status = 0
    for p in paths:
        opener = gzip.open if p.lower().endswith(".gz") else open
        try:
            with opener(p, "rt", encoding="utf-8") as f:
                load("Music", json.load(f), "")
            print(f"ok   {p}")
        except (TypeError, ValueError) as e:
            print(f"FAIL {p}: {e}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
