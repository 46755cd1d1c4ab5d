/*
 * Second half of the MusicXML reader: lay the parsed measures out in
 * playing order and fill the music.
 *
 * Every measure index gets one length for all parts (the longest part's
 * content, or its bar length when empty), so parts stay aligned even when
 * one of them underfills a bar. Measures are then emitted in the order that
 * musicxml_repeats.c computes, which is why ties are merged here and not
 * while parsing: a tie into a second ending must join the note that really
 * precedes it in time.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/grow.h"
#include "musc/musicxml.h"
#include "musicxml_read.h"

#define MAX_PLAYED 100000
#define MAX_TOTAL ((int64_t)1 << 56)
#define MAX_TRILL_NOTES 4096

typedef struct open_tie {
    size_t idx;     /* a note of the track waiting for its tie-stop */
    uint16_t voice; /* its staff and voice (mx_note.voice) */
    unsigned char drawn; /* started by <tied> (mx_note.tied_start) */
} open_tie;

typedef struct open_ties {
    open_tie *w;
    size_t n, cap;
    int64_t bar, prev_bar; /* start of the measure being emitted, and of the one before */
} open_ties;

#define MAX_TAIL 8

/* A track note to realise as an ornament once ties are merged. */
typedef struct ornament {
    size_t track, note;
    unsigned char kind;
    int16_t upper, lower;
    int64_t base;            /* written length of the ornamented note (before ties) */
    int16_t tail[MAX_TAIL];  /* graces after the note, played at the ornament's speed */
    int n_tail;
    int16_t head[MAX_TAIL];  /* graces before it, likewise */
    int n_head;
} ornament;

typedef struct build_state {
    int have_key, key_fifths, key_mode;
    int have_time, time_num, time_den;
    size_t key_part, time_part;
    ornament *orns;
    size_t n_orns, cap_orns;
    size_t *wedge_open; /* [part * 16 + number - 1]: index + 1 of the track's open
                           hairpin of that number, 0 = none */
    size_t tail_track; /* graces after an ornamented note still to come: */
    int tail_left;     /* they join its ornament (orns[n_orns - 1]) */
    mx_note pend[MAX_TAIL]; /* graces of the next ornamented note (mx_note.head), */
    int64_t pend_on[MAX_TAIL]; /* held until it is known to be ornamented */
    int n_head;
} build_state;

static musc_status nomem(void)
{
    return musc_error(MUSC_ERR_NOMEM, "musicxml: out of memory");
}

static musc_status add_tempo(musc_music *m, int64_t t, double qpm, int64_t measure_start)
{
    for (size_t j = m->n_tempos; j-- > 0 && m->tempos[j].time >= measure_start;)
        if (m->tempos[j].time == t) {
            m->tempos[j].qpm = qpm;
            return MUSC_OK;
        }
    return musc_music_add_tempo(m, t, qpm);
}

/* Quarter notes per minute at tick t (MuseScore's default 120 before any). */
static double qpm_at(const musc_music *m, int64_t t)
{
    double q = 120;
    for (size_t j = 0; j < m->n_tempos && m->tempos[j].time <= t; j++)
        q = m->tempos[j].qpm;
    return q > 0 ? q : 120;
}

/* permille/1000 of a duration, rounded down on MuseScore's grid of 480
 * ticks a quarter (the resolution is a multiple of 480 when ornaments are
 * played; otherwise in the music's own ticks). */
static int64_t pm_ticks(const musc_music *m, int64_t permille, int64_t dur)
{
    if (m->resolution % 480 == 0) {
        int64_t f = m->resolution / 480;
        return permille * (dur / f) / 1000 * f;
    }
    return permille * dur / 1000;
}

/* How much of its principal a grace group takes, in per mille, as MuseScore
 * 3 plays it: an acciaccatura 65 ms a grace note, at most half the
 * principal; appoggiaturas (and graces after a note) half the principal,
 * or its undotted value when it is dotted (two thirds of a dotted note). */
static int64_t grace_permille(const musc_music *m, int kind, int count, int64_t pdur,
                              int pdots, int64_t onset)
{
    if (kind != MX_GRACE_ACCIACCATURA) {
        static const int64_t DOTTED[4] = {500, 667, 571, 533}; /* 2^d / (2^(d+1) - 1) */
        return DOTTED[pdots > 3 ? 3 : pdots];
    }
    double chord_ms = (double)pdur / m->resolution * 60000.0 / qpm_at(m, onset);
    if (chord_ms <= 0)
        return 500;
    double per = 65.0 * count / chord_ms * 1000.0;
    return per >= 500 ? 500 : (int64_t)per;
}

