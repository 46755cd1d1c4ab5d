/*
 * Internals shared by the MusicXML reader, writer and repeat expansion:
 * the per-measure flow marks (repeats, endings, jumps) and the chord-symbol
 * vocabulary (MusicXML <kind> values and their text suffixes).
 */
#ifndef MUSC_IO_MUSICXML_INTERNAL_H
#define MUSC_IO_MUSICXML_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/xmlerror.h>

#include "musc/error.h"

/* libxml2's error handlers, swapped out while musc parses (see
 * musicxml_quiet.c). */
typedef struct mx_quiet {
    xmlGenericErrorFunc generic;
    void *generic_ctx;
    xmlStructuredErrorFunc structured;
    void *structured_ctx;
} mx_quiet;

void mx_quiet_begin(mx_quiet *q);
void mx_quiet_end(const mx_quiet *q);

/* What a measure says about playing order (merged over all parts). */
typedef struct mx_flow {
    unsigned char fwd;       /* forward repeat at its start */
    unsigned char bwd;       /* backward repeat at its end */
    unsigned char segno;     /* segno sign or <sound segno> */
    unsigned char coda;      /* <sound coda>: jump target of "To Coda" */
    unsigned char coda_sign; /* a plain coda sign with no <sound> */
    unsigned char tocoda;    /* <sound tocoda> or words "To Coda" */
    unsigned char dacapo;    /* D.C. at its end */
    unsigned char dalsegno;  /* D.S. at its end */
    unsigned char fine;      /* Fine: stop here after a jump */
    unsigned char ending_stop; /* an ending stops or discontinues at its end */
    int times;               /* backward repeat: total passes (>= 2) */
    uint32_t ending_start;   /* numbers (bit n-1 for n) of an ending starting here */
} mx_flow;

/* Expand repeats: the measure indices 0..n-1 in playing order. *order is
 * malloc'd (caller frees). At most `cap` entries; *truncated is set when
 * the order was cut there. MUSC_ERR_NOMEM on failure. */
musc_status mx_play_order(const mx_flow *flow, size_t n, size_t cap, size_t **order,
                          size_t *n_order, int *truncated);

/* Parse an ending's number attribute ("1", "1, 2", "1-3", "1 2") into a
 * mask (bit n-1 for n, 1..32). 0 when nothing usable. */
uint32_t mx_ending_mask(const char *number);

/* The suffix for a MusicXML <kind> value ("minor-seventh" -> "m7"), or NULL
 * when the kind is unknown. */
const char *mx_kind_suffix(const char *kind);

/* The MusicXML <kind> value whose suffix is exactly `suffix`, or NULL. */
const char *mx_kind_for_suffix(const char *suffix);

/* Split chord-symbol text such as "Bbm7/F" into root step (0..6 for
 * C D E F G A B), root alter, the suffix between root and "/" (pointer and
 * length into text), and bass step/alter (bass_step -1 when none). Returns
 * 0 when the text does not start with a note letter A..G. */
int mx_chord_split(const char *text, int *root_step, int *root_alter, const char **suffix,
                   size_t *suffix_len, int *bass_step, int *bass_alter);

/* ---- the reader's parsed form: parts of measures, times in final ticks
 * relative to the measure start ---------------------------------------- */

/* Ornaments played with MUSC_MUSICXML_PLAY_ORNAMENTS. */
enum { MX_ORN_NONE, MX_ORN_TRILL, MX_ORN_MORDENT, MX_ORN_INV_MORDENT, MX_ORN_TURN,
       MX_ORN_INV_TURN };
/* Grace kinds (mx_note.grace and .steal). */
enum { MX_GRACE_NONE, MX_GRACE_ACCIACCATURA, MX_GRACE_APPOGGIATURA };

typedef struct mx_note {
    int64_t on, dur;
    int16_t pitch, velocity;
    unsigned char tie_start, tie_stop;
    unsigned char tied_start;   /* the start is drawn: <tied type="start"> */
    uint16_t voice;             /* <staff> and <voice> as one key (ties) */
    /* with MUSC_MUSICXML_PLAY_ORNAMENTS only: */
    unsigned char orn;          /* MX_ORN_* on this note */
    unsigned char grace, steal; /* this is a grace note / graces before it */
    int16_t upper, lower;       /* the ornament's neighbour pitches */
    int16_t grace_k, grace_n;   /* grace: position in its group, group size
                                   (0: no principal followed, dropped);
                                   principal: grace_n of its group */
    int64_t pdur;               /* grace and principal: the principal's written length */
    unsigned char dots;         /* this note's dots */
    unsigned char pdots;        /* grace and principal: the principal's dots */
    unsigned char after;        /* grace played after its principal (at a bar's end) */
    unsigned char head;         /* grace: played as the first notes of its principal's ornament;
                                   principal: such graces precede it */
    unsigned char slash8;       /* grace: a slashed eighth (an acciaccatura) */
    int16_t after_n;            /* principal: number of graces played after it */
} mx_note;

enum { MX_EV_TEMPO, MX_EV_KEY, MX_EV_TIME, MX_EV_LYRIC, MX_EV_CHORD,
       MX_EV_WEDGE /* a: +1 crescendo, -1 diminuendo, 0 stop; b: number 1..16 */ };

typedef struct mx_event {
    int64_t at;
    int kind;   /* MX_EV_* */
    double qpm; /* tempo */
    int a, b, c; /* key: fifths, mode, root; time: numerator, denominator */
    char *text;  /* lyric or chord symbol, owned */
} mx_event;

typedef struct mx_measure {
    mx_note *notes;   size_t n_notes, cap_notes;
    mx_event *events; size_t n_events, cap_events;
    int64_t length;   /* furthest cursor position reached */
    int64_t nominal;  /* bar length of the time signature in force */
} mx_measure;

typedef struct mx_part {
    char *id, *name, *instrument_name;
    int program;      /* 0..127, -1 unknown */
    int drum_channel; /* a <midi-channel> 10 was seen */
    int channel;      /* first <midi-channel> minus 1, or -1 */
    int has_unpitched;
    struct mx_inst { char *id; int unpitched; } *insts; size_t n_insts, cap_insts;
    mx_measure *measures; size_t n_measures, cap_measures;
} mx_part;

/* Guess a General MIDI program (0..127) from an instrument or part name;
 * -1 when nothing matches. */
int mx_program_from_name(const char *name);

#endif
