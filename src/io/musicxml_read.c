/*
 * MusicXML reader: parse the document with libxml2 into parts of measures
 * (musicxml_internal.h), then lay the measures out in playing order and
 * build the music (musicxml_build.c). The rules are listed in
 * include/musc/musicxml.h.
 *
 * The tree is walked with a fixed shape (score, part, measure, note, ...),
 * so hostile nesting cannot recurse deeply here; libxml2 itself keeps its
 * default depth limit. Text is taken only from text and CDATA children:
 * entity references are never followed, so entity bombs stay unexpanded.
 * Every number is range-checked and every time is kept below 2^50 ticks, so
 * arithmetic cannot overflow.
 */
#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/grow.h"
#include "musc/musicxml.h"
#include "musicxml_internal.h"
#include "musicxml_read.h"

#define MAX_RESOLUTION (1 << 20)
#define MAX_TICKS ((int64_t)1 << 50)
#define MAX_DIVISIONS 1e9
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

static musc_status nomem(void)
{
    return musc_error(MUSC_ERR_NOMEM, "musicxml: out of memory");
}

/* ---- tree helpers ------------------------------------------------------ */

static int is(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

/* Text of n's text and CDATA children, trimmed, into buf (truncated). */
static const char *text_into(xmlNodePtr n, char *buf, size_t cap)
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

static const char *text_of(mx_reader *r, xmlNodePtr n)
{
    return text_into(n, r->tbuf, sizeof r->tbuf);
}

/* Trimmed text as a new string (NULL when out of memory). */
static char *text_dup(xmlNodePtr n)
{
    char *buf = malloc(MAX_TEXT);
    if (!buf)
        return NULL;
    const char *t = text_into(n, buf, MAX_TEXT);
    char *s = strdup(t);
    free(buf);
    return s;
}

/* An attribute's value (its text children) into r->abuf, or NULL. */
static const char *attr_of(mx_reader *r, xmlNodePtr n, const char *name)
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

static int attr_is(mx_reader *r, xmlNodePtr n, const char *name, const char *value)
{
    const char *v = attr_of(r, n, name);
    return v && strcmp(v, value) == 0;
}

/* A decimal number in [lo, hi]; MUSC_ERR_FORMAT naming `what` otherwise. */
static musc_status number(mx_reader *r, xmlNodePtr n, const char *s, const char *what, double lo,
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

static musc_status child_number(mx_reader *r, xmlNodePtr parent, const char *name, double lo,
                                double hi, double dflt, double *out)
{
    xmlNodePtr c = child(parent, name);
    *out = dflt;
    if (!c)
        return MUSC_OK;
    return number(r, c, text_of(r, c), name, lo, hi, out);
}

/* ---- growing the parsed form -------------------------------------------- */

static mx_event *add_event(mx_measure *m, int64_t at, int kind)
{
    if (MUSC_GROW(m->events, m->cap_events, m->n_events + 1))
        return NULL;
    mx_event *e = &m->events[m->n_events++];
    memset(e, 0, sizeof *e);
    e->at = at < 0 ? 0 : at;
    e->kind = kind;
    return e;
}

static mx_part *part_by_id(mx_reader *r, const char *id)
{
    for (size_t i = 0; i < r->n_parts; i++)
        if (r->parts[i].id && id && strcmp(r->parts[i].id, id) == 0)
            return &r->parts[i];
    return NULL;
}

static mx_part *add_part(mx_reader *r, const char *id)
{
    if (MUSC_GROW(r->parts, r->cap_parts, r->n_parts + 1) ||
        MUSC_GROW(r->content, r->cap_content, r->n_parts + 1))
        return NULL;
    mx_part *p = &r->parts[r->n_parts];
    memset(p, 0, sizeof *p);
    memset(&r->content[r->n_parts], 0, sizeof r->content[0]);
    p->program = -1;
    p->id = strdup(id ? id : "");
    if (!p->id)
        return NULL;
    r->n_parts++;
    return p;
}

static musc_status add_content(mx_reader *r, size_t part, xmlNodePtr measure)
{
    mx_content *c = &r->content[part];
    if (MUSC_GROW(c->nodes, c->cap, c->n + 1))
        return nomem();
    c->nodes[c->n++] = measure;
    return MUSC_OK;
}

/* ---- part-list and metadata --------------------------------------------- */

static musc_status read_score_part(mx_reader *r, xmlNodePtr sp)
{
    const char *id = attr_of(r, sp, "id");
    if (!id)
        return mx_fail(r, sp, "<score-part> without id attribute");
    if (part_by_id(r, id))
        return mx_repair(r, sp, "duplicate <score-part id=\"%.40s\"> ignored", id);
    mx_part *p = add_part(r, id);
    if (!p)
        return nomem();
    xmlNodePtr pn = child(sp, "part-name");
    if (pn) {
        p->name = text_dup(pn);
        if (!p->name)
            return nomem();
        if (!*p->name) {
            free(p->name);
            p->name = NULL;
        }
    }
    for (xmlNodePtr c = sp->children; c; c = c->next) {
        if (is(c, "score-instrument") && !p->instrument_name) {
            xmlNodePtr in = child(c, "instrument-name");
            if (in && !(p->instrument_name = text_dup(in)))
                return nomem();
        } else if (is(c, "midi-instrument")) {
            /* writers disagree on 0- or 1-based numbers here: out-of-range
             * values are reported and ignored rather than refused */
            double prog, chan, v;
            musc_status st;
            if ((st = child_number(r, c, "midi-program", -1e9, 1e9, 0, &prog)) ||
                (st = child_number(r, c, "midi-channel", -1e9, 1e9, 0, &chan)) ||
                (st = child_number(r, c, "midi-unpitched", -1e9, 1e9, 0, &v)))
                return st;
            if (child(c, "midi-program") && (prog < 1 || prog > 128) &&
                (st = mx_repair(r, c, "<midi-program> %g is outside 1..128; ignored", prog)))
                return st;
            if (prog >= 1 && prog <= 128 && p->program < 0)
                p->program = (int)prog - 1;
            if (chan == 10)
                p->drum_channel = 1;
            if (child(c, "midi-unpitched") && (v < 1 || v > 128) &&
                (st = mx_repair(r, c, "<midi-unpitched> %g is outside 1..128; ignored", v)))
                return st;
            if (v < 1 || v > 128)
                v = 0;
            if (MUSC_GROW(p->insts, p->cap_insts, p->n_insts + 1))
                return nomem();
            const char *iid = attr_of(r, c, "id");
            struct mx_inst *in = &p->insts[p->n_insts++];
            in->id = strdup(iid ? iid : "");
            in->unpitched = v >= 1 ? (int)v - 1 : -1;
            if (!in->id)
                return nomem();
        }
    }
    if (p->program < 0)
        p->program = mx_program_from_name(p->instrument_name);
    if (p->program < 0)
        p->program = mx_program_from_name(p->name);
    return MUSC_OK;
}

static musc_status read_header(mx_reader *r, xmlNodePtr root, musc_music *m)
{
    musc_status st;
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (is(c, "work")) {
            xmlNodePtr t = child(c, "work-title");
            if (t && !m->metadata.title) {
                m->metadata.title = text_dup(t);
                if (!m->metadata.title)
                    return nomem();
            }
        } else if (is(c, "movement-title") && !m->metadata.title) {
            if (!(m->metadata.title = text_dup(c)))
                return nomem();
        } else if (is(c, "identification")) {
            for (xmlNodePtr d = c->children; d; d = d->next) {
                if (is(d, "creator")) {
                    const char *t = text_of(r, d);
                    if (*t && (st = musc_music_add_creator(m, t)))
                        return st;
                } else if (is(d, "rights") && !m->metadata.copyright) {
                    if (!(m->metadata.copyright = text_dup(d)))
                        return nomem();
                }
            }
        } else if (is(c, "part-list")) {
            for (xmlNodePtr sp = c->children; sp; sp = sp->next)
                if (is(sp, "score-part") && (st = read_score_part(r, sp)))
                    return st;
        }
    }
    return MUSC_OK;
}

/* Gather each part's measure nodes; score-timewise is transposed here. */
static musc_status collect_measures(mx_reader *r, xmlNodePtr root, int timewise)
{
    musc_status st;
    for (xmlNodePtr a = root->children; a; a = a->next) {
        if (!is(a, timewise ? "measure" : "part"))
            continue;
        if (!timewise) {
            const char *id = attr_of(r, a, "id");
            mx_part *p = part_by_id(r, id);
            if (!p) {
                if ((st = mx_repair(r, a, "<part id=\"%.40s\"> is not in the <part-list>; "
                                          "added", id ? id : "")))
                    return st;
                if (!(p = add_part(r, id)))
                    return nomem();
            }
            size_t pi = (size_t)(p - r->parts);
            for (xmlNodePtr b = a->children; b; b = b->next)
                if (is(b, "measure") && (st = add_content(r, pi, b)))
                    return st;
        } else {
            for (xmlNodePtr b = a->children; b; b = b->next) {
                if (!is(b, "part"))
                    continue;
                const char *id = attr_of(r, b, "id");
                mx_part *p = part_by_id(r, id);
                if (!p) {
                    if ((st = mx_repair(r, b, "<part id=\"%.40s\"> is not in the <part-list>; "
                                              "added", id ? id : "")))
                        return st;
                    if (!(p = add_part(r, id)))
                        return nomem();
                }
                if ((st = add_content(r, (size_t)(p - r->parts), b)))
                    return st;
            }
        }
    }
    return MUSC_OK;
}

/* ---- resolution --------------------------------------------------------- */

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static musc_status parse_divisions(mx_reader *r, xmlNodePtr d, int64_t *out)
{
    double v;
    musc_status st = number(r, d, text_of(r, d), "divisions", 1e-9, MAX_DIVISIONS, &v);
    if (st)
        return st;
    if (v != floor(v)) {
        if ((st = mx_repair(r, d, "<divisions> %g is not a whole number; rounded", v)))
            return st;
        v = v < 1 ? 1 : floor(v + 0.5);
    }
    *out = (int64_t)v;
    return MUSC_OK;
}

/* resolution = LCM of all <divisions> (see the header for the cap). */
static musc_status choose_resolution(mx_reader *r)
{
    int64_t lcm = 0, largest = 0;
    musc_status st;
    for (size_t p = 0; p < r->n_parts; p++)
        for (size_t i = 0; i < r->content[p].n; i++)
            for (xmlNodePtr a = r->content[p].nodes[i]->children; a; a = a->next) {
                if (!is(a, "attributes"))
                    continue;
                for (xmlNodePtr d = a->children; d; d = d->next) {
                    if (!is(d, "divisions"))
                        continue;
                    int64_t v;
                    if ((st = parse_divisions(r, d, &v)))
                        return st;
                    if (!r->first_divisions)
                        r->first_divisions = v;
                    if (v > largest)
                        largest = v;
                    if (lcm <= MAX_RESOLUTION)
                        lcm = lcm ? lcm / gcd64(lcm, v) * (v > MAX_RESOLUTION ? MAX_RESOLUTION + 1
                                                                              : v)
                                  : v;
                }
            }
    if (!lcm) {
        r->resolution = MUSC_DEFAULT_RESOLUTION;
        return MUSC_OK;
    }
    if (lcm > MAX_RESOLUTION) {
        r->rescale = 1;
        r->resolution = largest > MAX_RESOLUTION ? MAX_RESOLUTION : largest;
        return mx_repair(r, NULL,
                         "the <divisions> values have no common multiple up to %d; times "
                         "rounded to %lld ticks per quarter",
                         MAX_RESOLUTION, (long long)r->resolution);
    }
    r->resolution = lcm;
    return MUSC_OK;
}

/* ---- reading one part --------------------------------------------------- */

typedef struct part_state {
    int64_t divisions;  /* 0 until the part's first <divisions> */
    int transpose;      /* semitones written -> sounding */
    int velocity;
    int64_t nominal;    /* current bar length in ticks */
    int64_t pos;        /* cursor in ticks from the measure start */
    int64_t last_onset; /* onset of the previous note, for <chord/> */
} part_state;

/* Convert a duration in the part's divisions to ticks. */
static musc_status to_ticks(mx_reader *r, part_state *ps, xmlNodePtr n, double v, int64_t *out)
{
    if (!ps->divisions) {
        if (!r->first_divisions)
            return mx_fail(r, n, "a duration before any <divisions> (expected <attributes>"
                                 "<divisions>...</divisions> first)");
        musc_status st = mx_repair(r, n, "part has no <divisions> before its first duration; "
                                         "using %lld from another part",
                                   (long long)r->first_divisions);
        if (st)
            return st;
        ps->divisions = r->first_divisions;
    }
    double t = v * (double)r->resolution / (double)ps->divisions;
    if (!(fabs(t) < (double)MAX_TICKS))
        return mx_fail(r, n, "duration %g is too long (limit 2^50 ticks)", v);
    int64_t ticks = (int64_t)llround(t);
    if (!r->rescale && v == floor(v))
        ticks = (int64_t)v * (r->resolution / ps->divisions);
    *out = ticks;
    return MUSC_OK;
}

static musc_status advance(mx_reader *r, part_state *ps, mx_measure *m, xmlNodePtr n, int64_t d)
{
    ps->pos += d;
    if (ps->pos < 0) {
        musc_status st = mx_repair(r, n, "<backup> goes before the start of the measure; "
                                         "clamped");
        if (st)
            return st;
        ps->pos = 0;
    }
    if (ps->pos > MAX_TICKS)
        return mx_fail(r, n, "measure is too long (limit 2^50 ticks)");
    if (ps->pos > m->length)
        m->length = ps->pos;
    return MUSC_OK;
}

static const int STEP_PC[7] = {9, 11, 0, 2, 4, 5, 7}; /* A..G */

static int step_index(const char *s)
{
    if (s[0] >= 'A' && s[0] <= 'G' && s[1] == '\0')
        return s[0] - 'A';
    if (s[0] >= 'a' && s[0] <= 'g' && s[1] == '\0')
        return s[0] - 'a';
    return -1;
}

/* Quarter-note length of a <type> value, or 0 if unknown. */
static double type_quarters(const char *t)
{
    static const struct {
        const char *name;
        double q;
    } T[] = {{"maxima", 32},    {"long", 16},      {"breve", 8},       {"whole", 4},
             {"half", 2},       {"quarter", 1},    {"eighth", 0.5},    {"16th", 0.25},
             {"32nd", 0.125},   {"64th", 0.0625},  {"128th", 1 / 32.}, {"256th", 1 / 64.},
             {"512th", 1 / 128.}, {"1024th", 1 / 256.}};
    for (size_t i = 0; i < sizeof T / sizeof *T; i++)
        if (strcmp(T[i].name, t) == 0)
            return T[i].q;
    return 0;
}

/* A note without <duration>: its length from <type>, dots, tuplet ratio. */
static musc_status duration_from_type(mx_reader *r, xmlNodePtr note, int64_t *out)
{
    xmlNodePtr t = child(note, "type");
    double q = t ? type_quarters(text_of(r, t)) : 0;
    if (q <= 0)
        return mx_fail(r, note, "<note> without <duration> (and no usable <type>)");
    double add = q;
    for (xmlNodePtr c = note->children; c; c = c->next)
        if (is(c, "dot")) {
            add /= 2;
            q += add;
        }
    xmlNodePtr tm = child(note, "time-modification");
    if (tm) {
        double actual, normal;
        musc_status st;
        if ((st = child_number(r, tm, "actual-notes", 1, 1e6, 1, &actual)) ||
            (st = child_number(r, tm, "normal-notes", 1, 1e6, 1, &normal)))
            return st;
        q = q * normal / actual;
    }
    *out = (int64_t)llround(q * (double)r->resolution);
    return mx_repair(r, note, "<note> without <duration>; %g quarters from its <type>", q);
}

static int dynamics_velocity(xmlNodePtr dyn)
{
    static const struct {
        const char *mark;
        int velocity;
    } D[] = {{"pppppp", 4}, {"ppppp", 6}, {"pppp", 8},  {"ppp", 16}, {"pp", 33},
             {"p", 49},     {"mp", 64},   {"mf", 80},   {"f", 96},   {"ff", 112},
             {"fff", 126},  {"ffff", 127}, {"fffff", 127}, {"ffffff", 127}};
    int v = -1;
    for (xmlNodePtr c = dyn->children; c; c = c->next)
        for (size_t i = 0; c->type == XML_ELEMENT_NODE && i < sizeof D / sizeof *D; i++)
            if (strcmp((const char *)c->name, D[i].mark) == 0)
                v = D[i].velocity;
    return v;
}

static int velocity_from_percent(double d)
{
    long v = lround(d * 0.9);
    return v < 0 ? 0 : v > 127 ? 127 : (int)v;
}

static musc_status read_pitch(mx_reader *r, mx_part *p, part_state *ps, xmlNodePtr note,
                              int *pitch)
{
    musc_status st;
    xmlNodePtr pe = child(note, "pitch");
    if (pe) {
        xmlNodePtr s = child(pe, "step");
        int step = s ? step_index(text_of(r, s)) : -1;
        if (step < 0)
            return mx_fail(r, s ? s : pe, "expected <step> A..G in <pitch>");
        double alter, octave;
        if ((st = child_number(r, pe, "alter", -12, 12, 0, &alter)))
            return st;
        xmlNodePtr o = child(pe, "octave");
        if (!o)
            return mx_fail(r, pe, "<pitch> without <octave>");
        if ((st = number(r, o, text_of(r, o), "octave", -10, 20, &octave)))
            return st;
        *pitch = ((int)octave + 1) * 12 + STEP_PC[step] + (int)lround(alter) + ps->transpose;
        return MUSC_OK;
    }
    xmlNodePtr un = child(note, "unpitched");
    p->has_unpitched = 1;
    xmlNodePtr in = child(note, "instrument");
    const char *iid = in ? attr_of(r, in, "id") : NULL;
    for (size_t i = 0; i < p->n_insts; i++)
        if (p->insts[i].unpitched >= 0 && (!iid || strcmp(p->insts[i].id, iid) == 0)) {
            *pitch = p->insts[i].unpitched;
            return MUSC_OK;
        }
    /* no midi-unpitched: the displayed position */
    xmlNodePtr s = child(un, "display-step");
    int step = s ? step_index(text_of(r, s)) : -1;
    double octave = 4;
    if ((st = child_number(r, un, "display-octave", -10, 20, 4, &octave)))
        return st;
    *pitch = ((int)octave + 1) * 12 + (step >= 0 ? STEP_PC[step] : 0);
    return MUSC_OK;
}

static musc_status read_lyric(mx_measure *m, xmlNodePtr note, int64_t at)
{
    xmlNodePtr ly = child(note, "lyric");
    xmlNodePtr tx = ly ? child(ly, "text") : NULL;
    if (!tx)
        return MUSC_OK;
    mx_event *e = add_event(m, at, MX_EV_LYRIC);
    if (!e || !(e->text = text_dup(tx)))
        return nomem();
    return MUSC_OK;
}

static musc_status read_note(mx_reader *r, mx_part *p, part_state *ps, mx_measure *m,
                             xmlNodePtr note)
{
    musc_status st;
    int chord = child(note, "chord") != NULL;
    int grace = child(note, "grace") != NULL;
    int cue = child(note, "cue") != NULL;
    int rest = child(note, "rest") != NULL;
    int64_t dur = 0;
    xmlNodePtr de = child(note, "duration");
    if (grace) {
        if (!(r->flags & MUSC_MUSICXML_KEEP_GRACE) || rest || cue)
            return MUSC_OK;
        dur = r->resolution / 8 > 0 ? r->resolution / 8 : 1;
    } else if (de) {
        double v;
        if ((st = number(r, de, text_of(r, de), "duration", 0, 1e15, &v)) ||
            (st = to_ticks(r, ps, de, v, &dur)))
            return st;
    } else if ((st = duration_from_type(r, note, &dur))) {
        return st;
    }
    int64_t onset = chord ? ps->last_onset : ps->pos;
    if (!chord && !grace) {
        ps->last_onset = ps->pos;
        if ((st = advance(r, ps, m, note, dur)))
            return st;
    }
    if (cue)
        return MUSC_OK;
    if (rest) /* a lyric may sit on a rest */
        return chord ? MUSC_OK : read_lyric(m, note, onset);
    if (!child(note, "pitch") && !child(note, "unpitched"))
        return mx_fail(r, note, "<note> without <pitch>, <unpitched> or <rest>");
    int pitch = 0;
    if ((st = read_pitch(r, p, ps, note, &pitch)))
        return st;
    if (pitch < 0 || pitch > 127)
        return mx_repair(r, note, "pitch %d is outside 0..127; note dropped", pitch);
    int velocity = ps->velocity;
    const char *dyn = attr_of(r, note, "dynamics");
    if (dyn) {
        double d;
        if ((st = number(r, note, dyn, "dynamics", 0, 1e4, &d)))
            return st;
        velocity = velocity_from_percent(d);
    }
    mx_note n = {.on = onset, .dur = dur, .pitch = (int16_t)pitch, .velocity = (int16_t)velocity};
    for (xmlNodePtr c = note->children; c; c = c->next) {
        xmlNodePtr tie = NULL;
        if (is(c, "tie"))
            tie = c;
        for (xmlNodePtr nt = is(c, "notations") ? c->children : NULL; nt; nt = nt->next)
            if (is(nt, "tied")) {
                const char *ty = attr_of(r, nt, "type");
                if (ty && (!strcmp(ty, "start") || !strcmp(ty, "continue")))
                    n.tie_start = 1;
                if (ty && (!strcmp(ty, "stop") || !strcmp(ty, "continue")))
                    n.tie_stop = 1;
            }
        if (tie) {
            const char *ty = attr_of(r, tie, "type");
            if (ty && !strcmp(ty, "start"))
                n.tie_start = 1;
            if (ty && !strcmp(ty, "stop"))
                n.tie_stop = 1;
        }
    }
    if (grace)
        n.tie_start = n.tie_stop = 0;
    if (MUSC_GROW(m->notes, m->cap_notes, m->n_notes + 1))
        return nomem();
    m->notes[m->n_notes++] = n;
    return read_lyric(m, note, onset);
}

/* Mode name -> (musc mode, semitones from the major tonic). */
static void key_mode(const char *mode, int *musc_mode, int *shift)
{
    static const struct {
        const char *name;
        int mode, shift;
    } M[] = {{"major", MUSC_MODE_MAJOR, 0},  {"ionian", MUSC_MODE_MAJOR, 0},
             {"minor", MUSC_MODE_MINOR, 9},  {"aeolian", MUSC_MODE_MINOR, 9},
             {"dorian", MUSC_MODE_NONE, 2},  {"phrygian", MUSC_MODE_NONE, 4},
             {"lydian", MUSC_MODE_NONE, 5},  {"mixolydian", MUSC_MODE_NONE, 7},
             {"locrian", MUSC_MODE_NONE, 11}};
    *musc_mode = MUSC_MODE_MAJOR;
    *shift = 0;
    for (size_t i = 0; mode && i < sizeof M / sizeof *M; i++)
        if (strcasecmp(M[i].name, mode) == 0) {
            *musc_mode = M[i].mode;
            *shift = M[i].shift;
        }
}

/* Sum "3+2" style beats. */
static int beats_value(const char *s)
{
    long sum = 0;
    while (*s) {
        if (isdigit((unsigned char)*s)) {
            long v = 0;
            while (isdigit((unsigned char)*s)) {
                if (v < 100000)
                    v = v * 10 + (*s - '0');
                s++;
            }
            sum += v;
            if (sum > 100000)
                return -1;
        } else {
            s++;
        }
    }
    return (int)sum;
}

static musc_status read_time(mx_reader *r, part_state *ps, mx_measure *m, xmlNodePtr t)
{
    long num = 0, den = 0;
    for (xmlNodePtr c = t->children; c; c = c->next) {
        if (!is(c, "beats"))
            continue;
        xmlNodePtr bt = c->next;
        while (bt && bt->type != XML_ELEMENT_NODE)
            bt = bt->next;
        if (!is(bt, "beat-type"))
            return mx_fail(r, c, "<beats> not followed by <beat-type>");
        int b = beats_value(text_of(r, c));
        double d;
        musc_status st = number(r, bt, text_of(r, bt), "beat-type", 1, 1024, &d);
        if (st)
            return st;
        if (b <= 0)
            return mx_fail(r, c, "<beats> \"%s\", expected a positive count", text_of(r, c));
        long dd = (long)d;
        if (!den) {
            num = b;
            den = dd;
        } else { /* composite: add over a common denominator */
            long l = den / gcd64(den, dd) * dd;
            num = num * (l / den) + b * (l / dd);
            den = l;
        }
        if (num > 100000 || den > 1 << 20)
            return mx_fail(r, c, "time signature too large");
    }
    if (!den)
        return MUSC_OK; /* senza-misura */
    mx_event *e = add_event(m, ps->pos, MX_EV_TIME);
    if (!e)
        return nomem();
    e->a = (int)num;
    e->b = (int)den;
    ps->nominal = (int64_t)llround(4.0 * (double)r->resolution * (double)num / (double)den);
    m->nominal = ps->nominal;
    return MUSC_OK;
}

static musc_status read_attributes(mx_reader *r, part_state *ps, mx_measure *m, xmlNodePtr at)
{
    musc_status st;
    int have_key = 0;
    for (xmlNodePtr c = at->children; c; c = c->next) {
        if (is(c, "divisions")) {
            if ((st = parse_divisions(r, c, &ps->divisions)))
                return st;
        } else if (is(c, "key") && !have_key) {
            xmlNodePtr f = child(c, "fifths");
            if (!f)
                continue; /* non-traditional keys are not modelled */
            double fifths;
            if ((st = number(r, f, text_of(r, f), "fifths", -7, 7, &fifths)))
                return st;
            xmlNodePtr mo = child(c, "mode");
            int mode, shift;
            key_mode(mo ? text_of(r, mo) : NULL, &mode, &shift);
            int root = (((int)fifths * 7 + shift) % 12 + 12) % 12;
            if (mo && !strcmp(text_of(r, mo), "none")) {
                mode = MUSC_MODE_NONE;
                root = -1;
            }
            mx_event *e = add_event(m, ps->pos, MX_EV_KEY);
            if (!e)
                return nomem();
            e->a = (int)fifths;
            e->b = mode;
            e->c = root;
            have_key = 1;
        } else if (is(c, "time")) {
            if ((st = read_time(r, ps, m, c)))
                return st;
        } else if (is(c, "transpose")) {
            double chromatic, octave;
            if ((st = child_number(r, c, "chromatic", -127, 127, 0, &chromatic)) ||
                (st = child_number(r, c, "octave-change", -10, 10, 0, &octave)))
                return st;
            ps->transpose = (int)chromatic + 12 * (int)octave;
        }
    }
    return MUSC_OK;
}

static musc_status add_tempo(mx_measure *m, int64_t at, double qpm)
{
    mx_event *e = add_event(m, at, MX_EV_TEMPO);
    if (!e)
        return nomem();
    e->qpm = qpm;
    return MUSC_OK;
}

/* A <sound>: tempo, dynamics and jump marks. Returns (via *jumps) whether it
 * carried any jump attribute, so words beside it are not read twice. */
static musc_status read_sound(mx_reader *r, part_state *ps, mx_measure *m, mx_flow *f,
                              xmlNodePtr s, int64_t at, int *tempo_seen, int *jumps)
{
    musc_status st;
    const char *v;
    if ((v = attr_of(r, s, "tempo"))) {
        double q;
        if ((st = number(r, s, v, "sound tempo", 0, 1e6, &q)))
            return st;
        if (q > 0) {
            if ((st = add_tempo(m, at, q)))
                return st;
            *tempo_seen = 1;
        }
    }
    if ((v = attr_of(r, s, "dynamics"))) {
        double d;
        if ((st = number(r, s, v, "sound dynamics", 0, 1e4, &d)))
            return st;
        ps->velocity = velocity_from_percent(d);
    }
    if (attr_of(r, s, "dacapo") && attr_is(r, s, "dacapo", "yes"))
        f->dacapo = *jumps = 1;
    if (attr_of(r, s, "dalsegno"))
        f->dalsegno = *jumps = 1;
    if (attr_of(r, s, "segno"))
        f->segno = *jumps = 1;
    if (attr_of(r, s, "coda"))
        f->coda = *jumps = 1;
    if (attr_of(r, s, "tocoda"))
        f->tocoda = *jumps = 1;
    if (attr_of(r, s, "fine"))
        f->fine = *jumps = 1;
    return MUSC_OK;
}

static int starts_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Jump instructions written as words. */
static void read_words(const char *w, mx_flow *f)
{
    if (starts_ci(w, "D.C.") || starts_ci(w, "D. C.") || starts_ci(w, "Da Capo"))
        f->dacapo = 1;
    else if (starts_ci(w, "D.S.") || starts_ci(w, "D. S.") || starts_ci(w, "Dal Segno"))
        f->dalsegno = 1;
    else if (strcasecmp(w, "Fine") == 0)
        f->fine = 1;
    else if (starts_ci(w, "To Coda"))
        f->tocoda = 1;
}

static double metronome_qpm(mx_reader *r, xmlNodePtr met)
{
    xmlNodePtr bu = child(met, "beat-unit"), pm = child(met, "per-minute");
    if (!bu || !pm)
        return 0;
    double q = type_quarters(text_of(r, bu)), add = q;
    for (xmlNodePtr c = bu->next; c && !is(c, "beat-unit") && !is(c, "per-minute"); c = c->next)
        if (is(c, "beat-unit-dot")) {
            add /= 2;
            q += add;
        }
    char *end;
    const char *t = text_of(r, pm);
    double per = strtod(t, &end);
    if (end == t || !(per > 0) || per > 1e5)
        return 0;
    return per * q;
}

static musc_status read_direction(mx_reader *r, part_state *ps, mx_measure *m, mx_flow *f,
                                  xmlNodePtr d)
{
    musc_status st;
    int64_t at = ps->pos;
    xmlNodePtr off = child(d, "offset");
    if (off) {
        double v;
        int64_t t;
        if ((st = number(r, off, text_of(r, off), "offset", -1e12, 1e12, &v)) ||
            (st = to_ticks(r, ps, off, v, &t)))
            return st;
        at += t;
    }
    int tempo_seen = 0, jumps = 0;
    for (xmlNodePtr s = d->children; s; s = s->next)
        if (is(s, "sound") && (st = read_sound(r, ps, m, f, s, at, &tempo_seen, &jumps)))
            return st;
    for (xmlNodePtr dt = d->children; dt; dt = dt->next) {
        if (!is(dt, "direction-type"))
            continue;
        for (xmlNodePtr c = dt->children; c; c = c->next) {
            if (is(c, "metronome") && !tempo_seen) {
                double q = metronome_qpm(r, c);
                if (q > 0) {
                    if ((st = add_tempo(m, at, q)))
                        return st;
                    tempo_seen = 1;
                }
            } else if (is(c, "dynamics")) {
                int v = dynamics_velocity(c);
                if (v >= 0 && !child(d, "sound"))
                    ps->velocity = v;
                else if (v >= 0 && !attr_of(r, child(d, "sound"), "dynamics"))
                    ps->velocity = v;
            } else if (is(c, "words") && !jumps) {
                read_words(text_of(r, c), f);
            } else if (is(c, "segno") && !jumps) {
                f->segno = 1;
            } else if (is(c, "coda") && !jumps) {
                f->coda_sign = 1;
            }
        }
    }
    return MUSC_OK;
}

static musc_status read_barline(mx_reader *r, mx_flow *f, xmlNodePtr b)
{
    musc_status st;
    for (xmlNodePtr c = b->children; c; c = c->next) {
        if (is(c, "repeat")) {
            const char *dir = attr_of(r, c, "direction");
            if (dir && !strcmp(dir, "forward"))
                f->fwd = 1;
            else if (dir && !strcmp(dir, "backward")) {
                f->bwd = 1;
                const char *t = attr_of(r, c, "times");
                if (t) {
                    double v;
                    if ((st = number(r, c, t, "repeat times", 0, 100, &v)))
                        return st;
                    f->times = (int)v;
                }
            }
        } else if (is(c, "ending")) {
            /* attr_of reuses one buffer: take the number before the type */
            const char *num = attr_of(r, c, "number");
            uint32_t mask = mx_ending_mask(num);
            char numtext[48];
            snprintf(numtext, sizeof numtext, "%.40s", num ? num : "");
            const char *ty = attr_of(r, c, "type");
            if (ty && !strcmp(ty, "start")) {
                if (!mask && (st = mx_repair(r, c, "<ending> number \"%.40s\" has no number "
                                                   "1..32; ignored",
                                             numtext)))
                    return st;
                f->ending_start |= mask;
            } else if (ty && (!strcmp(ty, "stop") || !strcmp(ty, "discontinue"))) {
                f->ending_stop = 1;
            }
        } else if (is(c, "segno")) {
            f->segno = 1;
        } else if (is(c, "coda")) {
            f->coda_sign = 1;
        }
    }
    return MUSC_OK;
}

static musc_status read_harmony(mx_reader *r, part_state *ps, mx_measure *m, xmlNodePtr h)
{
    musc_status st;
    char text[256];
    size_t len = 0;
    text[0] = '\0';
#define APPEND(...)                                                                         \
    do {                                                                                    \
        if (len < sizeof text)                                                              \
            len += (size_t)snprintf(text + len, sizeof text - len, __VA_ARGS__);            \
    } while (0)
    xmlNodePtr root = child(h, "root"), fn = child(h, "function"), kind = child(h, "kind");
    const char *kv = kind ? text_of(r, kind) : "";
    char kindv[64];
    snprintf(kindv, sizeof kindv, "%s", kv);
    if (!strcmp(kindv, "none")) {
        APPEND("N.C.");
    } else {
        if (root) {
            xmlNodePtr rs = child(root, "root-step");
            int step = rs ? step_index(text_of(r, rs)) : -1;
            if (step < 0)
                return mx_fail(r, root, "expected <root-step> A..G in <root>");
            double alter;
            if ((st = child_number(r, root, "root-alter", -3, 3, 0, &alter)))
                return st;
            APPEND("%c", 'A' + step);
            for (int a = (int)lround(alter); a != 0; a += a > 0 ? -1 : 1)
                APPEND("%c", a > 0 ? '#' : 'b');
        } else if (fn) {
            APPEND("%s", text_of(r, fn));
        } else {
            return mx_repair(r, h, "<harmony> without <root> or <function>; ignored");
        }
        const char *suffix = mx_kind_suffix(kindv);
        const char *ktext = kind ? attr_of(r, kind, "text") : NULL;
        if (!suffix || !strcmp(kindv, "other"))
            suffix = ktext ? ktext : "";
        APPEND("%s", suffix);
        for (xmlNodePtr d = h->children; d; d = d->next) {
            if (!is(d, "degree"))
                continue;
            double val, alter;
            if ((st = child_number(r, d, "degree-value", 0, 99, 0, &val)) ||
                (st = child_number(r, d, "degree-alter", -3, 3, 0, &alter)))
                return st;
            xmlNodePtr ty = child(d, "degree-type");
            const char *t = ty ? text_of(r, ty) : "add";
            const char *acc = alter > 0 ? "#" : alter < 0 ? "b" : "";
            if (!strcmp(t, "subtract"))
                APPEND("omit%d", (int)val);
            else if (!strcmp(t, "alter"))
                APPEND("%s%d", acc, (int)val);
            else
                APPEND("add%s%d", acc, (int)val);
        }
        xmlNodePtr bass = child(h, "bass");
        if (bass) {
            xmlNodePtr bs = child(bass, "bass-step");
            int step = bs ? step_index(text_of(r, bs)) : -1;
            double alter;
            if ((st = child_number(r, bass, "bass-alter", -3, 3, 0, &alter)))
                return st;
            if (step >= 0) {
                APPEND("/%c", 'A' + step);
                for (int a = (int)lround(alter); a != 0; a += a > 0 ? -1 : 1)
                    APPEND("%c", a > 0 ? '#' : 'b');
            }
        }
    }
#undef APPEND
    int64_t at = ps->pos;
    xmlNodePtr off = child(h, "offset");
    if (off) {
        double v;
        int64_t t;
        if ((st = number(r, off, text_of(r, off), "offset", -1e12, 1e12, &v)) ||
            (st = to_ticks(r, ps, off, v, &t)))
            return st;
        at += t;
    }
    mx_event *e = add_event(m, at, MX_EV_CHORD);
    if (!e || !(e->text = strdup(text)))
        return nomem();
    return MUSC_OK;
}

static musc_status read_measure(mx_reader *r, mx_part *p, part_state *ps, mx_measure *m,
                                mx_flow *f, xmlNodePtr measure)
{
    musc_status st = MUSC_OK;
    ps->pos = 0;
    ps->last_onset = 0;
    m->nominal = ps->nominal;
    for (xmlNodePtr c = measure->children; c && !st; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)c->name;
        if (!strcmp(name, "note")) {
            st = read_note(r, p, ps, m, c);
        } else if (!strcmp(name, "backup") || !strcmp(name, "forward")) {
            xmlNodePtr de = child(c, "duration");
            double v;
            int64_t t;
            if (!de) {
                st = mx_fail(r, c, "<%s> without <duration>", name);
                break;
            }
            if ((st = number(r, de, text_of(r, de), "duration", 0, 1e15, &v)) ||
                (st = to_ticks(r, ps, de, v, &t)))
                break;
            st = advance(r, ps, m, c, name[0] == 'b' ? -t : t);
        } else if (!strcmp(name, "attributes")) {
            st = read_attributes(r, ps, m, c);
        } else if (!strcmp(name, "direction")) {
            st = read_direction(r, ps, m, f, c);
        } else if (!strcmp(name, "sound")) {
            int tempo_seen = 0, jumps = 0;
            st = read_sound(r, ps, m, f, c, ps->pos, &tempo_seen, &jumps);
        } else if (!strcmp(name, "barline")) {
            st = read_barline(r, f, c);
        } else if (!strcmp(name, "harmony")) {
            st = read_harmony(r, ps, m, c);
        }
    }
    return st;
}