static musc_status add_note(musc_music *m, build_state *bs, musc_track *t, open_ties *ot,
                            const mx_note *n, int64_t onset)
{
    if (n->grace) {
        if (!n->grace_n)
            return MUSC_OK; /* no principal followed it */
        if (n->head && bs->n_head < MAX_TAIL) {
            bs->pend[bs->n_head] = *n;
            bs->pend[bs->n_head].head = 0;
            bs->pend_on[bs->n_head++] = onset;
            return MUSC_OK;
        }
        if (n->after && bs->tail_left > 0 && bs->tail_track == (size_t)(t - m->tracks)) {
            ornament *o = &bs->orns[bs->n_orns - 1];
            if (o->n_tail < MAX_TAIL)
                o->tail[o->n_tail++] = n->pitch;
            bs->tail_left--;
            return MUSC_OK;
        }
        int kind = n->after ? MX_GRACE_APPOGGIATURA : n->grace;
        int64_t per = grace_permille(m, kind, n->grace_n, n->pdur, n->pdots, onset);
        int64_t each = per / n->grace_n, from = n->after ? 1000 - per : 0;
        int64_t a = pm_ticks(m, from + n->grace_k * each, n->pdur);
        int64_t b = pm_ticks(m, from + (n->grace_k + 1) * each, n->pdur);
        if (b <= a)
            return MUSC_OK;
        return musc_track_add_note(t, onset + a, b - a, n->pitch, n->velocity);
    }
    int n_head = bs->n_head;
    bs->n_head = 0; /* graces marked head belong to this note only */
    if (n_head && !(n->head && n->orn)) {
        /* its ornament was dropped: they are plain graces after all */
        for (int i = 0; i < n_head; i++) {
            musc_status st = add_note(m, bs, t, ot, &bs->pend[i], bs->pend_on[i]);
            if (st)
                return st;
        }
        n_head = 0;
    }
    mx_note shifted = *n;
    if (n->steal && !n_head) {
        int64_t shift = pm_ticks(m, grace_permille(m, n->steal, n->grace_n, n->pdur, n->pdots,
                                                   onset),
                                 n->pdur);
        if (shift > 0 && shift < n->dur) {
            onset += shift;
            shifted.dur -= shift;
        }
        n = &shifted;
    }
    if (n->after_n > 0 && !n->orn) {
        /* graces follow: the note keeps the first part of its length */
        int64_t keep = pm_ticks(m, 1000 - grace_permille(m, MX_GRACE_APPOGGIATURA, n->after_n,
                                                         n->dur, n->dots, onset),
                                n->dur);
        if (keep > 0 && keep < n->dur)
            shifted.dur = keep;
        n = &shifted;
    }
    for (size_t j = 0; j < ot->n; j++) {
        musc_note *o = &t->notes[ot->w[j].idx];
        int64_t end = o->time + o->duration;
        if (o->pitch != n->pitch)
            continue;
        /* a tie out of an underfilled measure still reaches the first
         * note of the next one (MuseScore sums a tied chain too); a drawn
         * tie (<tied type="start">) whose next note in its voice has the
         * same pitch (spelled alike or not) and no tie-stop is joined to
         * it all the same, as MuseScore does: the stop is implied. A
         * <tie type="start"> alone (sound only) needs its stop. */
        if (n->tie_stop ? (end == onset || (end < onset && onset == ot->bar &&
                                            end >= ot->prev_bar))
                        : (end == onset && ot->w[j].drawn && ot->w[j].voice == n->voice)) {
            o->duration = onset + n->dur - o->time;
            if (!n->tie_start)
                ot->w[j] = ot->w[--ot->n];
            else
                ot->w[j] = (open_tie){ot->w[j].idx, n->voice, n->tied_start};
            return MUSC_OK;
        }
    }
    musc_status st = musc_track_add_note(t, onset, n->dur, n->pitch, n->velocity);
    if (st)
        return st;
    if (n->orn) {
        if (MUSC_GROW(bs->orns, bs->cap_orns, bs->n_orns + 1))
            return nomem();
        bs->orns[bs->n_orns++] = (ornament){.track = (size_t)(t - m->tracks),
                                            .note = t->n_notes - 1,
                                            .kind = n->orn,
                                            .upper = n->upper,
                                            .lower = n->lower,
                                            .base = n->dur};
        ornament *o = &bs->orns[bs->n_orns - 1];
        for (int i = 0; i < n_head; i++)
            o->head[i] = bs->pend[i].pitch;
        o->n_head = n_head;
        bs->tail_track = (size_t)(t - m->tracks);
        bs->tail_left = n->after_n;
    }
    if (n->tie_start) {
        if (MUSC_GROW(ot->w, ot->cap, ot->n + 1))
            return nomem();
        ot->w[ot->n++] = (open_tie){t->n_notes - 1, n->voice, n->tied_start};
    }
    return MUSC_OK;
}

