/*
 * One measure of one part in the MusicXML reader: notes (pitch, unpitched,
 * chords, grace and cue notes, ties, lyrics, note dynamics), <backup> and
 * <forward>, and <attributes> (divisions, key, time, transpose). Times are
 * converted to the final ticks here, relative to the measure start.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/grow.h"
#include "musc/musicxml.h"
#include "musicxml_read.h"

#define MAX_TICKS ((int64_t)1 << 50)

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

musc_status mx_to_ticks(mx_reader *r, part_state *ps, xmlNodePtr n, double v, int64_t *out)
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

int mx_step_index(const char *s)
{
    if (s[0] >= 'A' && s[0] <= 'G' && s[1] == '\0')
        return s[0] - 'A';
    if (s[0] >= 'a' && s[0] <= 'g' && s[1] == '\0')
        return s[0] - 'a';
    return -1;
}

/* Quarter-note length of a <type> value, or 0 if unknown. */
double mx_type_quarters(const char *t)
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
    xmlNodePtr t = mx_child(note, "type");
    double q = t ? mx_type_quarters(mx_text(r, t)) : 0;
    if (q <= 0)
        return mx_fail(r, note, "<note> without <duration> (and no usable <type>)");
    double add = q;
    for (xmlNodePtr c = note->children; c; c = c->next)
        if (mx_is(c, "dot")) {
            add /= 2;
            q += add;
        }
    xmlNodePtr tm = mx_child(note, "time-modification");
    if (tm) {
        double actual, normal;
        musc_status st;
        if ((st = mx_child_number(r, tm, "actual-notes", 1, 1e6, 1, &actual)) ||
            (st = mx_child_number(r, tm, "normal-notes", 1, 1e6, 1, &normal)))
            return st;
        q = q * normal / actual;
    }
    *out = (int64_t)llround(q * (double)r->resolution);
    return mx_repair(r, note, "<note> without <duration>; %g quarters from its <type>", q);
}

int mx_velocity_from_percent(double d)
{
    long v = lround(d * 0.9);
    return v < 0 ? 0 : v > 127 ? 127 : (int)v;
}

static musc_status read_pitch(mx_reader *r, mx_part *p, part_state *ps, xmlNodePtr note,
                              int *pitch)
{
    musc_status st;
    xmlNodePtr pe = mx_child(note, "pitch");
    if (pe) {
        xmlNodePtr s = mx_child(pe, "step");
        int step = s ? mx_step_index(mx_text(r, s)) : -1;
        if (step < 0)
            return mx_fail(r, s ? s : pe, "expected <step> A..G in <pitch>");
        double alter, octave;
        if ((st = mx_child_number(r, pe, "alter", -12, 12, 0, &alter)))
            return st;
        xmlNodePtr o = mx_child(pe, "octave");
        if (!o)
            return mx_fail(r, pe, "<pitch> without <octave>");
        if ((st = mx_number(r, o, mx_text(r, o), "octave", -10, 20, &octave)))
            return st;
        *pitch = ((int)octave + 1) * 12 + STEP_PC[step] + (int)lround(alter) + ps->transpose;
        return MUSC_OK;
    }
    xmlNodePtr un = mx_child(note, "unpitched");
    p->has_unpitched = 1;
    xmlNodePtr in = mx_child(note, "instrument");
    const char *iid = in ? mx_attr(r, in, "id") : NULL;
    for (size_t i = 0; iid && i < p->n_insts; i++)
        if (p->insts[i].unpitched >= 0 && strcmp(p->insts[i].id, iid) == 0) {
            *pitch = p->insts[i].unpitched;
            return MUSC_OK;
        }
    for (size_t i = 0; i < p->n_insts; i++) /* else the part's first one */
        if (p->insts[i].unpitched >= 0) {
            *pitch = p->insts[i].unpitched;
            return MUSC_OK;
        }
    /* no midi-unpitched: the displayed position */
    xmlNodePtr s = mx_child(un, "display-step");
    int step = s ? mx_step_index(mx_text(r, s)) : -1;
    double octave = 4;
    if ((st = mx_child_number(r, un, "display-octave", -10, 20, 4, &octave)))
        return st;
    *pitch = ((int)octave + 1) * 12 + (step >= 0 ? STEP_PC[step] : 0);
    return MUSC_OK;
}

