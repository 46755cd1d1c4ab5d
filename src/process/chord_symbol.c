/*
 * Chord-symbol transposition. A symbol is a root (a letter A-G and any
 * accidentals: # b or the Unicode sharp and flat signs), a quality that is
 * copied as it is ("m7b5", "maj7(#11)"), and optionally "/" and a bass note
 * spelled like the root. Only the note names move; they are respelled from
 * the new pitch class, since the old spelling says nothing about the new key.
 */
#include "chord_symbol.h"

#include <stdlib.h>
#include <string.h>

static const char *const SHARP_NAMES[12] = {"C",  "C#", "D",  "D#", "E",  "F",
                                            "F#", "G",  "G#", "A",  "A#", "B"};
static const char *const FLAT_NAMES[12] = {"C",  "Db", "D",  "Eb", "E",  "F",
                                           "Gb", "G",  "Ab", "A",  "Bb", "B"};
/* what lead sheets in no particular key use most */
static const char *const USUAL_NAMES[12] = {"C",  "Db", "D",  "Eb", "E",  "F",
                                            "F#", "G",  "Ab", "A",  "Bb", "B"};

static int mod12(int64_t x)
{
    int r = (int)(x % 12);
    return r < 0 ? r + 12 : r;
}

/* Parse a note name at s; returns its length (0 if none) and its pitch class. */
static size_t parse_note(const char *s, int *pc)
{
    static const int letter_pc[7] = {9, 11, 0, 2, 4, 5, 7}; /* A..G */
    if (*s < 'A' || *s > 'G')
        return 0;
    int p = letter_pc[*s - 'A'];
    size_t i = 1;
    for (;;) {
        if (s[i] == '#') {
            p++, i++;
        } else if (s[i] == 'b') {
            p--, i++;
        } else if (!strncmp(s + i, "\xe2\x99\xaf", 3)) { /* U+266F sharp */
            p++, i += 3;
        } else if (!strncmp(s + i, "\xe2\x99\xad", 3)) { /* U+266D flat */
            p--, i += 3;
        } else {
            break;
        }
    }
    *pc = mod12(p);
    return i;
}

static const char *name_of(int pc, musc_spelling spelling)
{
    return spelling == MUSC_SPELL_SHARPS  ? SHARP_NAMES[pc]
           : spelling == MUSC_SPELL_FLATS ? FLAT_NAMES[pc]
                                          : USUAL_NAMES[pc];
}

int musc_chord_symbol_transpose(const char *text, int64_t semitones, musc_spelling spelling,
                                char **out)
{
    *out = NULL;
    int root;
    size_t rlen = parse_note(text, &root);
    if (!rlen)
        return 0;
    const char *quality = text + rlen;
    const char *slash = strchr(quality, '/');
    int bass = 0;
    size_t blen = slash ? parse_note(slash + 1, &bass) : 0;
    size_t qlen = blen ? (size_t)(slash - quality) : strlen(quality);
    const char *rest = blen ? slash + 1 + blen : quality + qlen; /* after the bass */
    const char *rname = name_of(mod12(root + semitones), spelling);
    const char *bname = blen ? name_of(mod12(bass + semitones), spelling) : "";
    size_t n = strlen(rname) + qlen + (blen ? 1 + strlen(bname) : 0) + strlen(rest) + 1;
    char *s = malloc(n);
    if (!s)
        return -1;
    char *p = s;
    memcpy(p, rname, strlen(rname)), p += strlen(rname);
    memcpy(p, quality, qlen), p += qlen;
    if (blen) {
        *p++ = '/';
        memcpy(p, bname, strlen(bname)), p += strlen(bname);
    }
    memcpy(p, rest, strlen(rest) + 1);
    *out = s;
    return 0;
}