/* Close the open hairpin of a part and number (if any) at `at`. */
static void wedge_close(build_state *bs, musc_track *t, size_t slot, int64_t at)
{
    size_t open = bs->wedge_open[slot];
    if (!open)
        return;
    musc_hairpin *h = &t->hairpins[open - 1];
    h->duration = at > h->time ? at - h->time : 0;
    bs->wedge_open[slot] = 0;
}

/* A wedge start opens a hairpin (closing one of the same number still
 * open); a stop closes it. A stop without a start is ignored. */
static musc_status wedge(build_state *bs, musc_track *t, size_t pi, const mx_event *e,
                         int64_t at)
{
    size_t slot = pi * 16 + (size_t)(e->b - 1);
    wedge_close(bs, t, slot, at);
    if (e->a == 0)
        return MUSC_OK;
    musc_status st = musc_track_add_hairpin(t, at, 0, e->a);
    if (!st)
        bs->wedge_open[slot] = t->n_hairpins;
    return st;
}

static musc_status emit_measure(musc_music *m, build_state *bs, size_t pi, const mx_measure *ms,
                                open_ties *ot, int64_t T)
{
    musc_track *t = &m->tracks[pi];
    musc_status st = MUSC_OK;
    /* a tie-stop note of this measure starts at T or later, so open ties
     * ending before the previous measure never found their stop: drop them
     * (in any voice's document order a later note must not end a tie
     * early); one ending short of T may still meet a note at T */
    if (T != ot->bar) {
        ot->prev_bar = ot->bar;
        ot->bar = T;
    }
    for (size_t j = 0; j < ot->n;) {
        const musc_note *o = &t->notes[ot->w[j].idx];
        if (o->time + o->duration < ot->prev_bar)
            ot->w[j] = ot->w[--ot->n];
        else
            j++;
    }
    for (size_t k = 0; k < ms->n_events && !st; k++) {
        const mx_event *e = &ms->events[k];
        int64_t at = T + e->at;
        switch (e->kind) {
        case MX_EV_TEMPO: st = add_tempo(m, at, e->qpm, T); break;
        case MX_EV_KEY:
            if (pi != bs->key_part ||
                (bs->have_key && bs->key_fifths == e->a && bs->key_mode == e->b))
                break;
            bs->have_key = 1;
            bs->key_fifths = e->a;
            bs->key_mode = e->b;
            st = musc_music_add_key_signature(m, at, e->a, e->b, e->c);
            break;
        case MX_EV_TIME:
            if (pi != bs->time_part ||
                (bs->have_time && bs->time_num == e->a && bs->time_den == e->b))
                break;
            bs->have_time = 1;
            bs->time_num = e->a;
            bs->time_den = e->b;
            st = musc_music_add_time_signature(m, at, e->a, e->b);
            break;
        case MX_EV_LYRIC:
            if (!(st = musc_track_add_lyric(t, at, e->text)))
                t->lyrics[t->n_lyrics - 1].verse = e->a;
            break;
        case MX_EV_CHORD: st = musc_track_add_annotation(t, at, MUSC_ANN_CHORD, e->text); break;
        case MX_EV_WEDGE: st = wedge(bs, t, pi, e, at); break;
        }
    }
    for (size_t k = 0; k < ms->n_notes && !st; k++)
        st = add_note(m, bs, t, ot, &ms->notes[k], T + ms->notes[k].on);
    return st;
}