static musc_status read_parts(mx_reader *r)
{
    size_t n = 0;
    for (size_t p = 0; p < r->n_parts; p++)
        if (r->content[p].n > n)
            n = r->content[p].n;
    r->flow = calloc(n ? n : 1, sizeof *r->flow);
    if (!r->flow)
        return nomem();
    r->n_flow = n;
    for (size_t pi = 0; pi < r->n_parts; pi++) {
        mx_part *p = &r->parts[pi];
        mx_content *c = &r->content[pi];
        p->measures = calloc(c->n ? c->n : 1, sizeof *p->measures);
        if (!p->measures)
            return nomem();
        p->n_measures = p->cap_measures = c->n;
        part_state ps = {.velocity = MUSC_DEFAULT_VELOCITY};
        for (size_t i = 0; i < c->n; i++) {
            musc_status st = read_measure(r, p, &ps, &p->measures[i], &r->flow[i], c->nodes[i]);
            if (st)
                return st;
        }
    }
    return MUSC_OK;
}

/* ---- entry points -------------------------------------------------------- */

static void reader_free(mx_reader *r)
{
    for (size_t pi = 0; pi < r->n_parts; pi++) {
        mx_part *p = &r->parts[pi];
        for (size_t i = 0; i < p->n_measures; i++) {
            mx_measure *m = &p->measures[i];
            for (size_t k = 0; k < m->n_events; k++)
                free(m->events[k].text);
            free(m->events);
            free(m->notes);
        }
        for (size_t i = 0; i < p->n_insts; i++)
            free(p->insts[i].id);
        free(p->insts);
        free(p->measures);
        free(p->id);
        free(p->name);
        free(p->instrument_name);
        free(r->content[pi].nodes);
    }
    free(r->parts);
    free(r->content);
    free(r->flow);
}