/* Every <lyric> of a note: verse = number - 1 when number is a count
 * ("1", "2", ...), else the lyric's position among the note's lyrics. */
static musc_status read_lyric(mx_reader *r, mx_measure *m, xmlNodePtr note, int64_t at)
{
    int position = 0;
    for (xmlNodePtr ly = note->children; ly; ly = ly->next) {
        if (!mx_is(ly, "lyric"))
            continue;
        xmlNodePtr tx = mx_child(ly, "text");
        const char *num = mx_attr(r, ly, "number");
        int verse = position++;
        if (num) {
            char *end;
            long v = strtol(num, &end, 10);
            if (end != num && !*end && v >= 1 && v <= 1000)
                verse = (int)v - 1;
        }
        if (!tx)
            continue;
        mx_event *e = mx_add_event(m, at, MX_EV_LYRIC);
        if (!e || !(e->text = mx_text_dup(tx)))
            return mx_nomem();
        e->a = verse;
    }
    return MUSC_OK;
}

/* The alter a key signature gives a step (0..6 for A..G). */
static int key_alter(int fifths, int step)
{
    static const int SHARP_ORDER[7] = {5, 2, 6, 3, 0, 4, 1}; /* F C G D A E B */
    for (int i = 0; i < 7; i++)
        if (SHARP_ORDER[i] == step)
            return fifths > i ? 1 : fifths < i - 6 ? -1 : 0;
    return 0;
}

/* Written step (0..6 for C..B) and octave of a <pitch>, or -1. */
static int written_step(mx_reader *r, xmlNodePtr pe, int *octave, int *alter)
{
    xmlNodePtr s = mx_child(pe, "step"), o = mx_child(pe, "octave"), a = mx_child(pe, "alter");
    int step = s ? mx_step_index(mx_text(r, s)) : -1;
    if (step < 0 || !o)
        return -1;
    *octave = atoi(mx_text(r, o));
    *alter = a ? (int)lround(atof(mx_text(r, a))) : 0;
    return (step + 5) % 7; /* A..G -> C-based */
}

/* The pitch one diatonic step above (dir 1) or below (-1) a written note,
 * with the accidental in force in the measure for that line, else the key
 * signature's (as MuseScore 3 chooses an ornament's neighbour). */
static int neighbour(const part_state *ps, int cstep, int octave, int dir)
{
    static const int C_PC[7] = {0, 2, 4, 5, 7, 9, 11};
    int s = cstep + dir, o = octave;
    if (s > 6) {
        s = 0;
        o++;
    } else if (s < 0) {
        s = 6;
        o--;
    }
    int alter = key_alter(ps->key_fifths, (s + 2) % 7);
    if (o >= 0 && o < 12 && ps->acc[o * 7 + s] != 99)
        alter = ps->acc[o * 7 + s];
    return (o + 1) * 12 + C_PC[s] + alter + ps->transpose;
}

/* The ornament marked on a note (MX_ORN_*). */
static int note_ornament(xmlNodePtr note)
{
    for (xmlNodePtr c = note->children; c; c = c->next)
        for (xmlNodePtr o = mx_is(c, "notations") ? c->children : NULL; o; o = o->next)
            for (xmlNodePtr k = mx_is(o, "ornaments") ? o->children : NULL; k; k = k->next) {
                if (mx_is(k, "trill-mark"))
                    return MX_ORN_TRILL;
                if (mx_is(k, "mordent"))
                    return MX_ORN_MORDENT;
                if (mx_is(k, "inverted-mordent"))
                    return MX_ORN_INV_MORDENT;
                if (mx_is(k, "turn") || mx_is(k, "delayed-turn"))
                    return MX_ORN_TURN;
                if (mx_is(k, "inverted-turn") || mx_is(k, "delayed-inverted-turn"))
                    return MX_ORN_INV_TURN;
            }
    return MX_ORN_NONE;
}

/* Wavy lines (trill extensions) that start (bit 0) and stop (bit 1) on a
 * note. */
