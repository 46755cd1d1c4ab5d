/*
 * Tree helpers of the MusicXML reader: element lookup, text and attribute
 * values, range-checked numbers, and the error and repair messages that
 * name the line of the offending element. Text comes only from text and
 * CDATA children: entity references are never followed, so an entity bomb
 * cannot expand here.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/grow.h"
#include "musicxml_read.h"

#define MAX_TEXT 65536

/* ---- errors and repairs ------------------------------------------------ */

static long line_of(xmlNodePtr n)
{
    return n ? xmlGetLineNo(n) : 0;
}

musc_status mx_fail(mx_reader *r, xmlNodePtr n, const char *fmt, ...)
{
    (void)r;
    char buf[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return musc_error(MUSC_ERR_FORMAT, "musicxml: line %ld: %s", line_of(n), buf);
}

musc_status mx_repair(mx_reader *r, xmlNodePtr n, const char *fmt, ...)
{
    char buf[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (r->strict)
        return musc_error(MUSC_ERR_FORMAT, "musicxml: line %ld: %s (strict mode)", line_of(n),
                          buf);
    if (musc_report_add(r->report, MUSC_REPAIR_OTHER, line_of(n), "musicxml: line %ld: %s",
                        line_of(n), buf))
        return MUSC_ERR_NOMEM;
    return MUSC_OK;
}

musc_status mx_nomem(void)
{
    return musc_error(MUSC_ERR_NOMEM, "musicxml: out of memory");
}

/* ---- tree helpers ------------------------------------------------------ */

int mx_is(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

xmlNodePtr mx_child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (mx_is(c, name))
            return c;
    return NULL;
}

/* Text of n's text and CDATA children, trimmed, into buf (truncated). */
const char *mx_text_into(xmlNodePtr n, char *buf, size_t cap)
{
    size_t len = 0;
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next) {
        if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) || !c->content)
            continue;
        for (const char *s = (const char *)c->content; *s && len + 1 < cap; s++)
            buf[len++] = *s;
    }
    buf[len] = '\0';
    char *s = buf;
    while (*s && isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

const char *mx_text(mx_reader *r, xmlNodePtr n)
{
    return mx_text_into(n, r->tbuf, sizeof r->tbuf);
}

/* Trimmed text as a new string (NULL when out of memory). */
char *mx_text_dup(xmlNodePtr n)
{
    char *buf = malloc(MAX_TEXT);
    if (!buf)
        return NULL;
    const char *t = mx_text_into(n, buf, MAX_TEXT);
    char *s = strdup(t);
    free(buf);
    return s;
}

/* An attribute's value (its text children) into r->abuf, or NULL. */
const char *mx_attr(mx_reader *r, xmlNodePtr n, const char *name)
{
    for (xmlAttrPtr a = n ? n->properties : NULL; a; a = a->next) {
        if (strcmp((const char *)a->name, name) != 0)
            continue;
        size_t len = 0;
        for (xmlNodePtr c = a->children; c; c = c->next)
            if (c->type == XML_TEXT_NODE && c->content)
                for (const char *s = (const char *)c->content; *s && len + 1 < sizeof r->abuf;
                     s++)
                    r->abuf[len++] = *s;
        r->abuf[len] = '\0';
        return r->abuf;
    }
    return NULL;
}

int mx_attr_is(mx_reader *r, xmlNodePtr n, const char *name, const char *value)
{
    const char *v = mx_attr(r, n, name);
    return v && strcmp(v, value) == 0;
}

/* A decimal number in [lo, hi]; MUSC_ERR_FORMAT naming `what` otherwise. */
musc_status mx_number(mx_reader *r, xmlNodePtr n, const char *s, const char *what, double lo,
                          double hi, double *out)
{
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s || *end || !isfinite(v))
        return mx_fail(r, n, "<%s> is \"%.40s\", expected a number", what, s);
    if (v < lo || v > hi)
        return mx_fail(r, n, "<%s> is %g, expected %g..%g", what, v, lo, hi);
    *out = v;
    return MUSC_OK;
}

musc_status mx_child_number(mx_reader *r, xmlNodePtr parent, const char *name, double lo,
                                double hi, double dflt, double *out)
{
    xmlNodePtr c = mx_child(parent, name);
    *out = dflt;
    if (!c)
        return MUSC_OK;
    return mx_number(r, c, mx_text(r, c), name, lo, hi, out);
}


mx_event *mx_add_event(mx_measure *m, int64_t at, int kind)
{
    if (MUSC_GROW(m->events, m->cap_events, m->n_events + 1))
        return NULL;
    mx_event *e = &m->events[m->n_events++];
    memset(e, 0, sizeof *e);
    e->at = at < 0 ? 0 : at;
    e->kind = kind;
    return e;
}
