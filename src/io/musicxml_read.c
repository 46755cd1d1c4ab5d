/*
 * MusicXML reader, document level: parse with libxml2, read the header and
 * part-list, gather each part's measures (transposing score-timewise),
 * choose the resolution, read every measure (musicxml_measure.c) and lay
 * them out in playing order (musicxml_build.c). The rules are listed in
 * include/musc/musicxml.h.
 *
 * The tree is walked with a fixed shape (score, part, measure, note, ...),
 * so hostile nesting cannot recurse deeply here; libxml2 itself keeps its
 * default depth limit. Every number is range-checked and every time is kept
 * below 2^50 ticks, so arithmetic cannot overflow.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/grow.h"
#include "musc/musicxml.h"
#include "musicxml_internal.h"
#include "musicxml_read.h"

#define MAX_RESOLUTION (1 << 20)
#define MAX_DIVISIONS 1e9

/* ---- growing the parsed form -------------------------------------------- */
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
    p->channel = -1;
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
        return mx_nomem();
    c->nodes[c->n++] = measure;
    return MUSC_OK;
}

/* ---- part-list and metadata --------------------------------------------- */

static musc_status read_score_part(mx_reader *r, xmlNodePtr sp)
{
    const char *id = mx_attr(r, sp, "id");
    if (!id)
        return mx_fail(r, sp, "<score-part> without id attribute");
    if (part_by_id(r, id))
        return mx_repair(r, sp, "duplicate <score-part id=\"%.40s\"> ignored", id);
    mx_part *p = add_part(r, id);
    if (!p)
        return mx_nomem();
    xmlNodePtr pn = mx_child(sp, "part-name");
    if (pn) {
        p->name = mx_text_dup(pn);
        if (!p->name)
            return mx_nomem();
        if (!*p->name) {
            free(p->name);
            p->name = NULL;
        }
    }
    for (xmlNodePtr c = sp->children; c; c = c->next) {
        if (mx_is(c, "score-instrument") && !p->instrument_name) {
            xmlNodePtr in = mx_child(c, "instrument-name");
            if (in && !(p->instrument_name = mx_text_dup(in)))
                return mx_nomem();
        } else if (mx_is(c, "midi-instrument")) {
            /* writers disagree on 0- or 1-based numbers here: out-of-range
             * values are reported and ignored rather than refused */
            double prog, chan, v;
            musc_status st;
            if ((st = mx_child_number(r, c, "midi-program", -1e9, 1e9, 0, &prog)) ||
                (st = mx_child_number(r, c, "midi-channel", -1e9, 1e9, 0, &chan)) ||
                (st = mx_child_number(r, c, "midi-unpitched", -1e9, 1e9, 0, &v)))
                return st;
            if (mx_child(c, "midi-program") && (prog < 1 || prog > 128) &&
                (st = mx_repair(r, c, "<midi-program> %g is outside 1..128; ignored", prog)))
                return st;
            if (prog >= 1 && prog <= 128 && p->program < 0)
                p->program = (int)prog - 1;
            if (chan == 10)
                p->drum_channel = 1;
            if (chan >= 1 && chan <= 16 && chan == (int)chan && p->channel < 0)
                p->channel = (int)chan - 1;
            if (mx_child(c, "midi-unpitched") && (v < 1 || v > 128) &&
                (st = mx_repair(r, c, "<midi-unpitched> %g is outside 1..128; ignored", v)))
                return st;
            if (v < 1 || v > 128)
                v = 0;
            if (MUSC_GROW(p->insts, p->cap_insts, p->n_insts + 1))
                return mx_nomem();
            const char *iid = mx_attr(r, c, "id");
            struct mx_inst *in = &p->insts[p->n_insts++];
            in->id = strdup(iid ? iid : "");
            in->unpitched = v >= 1 ? (int)v - 1 : -1;
            if (!in->id)
                return mx_nomem();
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
        if (mx_is(c, "work")) {
            xmlNodePtr t = mx_child(c, "work-title");
            if (t && !m->metadata.title) {
                m->metadata.title = mx_text_dup(t);
                if (!m->metadata.title)
                    return mx_nomem();
            }
        } else if (mx_is(c, "movement-title") && !m->metadata.title) {
            if (!(m->metadata.title = mx_text_dup(c)))
                return mx_nomem();
        } else if (mx_is(c, "identification")) {
            for (xmlNodePtr d = c->children; d; d = d->next) {
                if (mx_is(d, "creator")) {
                    const char *t = mx_text(r, d);
                    if (*t && (st = musc_music_add_creator(m, t)))
                        return st;
                } else if (mx_is(d, "rights") && !m->metadata.copyright) {
                    if (!(m->metadata.copyright = mx_text_dup(d)))
                        return mx_nomem();
                }
            }
        } else if (mx_is(c, "part-list")) {
            for (xmlNodePtr sp = c->children; sp; sp = sp->next)
                if (mx_is(sp, "score-part") && (st = read_score_part(r, sp)))
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
        if (!mx_is(a, timewise ? "measure" : "part"))
            continue;
        if (!timewise) {
            const char *id = mx_attr(r, a, "id");
            mx_part *p = part_by_id(r, id);
            if (!p) {
                if ((st = mx_repair(r, a, "<part id=\"%.40s\"> is not in the <part-list>; "
                                          "added", id ? id : "")))
                    return st;
                if (!(p = add_part(r, id)))
                    return mx_nomem();
            }
            size_t pi = (size_t)(p - r->parts);
            for (xmlNodePtr b = a->children; b; b = b->next)
                if (mx_is(b, "measure") && (st = add_content(r, pi, b)))
                    return st;
        } else {
            for (xmlNodePtr b = a->children; b; b = b->next) {
                if (!mx_is(b, "part"))
                    continue;
                const char *id = mx_attr(r, b, "id");
                mx_part *p = part_by_id(r, id);
                if (!p) {
                    if ((st = mx_repair(r, b, "<part id=\"%.40s\"> is not in the <part-list>; "
                                              "added", id ? id : "")))
                        return st;
                    if (!(p = add_part(r, id)))
                        return mx_nomem();
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

musc_status mx_parse_divisions(mx_reader *r, xmlNodePtr d, int64_t *out)
{
    double v;
    musc_status st = mx_number(r, d, mx_text(r, d), "divisions", 1e-9, MAX_DIVISIONS, &v);
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
                if (!mx_is(a, "attributes"))
                    continue;
                for (xmlNodePtr d = a->children; d; d = d->next) {
                    if (!mx_is(d, "divisions"))
                        continue;
                    int64_t v;
                    if ((st = mx_parse_divisions(r, d, &v)))
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
    /* ornaments are timed on MuseScore's grid of 480 ticks per quarter */
    if (r->flags & MUSC_MUSICXML_PLAY_ORNAMENTS && lcm / gcd64(lcm, 480) * 480 <= MAX_RESOLUTION)
        r->resolution = lcm / gcd64(lcm, 480) * 480;
    return MUSC_OK;
}


/* Convert a duration in the part's divisions to ticks. */
static musc_status read_parts(mx_reader *r)
{
    size_t n = 0;
    for (size_t p = 0; p < r->n_parts; p++)
        if (r->content[p].n > n)
            n = r->content[p].n;
    r->flow = calloc(n ? n : 1, sizeof *r->flow);
    if (!r->flow)
        return mx_nomem();
    r->n_flow = n;
    for (size_t pi = 0; pi < r->n_parts; pi++) {
        mx_part *p = &r->parts[pi];
        mx_content *c = &r->content[pi];
        p->measures = calloc(c->n ? c->n : 1, sizeof *p->measures);
        if (!p->measures)
            return mx_nomem();
        p->n_measures = p->cap_measures = c->n;
        part_state ps = {.velocity = MUSC_DEFAULT_VELOCITY};
        for (size_t i = 0; i < c->n; i++) {
            mx_measure *ms = &p->measures[i];
            musc_status st = mx_read_measure(r, p, &ps, ms, &r->flow[i], c->nodes[i]);
            if (st)
                return st;
            /* an overfull bar keeps its notes (and its length) */
            if (ms->nominal > 0 && ms->length > ms->nominal &&
                (st = mx_repair(r, c->nodes[i],
                                "part %.40s measure %zu lasts %lld ticks, over the %lld of its "
                                "time signature; kept",
                                p->id, i + 1, (long long)ms->length, (long long)ms->nominal)))
                return st;
        }
        mx_unterminated_trills(&ps);
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
        return mx_nomem();
    /* no NOENT (entities stay unexpanded), no DTDLOAD, no HUGE; NONET */
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES |
               XML_PARSE_NOCDATA;
    mx_quiet q;
    mx_quiet_begin(&q);
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, (const char *)data, (int)size, "score.musicxml",
                                      NULL, opts);
    mx_quiet_end(&q);
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
        return mx_nomem();
    }
    r->report = report;
    r->strict = options ? options->strict : 0;
    r->flags = options ? options->flags : 0;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int timewise = mx_is(root, "score-timewise");
    if (!mx_is(root, "score-partwise") && !timewise) {
        st = mx_fail(r, root, "root element <%s>, expected <score-partwise> or <score-timewise>",
                     root ? (const char *)root->name : "none");
        goto done;
    }
    if (!(m = musc_music_new(1))) {
        st = mx_nomem();
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
    st = musc_set_string(&(*out)->metadata.source_filename, base ? base + 1 : path);
    if (st) {
        musc_music_free(*out);
        *out = NULL;
    }
    return st;
}