/* Replace a note by its ornament's notes, timed as MuseScore 3 plays them:
 * notes of a 32nd (60 of 480 ticks a quarter; a 64th when the tempo makes
 * that slower than 8 a second), or shorter when the note cannot hold the
 * ornament's least number of notes (graces after the note included); no
 * ornament when they would be faster than 64 a second. A trill alternates
 * main and upper note to the end; mordents and turns hold their last
 * (main) note; graces after the note are its last notes. Note k starts at
 * floor(k * step * 1000 / written length) per mille of the written length,
 * rounded down on the 480 grid, as MuseScore places it. */
static musc_status realise_ornament(musc_music *m, musc_track *t, const ornament *o)
{
    musc_note x = t->notes[o->note];
    int64_t res = m->resolution;
    if (x.duration > ((int64_t)1 << 40))
        return MUSC_OK;
    int64_t d = x.duration * 480 / res; /* in MuseScore's ticks */
    int64_t base = o->base > 0 && o->base <= x.duration ? o->base : x.duration;
    int64_t base480 = base * 480 / res;
    double qpm = qpm_at(m, x.time);
    int64_t tps = (int64_t)((qpm < 1 ? 1 : qpm > 1e6 ? 1e6 : qpm) / 60.0 * 480.0);
    int64_t min_t = tps / 64, max_t = tps / 8, tpn = 60;
    while (tpn > max_t && tpn > 1)
        tpn /= 2;
    while (tpn < min_t)
        tpn *= 2;
    int16_t seq[4];
    int len;
    switch (o->kind) {
    case MX_ORN_MORDENT: len = 3; seq[0] = x.pitch; seq[1] = o->lower; seq[2] = x.pitch; break;
    case MX_ORN_INV_MORDENT: len = 3; seq[0] = x.pitch; seq[1] = o->upper; seq[2] = x.pitch; break;
    case MX_ORN_TURN:
        len = 4; seq[0] = o->upper; seq[1] = x.pitch; seq[2] = o->lower; seq[3] = x.pitch;
        break;
    case MX_ORN_INV_TURN:
        len = 4; seq[0] = o->lower; seq[1] = x.pitch; seq[2] = o->upper; seq[3] = x.pitch;
        break;
    default: len = 4; break; /* a trill: at least two main-upper pairs */
    }
    len += o->n_head + o->n_tail;
    if ((int64_t)len * tpn > d)
        tpn = d / len;
    if (tpn <= 0 || tpn < min_t || base480 <= 0)
        return MUSC_OK; /* too fast to play: the plain note */
    int64_t count = o->kind == MX_ORN_TRILL ? d / tpn : len;
    if (count > MAX_TRILL_NOTES)
        return MUSC_OK; /* a trill of a whole long passage: left as written */
    /* a trill's main-upper pairs fill the slots between the graces before
     * and after it; an odd slot left over lengthens its last note (not
     * over tied notes, where MuseScore's graces after belong to the last
     * note of the tie: there the trill just alternates up to them) */
    int64_t body = count - o->n_head - o->n_tail;
    int odd = o->kind == MX_ORN_TRILL && body % 2 && base == x.duration;
    int64_t notes = count - odd, body_end = o->n_head + body - odd;
    int64_t end = x.time + x.duration, f = res % 480 == 0 ? res / 480 : 0;
    for (int64_t k = 0; k < notes; k++) {
        int pitch;
        if (k < o->n_head)
            pitch = o->head[k];
        else if (k >= body_end)
            pitch = o->tail[k - body_end];
        else
            pitch = o->kind == MX_ORN_TRILL ? ((k - o->n_head) % 2 ? o->upper : x.pitch)
                                            : seq[k - o->n_head];
        if (pitch < 0 || pitch > 127)
            pitch = x.pitch;
        int64_t on = x.time, off = end;
        for (int side = 0; side < 2; side++) {
            int64_t j = k + side; /* the slot where note k (side 0) or k + 1 starts */
            if (j >= body_end)
                j += odd;
            if (side && j >= count)
                break;
            int64_t permille = j * tpn * 1000 / base480;
            int64_t at = f ? permille * base480 / 1000 * f : permille * base / 1000;
            if (side)
                off = x.time + at;
            else
                on = x.time + at;
        }
        if (off <= on)
            continue;
        if (k == 0) {
            t->notes[o->note].pitch = (int16_t)pitch;
            t->notes[o->note].duration = off - on;
        } else {
            musc_status st = musc_track_add_note(t, on, off - on, pitch, x.velocity);
            if (st)
                return st;
        }
    }
    return MUSC_OK;
}