static int wavy_lines(mx_reader *r, xmlNodePtr note)
{
    int w = 0;
    for (xmlNodePtr c = note->children; c; c = c->next)
        for (xmlNodePtr o = mx_is(c, "notations") ? c->children : NULL; o; o = o->next)
            for (xmlNodePtr k = mx_is(o, "ornaments") ? o->children : NULL; k; k = k->next)
                if (mx_is(k, "wavy-line")) {
                    if (mx_attr_is(r, k, "type", "start"))
                        w |= 1;
                    else if (mx_attr_is(r, k, "type", "stop"))
                        w |= 2;
                }
    return w;
}

/* A trill mark whose wavy line starts and never stops is dropped by
 * MuseScore 3's reader (the unfinished line takes the mark with it), so it
 * is played plain, as there; with the line stopped, every new (not tied-to)
 * note under it trills, up to the note that stops it. */
void mx_unterminated_trills(part_state *ps)
{
    for (int i = 0; i < ps->n_wavy; i++) {
        mx_note *n = &ps->wavy[i].m->notes[ps->wavy[i].note];
        if (n->orn == MX_ORN_TRILL)
            n->orn = MX_ORN_NONE;
    }
    ps->n_wavy = 0;
    ps->trill_line = 0;
}

/* Number of <dot/>s of a note. */
static int note_dots(xmlNodePtr note)
{
    int d = 0;
    for (xmlNodePtr c = note->children; c; c = c->next)
        d += mx_is(c, "dot");
    return d > 3 ? 3 : d;
}

/* Graces left at the end of a measure, after a note of their voice, are
 * played after that note (a Nachschlag), as MuseScore 3 reads them: they
 * take time from its end. Slashed eighth graces (acciaccaturas) cannot
 * follow a note in MuseScore: they are played before it instead. */
static void graces_after(part_state *ps, mx_measure *m)
{
    if (!ps->grace_count || !ps->last_principal)
        return;
    size_t pi = ps->last_principal - 1;
    const mx_note *p = &m->notes[pi];
    int before = m->notes[ps->grace_first].slash8;
    int64_t on = p->on, pdur = p->dur;
    unsigned char pdots = p->dots;
    for (size_t k = ps->grace_first; k < m->n_notes; k++) {
        mx_note *g = &m->notes[k];
        if (!g->grace)
            continue;
        g->on = on;
        g->grace_n = (int16_t)ps->grace_count;
        g->pdur = pdur;
        g->pdots = pdots;
        g->after = before ? 0 : 1;
        if (before) /* MuseScore plays such a group last grace first */
            g->grace_k = (int16_t)(ps->grace_count - 1 - g->grace_k);
    }
    for (size_t k = pi; k < ps->grace_first; k++) {
        mx_note *x = &m->notes[k];
        if (x->grace || x->on != on)
            continue;
        if (before) {
            x->steal = MX_GRACE_ACCIACCATURA;
            x->grace_n = (int16_t)ps->grace_count;
            x->pdur = pdur;
            x->pdots = pdots;
        } else {
            x->after_n = (int16_t)ps->grace_count;
        }
    }
    ps->grace_count = 0;
}

/* <staff> and <voice> of a note as one key: staff 0..15 in the high bits,
 * a numeric voice 0..4095 below (any other voice text is 0). */
static uint16_t voice_key(mx_reader *r, xmlNodePtr note)
{
    long v = 0, s = 0;
    xmlNodePtr e = mx_child(note, "voice");
    if (e) {
        char *end;
        v = strtol(mx_text(r, e), &end, 10);
        if (v < 0 || v > 4095)
            v = 0;
    }
    if ((e = mx_child(note, "staff"))) {
        char *end;
        s = strtol(mx_text(r, e), &end, 10);
        if (s < 0 || s > 15)
            s = 0;
    }
    return (uint16_t)(s << 12 | v);
}