static musc_status parse_document(const uint8_t *data, size_t size, xmlDocPtr *out)
{
    *out = NULL;
    if (size > INT32_MAX)
        return musc_error(MUSC_ERR_FORMAT, "musicxml: document over 2 GiB");
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return nomem();
    /* no NOENT (entities stay unexpanded), no DTDLOAD, no HUGE; NONET */
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES |
               XML_PARSE_NOCDATA;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, (const char *)data, (int)size, "score.musicxml",
                                      NULL, opts);
    if (!doc || !ctxt->wellFormed) {
        xmlErrorPtr e = xmlCtxtGetLastError(ctxt);
        char msg[256];
        snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "unreadable document");
        size_t k = strlen(msg);
        while (k && (msg[k - 1] == '\n' || msg[k - 1] == ' '))
            msg[--k] = '\0';
        musc_status st = musc_error(MUSC_ERR_FORMAT, "musicxml: line %d: not well-formed XML: %s",
                                    e ? e->line : 0, msg);
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return st;
    }
    xmlFreeParserCtxt(ctxt);
    *out = doc;
    return MUSC_OK;
}

static musc_status read_xml(const uint8_t *data, size_t size, const musc_read_options *options,
                            musc_music **out, musc_report *report)
{
    xmlDocPtr doc;
    musc_status st = parse_document(data, size, &doc);
    if (st)
        return st;
    mx_reader *r = calloc(1, sizeof *r);
    musc_music *m = NULL;
    if (!r) {
        xmlFreeDoc(doc);
        return nomem();
    }
    r->report = report;
    r->strict = options ? options->strict : 0;
    r->flags = options ? options->flags : 0;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int timewise = is(root, "score-timewise");
    if (!is(root, "score-partwise") && !timewise) {
        st = mx_fail(r, root, "root element <%s>, expected <score-partwise> or <score-timewise>",
                     root ? (const char *)root->name : "none");
        goto done;
    }
    if (!(m = musc_music_new(1))) {
        st = nomem();
        goto done;
    }
    if ((st = read_header(r, root, m)) || (st = collect_measures(r, root, timewise)) ||
        (st = choose_resolution(r)) || (st = read_parts(r)))
        goto done;
    m->resolution = (int)r->resolution;
    if ((st = musc_set_string(&m->metadata.source_format, "musicxml")) ||
        (st = mx_build(r, m)))
        goto done;
    *out = m;
    m = NULL;
done:
    musc_music_free(m);
    reader_free(r);
    free(r);
    xmlFreeDoc(doc);
    return st;
}

musc_status musc_musicxml_read_mem(const uint8_t *data, size_t size,
                                   const musc_read_options *options, musc_music **out,
                                   musc_report *report)
{
    *out = NULL;
    xmlInitParser();
    if (size >= 4 && memcmp(data, "PK\3\4", 4) == 0) {
        uint8_t *xml;
        size_t n;
        musc_status st = musc_mxl_extract(data, size, &xml, &n, report);
        if (st)
            return st;
        st = read_xml(xml, n, options, out, report);
        free(xml);
        return st;
    }
    return read_xml(data, size, options, out, report);
}

musc_status musc_musicxml_read(const char *path, const musc_read_options *options,
                               musc_music **out, musc_report *report)
{
    *out = NULL;
    uint8_t *data;
    size_t size;
    musc_status st = musc_file_read_all(path, (size_t)256 << 20, &data, &size);
    if (st)
        return st;
    st = musc_musicxml_read_mem(data, size, options, out, report);
    free(data);
    if (st) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", musc_errmsg());
        return musc_error(st, "%s: %s", path, msg);
    }
    const char *base = strrchr(path, '/');
    return musc_set_string(&(*out)->metadata.source_filename, base ? base + 1 : path);
}