/* First part holding an event of `kind` (so transposing parts' keys and
 * repeated meters are taken once). */
static size_t first_part_with(const mx_reader *r, int kind)
{
    for (size_t pi = 0; pi < r->n_parts; pi++)
        for (size_t i = 0; i < r->parts[pi].n_measures; i++)
            for (size_t k = 0; k < r->parts[pi].measures[i].n_events; k++)
                if (r->parts[pi].measures[i].events[k].kind == kind)
                    return pi;
    return 0;
}

musc_status mx_build(mx_reader *r, musc_music *m)
{
    size_t n = r->n_flow;
    musc_status st = MUSC_OK;
    int64_t *len = calloc(n ? n : 1, sizeof *len);
    open_ties *ot = calloc(r->n_parts ? r->n_parts : 1, sizeof *ot);
    size_t *order = NULL, n_order = 0;
    build_state bs = {0};
    bs.wedge_open = calloc(r->n_parts ? r->n_parts * 16 : 1, sizeof *bs.wedge_open);
    if (!len || !ot || !bs.wedge_open) {
        st = nomem();
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t nominal = 0;
        for (size_t pi = 0; pi < r->n_parts; pi++) {
            if (i >= r->parts[pi].n_measures)
                continue;
            const mx_measure *ms = &r->parts[pi].measures[i];
            if (ms->length > len[i])
                len[i] = ms->length;
            if (ms->nominal > nominal)
                nominal = ms->nominal;
        }
        if (!len[i])
            len[i] = nominal ? nominal : 4 * r->resolution;
    }
    if (r->flags & MUSC_MUSICXML_WRITTEN_ORDER) {
        order = malloc((n ? n : 1) * sizeof *order);
        if (!order) {
            st = nomem();
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        n_order = n;
    } else {
        int truncated;
        if ((st = mx_play_order(r->flow, n, MAX_PLAYED, &order, &n_order, &truncated)))
            goto done;
        if (truncated &&
            (st = mx_repair(r, NULL, "repeats expand to over %d measures; cut there",
                            MAX_PLAYED)))
            goto done;
    }
    for (size_t pi = 0; pi < r->n_parts; pi++) {
        const mx_part *p = &r->parts[pi];
        musc_track *t = musc_music_add_track(m, p->program >= 0 ? p->program : 0,
                                             p->has_unpitched || p->drum_channel, p->name);
        if (t)
            t->channel = p->channel;
        if (!t || musc_set_string(&t->instrument_name, p->instrument_name)) {
            st = nomem();
            goto done;
        }
    }
    bs.key_part = first_part_with(r, MX_EV_KEY);
    bs.time_part = first_part_with(r, MX_EV_TIME);
    int64_t T = 0;
    for (size_t k = 0; k < n_order; k++) {
        size_t i = order[k];
        for (size_t pi = 0; pi < r->n_parts && !st; pi++)
            if (i < r->parts[pi].n_measures)
                st = emit_measure(m, &bs, pi, &r->parts[pi].measures[i], &ot[pi], T);
        if (st)
            goto done;
        T += len[i];
        if (T > MAX_TOTAL) {
            st = mx_fail(r, NULL, "the score is longer than 2^56 ticks");
            goto done;
        }
    }
    /* a hairpin never stopped lasts to the end */
    for (size_t pi = 0; pi < r->n_parts; pi++)
        for (size_t k = 0; k < 16; k++)
            wedge_close(&bs, &m->tracks[pi], pi * 16 + k, T);
    for (size_t j = 0; j < bs.n_orns && !st; j++)
        st = realise_ornament(m, &m->tracks[bs.orns[j].track], &bs.orns[j]);
    if (st)
        goto done;
    musc_music_sort(m);
done:
    free(bs.wedge_open);
    free(bs.orns);
    for (size_t pi = 0; ot && pi < r->n_parts; pi++)
        free(ot[pi].w);
    free(ot);
    free(order);
    free(len);
    return st;
}