static musc_status read_note(mx_reader *r, mx_part *p, part_state *ps, mx_measure *m,
                             xmlNodePtr note)
{
    musc_status st;
    int chord = mx_child(note, "chord") != NULL;
    int grace = mx_child(note, "grace") != NULL;
    int cue = mx_child(note, "cue") != NULL;
    int rest = mx_child(note, "rest") != NULL;
    int64_t dur = 0;
    xmlNodePtr de = mx_child(note, "duration");
    int play = r->flags & MUSC_MUSICXML_PLAY_ORNAMENTS;
    if (grace) {
        if (!(r->flags & (MUSC_MUSICXML_KEEP_GRACE | MUSC_MUSICXML_PLAY_ORNAMENTS)) || rest ||
            cue)
            return MUSC_OK;
        dur = r->resolution / 8 > 0 ? r->resolution / 8 : 1;
    } else if (de) {
        double v;
        if ((st = mx_number(r, de, mx_text(r, de), "duration", 0, 1e15, &v)) ||
            (st = mx_to_ticks(r, ps, de, v, &dur)))
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
    if (rest && !chord) {
        graces_after(ps, m); /* graces before a rest follow the note before them */
        ps->last_principal = 0;
    }
    if (rest) /* a lyric may sit on a rest */
        return chord ? MUSC_OK : read_lyric(r, m, note, onset);
    if (!mx_child(note, "pitch") && !mx_child(note, "unpitched"))
        return mx_fail(r, note, "<note> without <pitch>, <unpitched> or <rest>");
    int pitch = 0;
    if ((st = read_pitch(r, p, ps, note, &pitch)))
        return st;
    if (pitch < 0 || pitch > 127)
        return mx_repair(r, note, "pitch %d is outside 0..127; note dropped", pitch);
    int velocity = ps->velocity;
    const char *dyn = mx_attr(r, note, "dynamics");
    if (dyn) {
        double d;
        if ((st = mx_number(r, note, dyn, "dynamics", 0, 1e4, &d)))
            return st;
        velocity = mx_velocity_from_percent(d);
    }
    mx_note n = {.on = onset, .dur = dur, .pitch = (int16_t)pitch, .velocity = (int16_t)velocity,
                 .voice = voice_key(r, note)};
    if (play) {
        xmlNodePtr pe = mx_child(note, "pitch");
        int octave = 0, alter = 0;
        int cstep = pe ? written_step(r, pe, &octave, &alter) : -1;
        n.dots = (unsigned char)note_dots(note);
        if (grace && !ps->grace_count)
            memcpy(ps->acc_pre, ps->acc, sizeof ps->acc);
        if (cstep >= 0 && octave >= 0 && octave < 12) {
            /* MuseScore takes an ornament's neighbours from the accidentals
             * before the note's own grace notes */
            signed char now[sizeof ps->acc];
            int pre = !grace && !chord && ps->grace_count;
            if (pre) {
                memcpy(now, ps->acc, sizeof now);
                memcpy(ps->acc, ps->acc_pre, sizeof now);
            }
            n.orn = (unsigned char)(grace ? MX_ORN_NONE : note_ornament(note));
            n.upper = (int16_t)neighbour(ps, cstep, octave, 1);
            n.lower = (int16_t)neighbour(ps, cstep, octave, -1);
            if (pre)
                memcpy(ps->acc, now, sizeof now);
            ps->acc[octave * 7 + cstep] = (signed char)alter;
        }
        if (grace) {
            xmlNodePtr g = mx_child(note, "grace");
            n.grace = mx_attr_is(r, g, "slash", "yes") ? MX_GRACE_ACCIACCATURA
                                                       : MX_GRACE_APPOGGIATURA;
            xmlNodePtr ty = mx_child(note, "type");
            n.slash8 = n.grace == MX_GRACE_ACCIACCATURA && ty && !strcmp(mx_text(r, ty), "eighth");
            if (!chord || !ps->grace_count) {
                if (ps->grace_count >= 256)
                    return MUSC_OK; /* a longer run of graces is dropped */
                if (!ps->grace_count)
                    ps->grace_first = m->n_notes;
                ps->grace_count++;
            }
            n.grace_k = (int16_t)(ps->grace_count - 1);
        } else if (!chord) {
            /* a principal: its graces start with it and take time from it */
            ps->steal = 0;
            ps->steal_dots = (unsigned char)note_dots(note);
            if (ps->grace_count) {
                for (size_t k = ps->grace_first; k < m->n_notes; k++)
                    if (m->notes[k].grace) {
                        m->notes[k].on = onset;
                        m->notes[k].grace_n = (int16_t)ps->grace_count;
                        m->notes[k].pdur = dur;
                        m->notes[k].pdots = ps->steal_dots;
                        ps->steal = m->notes[k].grace;
                    }
                ps->steal_n = (int16_t)ps->grace_count;
                ps->steal_pdur = dur;
                ps->grace_count = 0;
            }
            ps->last_principal = m->n_notes + 1;
        }
        if (!grace && ps->steal) {
            n.steal = ps->steal;
            n.grace_n = ps->steal_n;
            n.pdur = ps->steal_pdur;
            n.pdots = ps->steal_dots;
        }
    }
    for (xmlNodePtr c = note->children; c; c = c->next) {
        xmlNodePtr tie = NULL;
        if (mx_is(c, "tie"))
            tie = c;
        for (xmlNodePtr nt = mx_is(c, "notations") ? c->children : NULL; nt; nt = nt->next)
            if (mx_is(nt, "tied")) {
                const char *ty = mx_attr(r, nt, "type");
                if (ty && (!strcmp(ty, "start") || !strcmp(ty, "continue")))
                    n.tie_start = n.tied_start = 1;
                if (ty && (!strcmp(ty, "stop") || !strcmp(ty, "continue")))
                    n.tie_stop = 1;
            }
        if (tie) {
            const char *ty = mx_attr(r, tie, "type");
            if (ty && !strcmp(ty, "start"))
                n.tie_start = 1;
            if (ty && !strcmp(ty, "stop"))
                n.tie_stop = 1;
        }
    }
    if (grace)
        n.tie_start = n.tie_stop = n.tied_start = 0;
    if (play && !grace) {
        int w = wavy_lines(r, note);
        if ((w & 1) && !(w & 2) && ps->trill_line)
            mx_unterminated_trills(ps); /* a new line: the open one never stopped */
        if (w & 2) {
            ps->n_wavy = 0; /* the open lines are finished */
            ps->trill_line = 0;
        } else if (ps->trill_line && !n.tie_stop && !n.orn &&
                   ps->n_wavy < (int)(sizeof ps->wavy / sizeof *ps->wavy)) {
            n.orn = MX_ORN_TRILL; /* a new note under the line trills too */
            ps->wavy[ps->n_wavy++] = (struct mx_wavy){m, m->n_notes};
        }
        if ((w & 1) && !(w & 2) && n.orn == MX_ORN_TRILL &&
            ps->n_wavy < (int)(sizeof ps->wavy / sizeof *ps->wavy)) {
            ps->wavy[ps->n_wavy++] = (struct mx_wavy){m, m->n_notes};
            ps->trill_line = 1;
        }
    }
    if (play && !grace && !chord && n.orn && n.steal) {
        /* graces before an ornamented note are its ornament's first notes,
         * at the ornament's speed (MuseScore 3) */
        for (size_t k = ps->grace_first; k < m->n_notes; k++)
            if (m->notes[k].grace && m->notes[k].on == onset)
                m->notes[k].head = 1;
        n.head = 1; /* (played as graces after all if its trill is dropped) */
    }
    if (MUSC_GROW(m->notes, m->cap_notes, m->n_notes + 1))
        return mx_nomem();
    m->notes[m->n_notes++] = n;
    return read_lyric(r, m, note, onset);
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
        if (!mx_is(c, "beats"))
            continue;
        xmlNodePtr bt = c->next;
        while (bt && bt->type != XML_ELEMENT_NODE)
            bt = bt->next;
        if (!mx_is(bt, "beat-type"))
            return mx_fail(r, c, "<beats> not followed by <beat-type>");
        int b = beats_value(mx_text(r, c));
        double d;
        musc_status st = mx_number(r, bt, mx_text(r, bt), "beat-type", 1, 1024, &d);
        if (st)
            return st;
        if (b <= 0)
            return mx_fail(r, c, "<beats> \"%s\", expected a positive count", mx_text(r, c));
        long dd = (long)d;
        if (!den) {
            num = b;
            den = dd;
        } else { /* composite: add over a common denominator */
            long l = den / gcd64(den, dd) * dd;
            num = num * (l / den) + b * (l / dd);
            den = l;
        }
        if (num > 255 || den > 1 << 20)
            return mx_fail(r, c, "time signature %ld/%ld too large (at most 255 beats a bar)",
                           num, den);
    }
    if (!den)
        return MUSC_OK; /* senza-misura */
    mx_event *e = mx_add_event(m, ps->pos, MX_EV_TIME);
    if (!e)
        return mx_nomem();
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
        if (mx_is(c, "divisions")) {
            if ((st = mx_parse_divisions(r, c, &ps->divisions)))
                return st;
        } else if (mx_is(c, "key") && !have_key) {
            xmlNodePtr f = mx_child(c, "fifths");
            if (!f)
                continue; /* non-traditional keys are not modelled */
            double fifths;
            if ((st = mx_number(r, f, mx_text(r, f), "fifths", -7, 7, &fifths)))
                return st;
            xmlNodePtr mo = mx_child(c, "mode");
            int mode, shift;
            key_mode(mo ? mx_text(r, mo) : NULL, &mode, &shift);
            int root = (((int)fifths * 7 + shift) % 12 + 12) % 12;
            if (mo && !strcmp(mx_text(r, mo), "none")) {
                mode = MUSC_MODE_NONE;
                root = -1;
            }
            mx_event *e = mx_add_event(m, ps->pos, MX_EV_KEY);
            if (!e)
                return mx_nomem();
            e->a = (int)fifths;
            e->b = mode;
            e->c = root;
            ps->key_fifths = (int)fifths;
            have_key = 1;
        } else if (mx_is(c, "time")) {
            if ((st = read_time(r, ps, m, c)))
                return st;
        } else if (mx_is(c, "transpose")) {
            double chromatic, octave;
            if ((st = mx_child_number(r, c, "chromatic", -127, 127, 0, &chromatic)) ||
                (st = mx_child_number(r, c, "octave-change", -10, 10, 0, &octave)))
                return st;
            ps->transpose = (int)chromatic + 12 * (int)octave;
        }
    }
    return MUSC_OK;
}

