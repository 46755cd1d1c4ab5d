/*
 * The MusicXML reader's state, shared by the parser (musicxml_read.c) and
 * the builder that lays parsed measures out in playing order
 * (musicxml_build.c).
 */
#ifndef MUSC_IO_MUSICXML_READ_H
#define MUSC_IO_MUSICXML_READ_H

#include <libxml/tree.h>

#include "musc/io.h"
#include "musicxml_internal.h"

typedef struct mx_content {
    xmlNodePtr *nodes; /* the part's measures (partwise) or <part>s (timewise) */
    size_t n, cap;
} mx_content;

typedef struct mx_reader {
    musc_report *report;
    int strict, flags;
    int64_t resolution;      /* ticks per quarter of the result */
    int64_t first_divisions; /* the first <divisions> in the document */
    int rescale;             /* times are rounded (LCM too large) */
    mx_part *parts;       size_t n_parts, cap_parts;
    mx_content *content;  size_t cap_content; /* parallel to parts */
    mx_flow *flow;        size_t n_flow;      /* per measure, merged over parts */
    char tbuf[512], abuf[512];
} mx_reader;

/* Record a format error at node n's line; returns MUSC_ERR_FORMAT. */
musc_status mx_fail(mx_reader *r, xmlNodePtr n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Report a repair at node n's line (an error in strict mode). */
musc_status mx_repair(mx_reader *r, xmlNodePtr n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

musc_status mx_nomem(void);

/* ---- tree helpers (musicxml_xml.c) ---- */

/* n is an element named `name`. */
int mx_is(xmlNodePtr n, const char *name);
/* First child element named `name`, or NULL. */
xmlNodePtr mx_child(xmlNodePtr n, const char *name);
/* Trimmed text of n's text/CDATA children in buf (truncated to cap). */
const char *mx_text_into(xmlNodePtr n, char *buf, size_t cap);
/* Same into r->tbuf: valid until the next mx_text call. */
const char *mx_text(mx_reader *r, xmlNodePtr n);
/* Trimmed text as a new string; NULL when out of memory. */
char *mx_text_dup(xmlNodePtr n);
/* Attribute value in r->abuf (valid until the next mx_attr call), or NULL. */
const char *mx_attr(mx_reader *r, xmlNodePtr n, const char *name);
int mx_attr_is(mx_reader *r, xmlNodePtr n, const char *name, const char *value);
/* A decimal number in [lo, hi], else an error naming <what> and the line. */
musc_status mx_number(mx_reader *r, xmlNodePtr n, const char *s, const char *what, double lo,
                      double hi, double *out);
/* The number in child `name` of parent, or dflt when there is no such child. */
musc_status mx_child_number(mx_reader *r, xmlNodePtr parent, const char *name, double lo,
                            double hi, double dflt, double *out);
/* Append an event at `at` (negative clamps to 0); NULL when out of memory. */
mx_event *mx_add_event(mx_measure *m, int64_t at, int kind);

/* ---- one part's reading state (musicxml_measure.c) ---- */

typedef struct part_state {
    int64_t divisions;  /* 0 until the part's first <divisions> */
    int transpose;      /* semitones written -> sounding */
    int velocity;
    int64_t nominal;    /* current bar length in ticks */
    int64_t pos;        /* cursor in ticks from the measure start */
    int64_t last_onset; /* onset of the previous note, for <chord/> */
    /* for MUSC_MUSICXML_PLAY_ORNAMENTS: */
    int key_fifths;     /* key signature in force */
    signed char acc[12 * 7]; /* alter written in this measure per octave*7+step, or 99 */
    signed char acc_pre[12 * 7]; /* acc before the pending grace group */
    size_t grace_first; /* index in the measure of the pending grace group */
    int grace_count;    /* grace chords pending (waiting for their principal) */
    unsigned char steal;        /* graces of the current principal chord */
    int16_t steal_n;
    int64_t steal_pdur;
    unsigned char steal_dots;
    size_t last_principal;      /* 1 + index in the measure of the last principal
                                   note of this voice (0: none, e.g. after <backup>) */
    struct mx_wavy { mx_measure *m; size_t note; } wavy[64]; /* trills whose */
    int n_wavy;                 /* <wavy-line> started and has not stopped yet */
    int trill_line;             /* a trill's wavy line is open: new notes under it trill */
} part_state;

/* End of a part: trills whose wavy line never stops are played plain. */
void mx_unterminated_trills(part_state *ps);

/* A duration in the part's divisions as ticks. */
musc_status mx_to_ticks(mx_reader *r, part_state *ps, xmlNodePtr n, double v, int64_t *out);
/* A positive whole <divisions> value. */
musc_status mx_parse_divisions(mx_reader *r, xmlNodePtr d, int64_t *out);
/* Quarter notes of a <type> value ("eighth" -> 0.5), 0 if unknown. */
double mx_type_quarters(const char *t);
/* 0..6 for a step letter A..G, else -1. */
int mx_step_index(const char *s);
/* MIDI velocity from a percentage of forte (90). */
int mx_velocity_from_percent(double d);
/* Read one <measure> (or timewise <part>) into m, marks into f. */
musc_status mx_read_measure(mx_reader *r, mx_part *p, part_state *ps, mx_measure *m,
                            mx_flow *f, xmlNodePtr measure);

/* ---- directions (musicxml_directions.c) ---- */

musc_status mx_read_direction(mx_reader *r, part_state *ps, mx_measure *m, mx_flow *f,
                              xmlNodePtr d);
musc_status mx_read_sound(mx_reader *r, part_state *ps, mx_measure *m, mx_flow *f, xmlNodePtr s,
                          int64_t at, int *tempo_seen, int *jumps);
musc_status mx_read_barline(mx_reader *r, mx_flow *f, xmlNodePtr b);
musc_status mx_read_harmony(mx_reader *r, part_state *ps, mx_measure *m, xmlNodePtr h);

/* Lay the parsed parts out in playing order into `m` (tracks, tempos,
 * keys, meters, lyrics, chord annotations). */
musc_status mx_build(mx_reader *r, musc_music *m);

#endif
