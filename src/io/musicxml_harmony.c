/*
 * Chord-symbol vocabulary shared by the MusicXML reader and writer: the
 * <kind> values of MusicXML 4.0 with the lead-sheet suffix each one reads
 * as, and the split of a symbol such as "F#m7b5/C" into root, suffix and
 * bass. One table serves both directions so a written symbol reads back as
 * the same text.
 */
#include <string.h>

#include "musicxml_internal.h"

static const struct {
    const char *kind;
    const char *suffix;
} KINDS[] = {
    {"major", ""},
    {"minor", "m"},
    {"augmented", "aug"},
    {"diminished", "dim"},
    {"dominant", "7"},
    {"major-seventh", "maj7"},
    {"minor-seventh", "m7"},
    {"diminished-seventh", "dim7"},
    {"augmented-seventh", "aug7"},
    {"half-diminished", "m7b5"},
    {"major-minor", "m(maj7)"},
    {"major-sixth", "6"},
    {"minor-sixth", "m6"},
    {"dominant-ninth", "9"},
    {"major-ninth", "maj9"},
    {"minor-ninth", "m9"},
    {"dominant-11th", "11"},
    {"major-11th", "maj11"},
    {"minor-11th", "m11"},
    {"dominant-13th", "13"},
    {"major-13th", "maj13"},
    {"minor-13th", "m13"},
    {"suspended-second", "sus2"},
    {"suspended-fourth", "sus4"},
    {"power", "5"},
    {"pedal", "pedal"},
    {"Neapolitan", "N6"},
    {"Italian", "It+6"},
    {"French", "Fr+6"},
    {"German", "Ger+6"},
    {"Tristan", "Tristan"},
    /* "none" (no chord) is handled by the callers: its text is "N.C." */
};

const char *mx_kind_suffix(const char *kind)
{
    for (size_t i = 0; i < sizeof KINDS / sizeof *KINDS; i++)
        if (strcmp(KINDS[i].kind, kind) == 0)
            return KINDS[i].suffix;
    /* MusicXML 1.x spellings */
    if (strcmp(kind, "major-major") == 0)
        return "maj7";
    return NULL;
}

const char *mx_kind_for_suffix(const char *suffix)
{
    for (size_t i = 0; i < sizeof KINDS / sizeof *KINDS; i++)
        if (strcmp(KINDS[i].suffix, suffix) == 0)
            return KINDS[i].kind;
    return NULL;
}

static int step_of(char c)
{
    static const char STEPS[] = "CDEFGAB";
    const char *p = c ? strchr(STEPS, c) : NULL;
    return p ? (int)(p - STEPS) : -1;
}

/* Accidentals after a note letter: '#' raises, 'b' lowers. Returns the
 * number of characters used. */
static size_t accidentals(const char *s, int *alter)
{
    size_t k = 0;
    *alter = 0;
    for (;; k++) {
        if (s[k] == '#')
            (*alter)++;
        else if (s[k] == 'b')
            (*alter)--;
        else
            break;
    }
    return k;
}

int mx_chord_split(const char *text, int *root_step, int *root_alter, const char **suffix,
                   size_t *suffix_len, int *bass_step, int *bass_alter)
{
    *bass_step = -1;
    *bass_alter = 0;
    *root_step = step_of(text[0]);
    if (*root_step < 0)
        return 0;
    const char *s = text + 1 + accidentals(text + 1, root_alter);
    const char *slash = strrchr(s, '/');
    /* "/E" is a bass only when a note name (and accidentals) ends the text */
    if (slash && step_of(slash[1]) >= 0) {
        int alter;
        size_t k = accidentals(slash + 2, &alter);
        if (slash[2 + k] == '\0') {
            *bass_step = step_of(slash[1]);
            *bass_alter = alter;
        } else {
            slash = NULL;
        }
    } else {
        slash = NULL;
    }
    *suffix = s;
    *suffix_len = slash ? (size_t)(slash - s) : strlen(s);
    return 1;
}