musc_status mx_read_measure(mx_reader *r, mx_part *p, part_state *ps, mx_measure *m,
                                mx_flow *f, xmlNodePtr measure)
{
    musc_status st = MUSC_OK;
    ps->pos = 0;
    ps->last_onset = 0;
    m->nominal = ps->nominal;
    memset(ps->acc, 99, sizeof ps->acc);
    ps->grace_count = 0; /* graces left at the end of a measure have no principal */
    ps->steal = 0;
    ps->last_principal = 0;
    for (xmlNodePtr c = measure->children; c && !st; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)c->name;
        if (!strcmp(name, "note")) {
            st = read_note(r, p, ps, m, c);
        } else if (!strcmp(name, "backup") || !strcmp(name, "forward")) {
            xmlNodePtr de = mx_child(c, "duration");
            double v;
            int64_t t;
            if (!de) {
                st = mx_fail(r, c, "<%s> without <duration>", name);
                break;
            }
            if ((st = mx_number(r, de, mx_text(r, de), "duration", 0, 1e15, &v)) ||
                (st = mx_to_ticks(r, ps, de, v, &t)))
                break;
            st = advance(r, ps, m, c, name[0] == 'b' ? -t : t);
            ps->last_principal = 0; /* another voice, or a gap in this one */
        } else if (!strcmp(name, "attributes")) {
            st = read_attributes(r, ps, m, c);
        } else if (!strcmp(name, "direction")) {
            st = mx_read_direction(r, ps, m, f, c);
        } else if (!strcmp(name, "sound")) {
            int tempo_seen = 0, jumps = 0;
            st = mx_read_sound(r, ps, m, f, c, ps->pos, &tempo_seen, &jumps);
        } else if (!strcmp(name, "barline")) {
            st = mx_read_barline(r, f, c);
        } else if (!strcmp(name, "harmony")) {
            st = mx_read_harmony(r, ps, m, c);
        }
    }
    if (!st)
        graces_after(ps, m);
    return st;
}

