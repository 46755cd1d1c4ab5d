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

/* Lay the parsed parts out in playing order into `m` (tracks, tempos,
 * keys, meters, lyrics, chord annotations). */
musc_status mx_build(mx_reader *r, musc_music *m);

#endif
