/*
 * Directions, sounds, barlines and chord symbols of the MusicXML reader:
 * tempo (sound tempo, else the metronome mark), dynamics, the marks that
 * steer playing order (repeats, endings, segno, coda, D.C., D.S., Fine, as
 * <sound> attributes or as words) and <harmony> turned into chord-symbol
 * text such as "Bb7addb9" or "C/E".
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musicxml_read.h"

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

static musc_status add_tempo(mx_measure *m, int64_t at, double qpm)
{
    mx_event *e = mx_add_event(m, at, MX_EV_TEMPO);
    if (!e)
        return mx_nomem();
    e->qpm = qpm;
    return MUSC_OK;
}

/* A <sound>: tempo, dynamics and jump marks. Returns (via *jumps) whether it
 * carried any jump attribute, so words beside it are not read twice. */
musc_status mx_read_sound(mx_reader *r, part_state *ps, mx_measure *m, mx_flow *f,
                              xmlNodePtr s, int64_t at, int *tempo_seen, int *jumps)
{
    musc_status st;
    const char *v;
    if ((v = mx_attr(r, s, "tempo"))) {
        double q;
        if ((st = mx_number(r, s, v, "sound tempo", 0, 1e6, &q)))
            return st;
        if (q > 0) {
            if ((st = add_tempo(m, at, q)))
                return st;
            *tempo_seen = 1;
        }
    }
    if ((v = mx_attr(r, s, "dynamics"))) {
        double d;
        if ((st = mx_number(r, s, v, "sound dynamics", 0, 1e4, &d)))
            return st;
        ps->velocity = mx_velocity_from_percent(d);
    }
    if (mx_attr(r, s, "dacapo") && mx_attr_is(r, s, "dacapo", "yes"))
        f->dacapo = *jumps = 1;
    if (mx_attr(r, s, "dalsegno"))
        f->dalsegno = *jumps = 1;
    if (mx_attr(r, s, "segno"))
        f->segno = *jumps = 1;
    if (mx_attr(r, s, "coda"))
        f->coda = *jumps = 1;
    if (mx_attr(r, s, "tocoda"))
        f->tocoda = *jumps = 1;
    if (mx_attr(r, s, "fine"))
        f->fine = *jumps = 1;
    return MUSC_OK;
}

/* Jump instructions written as words. Only a whole standard phrase counts
 * (case and spaces aside: "D.C. al Fine", "Da Capo", "D. S.", "Fine", "To
 * Coda", ...), as MuseScore 3 reads them: prose such as "Menuetto da capo
 * senza Ritornello" or "Da Capo ma senza replicarlo, poi segue la Coda"
 * asks for more than a jump, so it is left as text. */
static void read_words(const char *w, mx_flow *f)
{
    static const struct {
        const char *phrase; /* lower case, no spaces */
        int kind;           /* 0 D.C., 1 D.S., 2 Fine, 3 To Coda */
    } P[] = {{"d.c.", 0},         {"d.c", 0},           {"dacapo", 0},
             {"d.c.alfine", 0},   {"dacapoalfine", 0},  {"d.c.alcoda", 0},
             {"dacapoalcoda", 0}, {"d.s.", 1},          {"d.s", 1},
             {"dalsegno", 1},     {"d.s.alfine", 1},    {"dalsegnoalfine", 1},
             {"d.s.alcoda", 1},   {"dalsegnoalcoda", 1}, {"fine", 2},
             {"tocoda", 3}};
    char key[32];
    size_t k = 0;
    for (; *w; w++) {
        if (*w == ' ' || *w == '\t' || *w == '\n' || *w == '\r')
            continue;
        if (k + 1 >= sizeof key)
            return; /* longer than any phrase */
        key[k++] = (char)tolower((unsigned char)*w);
    }
    key[k] = '\0';
    for (size_t i = 0; i < sizeof P / sizeof *P; i++) {
        if (strcmp(key, P[i].phrase) != 0)
            continue;
        switch (P[i].kind) {
        case 0: f->dacapo = 1; break;
        case 1: f->dalsegno = 1; break;
        case 2: f->fine = 1; break;
        default: f->tocoda = 1; break;
        }
        return;
    }
}

static double metronome_qpm(mx_reader *r, xmlNodePtr met)
{
    xmlNodePtr bu = mx_child(met, "beat-unit"), pm = mx_child(met, "per-minute");
    if (!bu || !pm)
        return 0;
    double q = mx_type_quarters(mx_text(r, bu)), add = q;
    for (xmlNodePtr c = bu->next; c && !mx_is(c, "beat-unit") && !mx_is(c, "per-minute"); c = c->next)
        if (mx_is(c, "beat-unit-dot")) {
            add /= 2;
            q += add;
        }
    char *end;
    const char *t = mx_text(r, pm);
    double per = strtod(t, &end);
    if (end == t || !(per > 0) || per > 1e5)
        return 0;
    return per * q;
}

/* A <wedge> (hairpin) start or stop; paired by number when the measures
 * are laid out in playing order (musicxml_build.c). "continue" and unknown
 * types are ignored. */
static musc_status read_wedge(mx_reader *r, mx_measure *m, xmlNodePtr w, int64_t at)
{
    /* mx_attr reuses one buffer: take the number before the type */
    const char *num = mx_attr(r, w, "number");
    int number = num ? atoi(num) : 1;
    if (number < 1 || number > 16)
        number = 1;
    const char *ty = mx_attr(r, w, "type");
    int kind = !ty                          ? 2
               : !strcmp(ty, "crescendo")   ? 1
               : !strcmp(ty, "diminuendo")  ? -1
               : !strcmp(ty, "stop")        ? 0
                                            : 2;
    if (kind == 2)
        return MUSC_OK;
    mx_event *e = mx_add_event(m, at, MX_EV_WEDGE);
    if (!e)
        return mx_nomem();
    e->a = kind;
    e->b = number;
    return MUSC_OK;
}

musc_status mx_read_direction(mx_reader *r, part_state *ps, mx_measure *m, mx_flow *f,
                                  xmlNodePtr d)
{
    musc_status st;
    int64_t at = ps->pos;
    xmlNodePtr off = mx_child(d, "offset");
    if (off) {
        double v;
        int64_t t;
        if ((st = mx_number(r, off, mx_text(r, off), "offset", -1e12, 1e12, &v)) ||
            (st = mx_to_ticks(r, ps, off, v, &t)))
            return st;
        at += t;
    }
    int tempo_seen = 0, jumps = 0;
    for (xmlNodePtr s = d->children; s; s = s->next)
        if (mx_is(s, "sound") && (st = mx_read_sound(r, ps, m, f, s, at, &tempo_seen, &jumps)))
            return st;
    for (xmlNodePtr dt = d->children; dt; dt = dt->next) {
        if (!mx_is(dt, "direction-type"))
            continue;
        for (xmlNodePtr c = dt->children; c; c = c->next) {
            if (mx_is(c, "metronome") && !tempo_seen) {
                double q = metronome_qpm(r, c);
                if (q > 0) {
                    if ((st = add_tempo(m, at, q)))
                        return st;
                    tempo_seen = 1;
                }
            } else if (mx_is(c, "dynamics")) {
                int v = dynamics_velocity(c);
                if (v >= 0 && !mx_child(d, "sound"))
                    ps->velocity = v;
                else if (v >= 0 && !mx_attr(r, mx_child(d, "sound"), "dynamics"))
                    ps->velocity = v;
            } else if (mx_is(c, "wedge")) {
                if ((st = read_wedge(r, m, c, at)))
                    return st;
            } else if (mx_is(c, "words") && !jumps) {
                read_words(mx_text(r, c), f);
            } else if (mx_is(c, "segno") && !jumps) {
                f->segno = 1;
            } else if (mx_is(c, "coda") && !jumps) {
                f->coda_sign = 1;
            }
        }
    }
    return MUSC_OK;
}

musc_status mx_read_barline(mx_reader *r, mx_flow *f, xmlNodePtr b)
{
    musc_status st;
    for (xmlNodePtr c = b->children; c; c = c->next) {
        if (mx_is(c, "repeat")) {
            const char *dir = mx_attr(r, c, "direction");
            if (dir && !strcmp(dir, "forward"))
                f->fwd = 1;
            else if (dir && !strcmp(dir, "backward")) {
                f->bwd = 1;
                const char *t = mx_attr(r, c, "times");
                if (t) {
                    double v;
                    if ((st = mx_number(r, c, t, "repeat times", 0, 100, &v)))
                        return st;
                    f->times = (int)v;
                }
            }
        } else if (mx_is(c, "ending")) {
            /* attr_of reuses one buffer: take the number before the type */
            const char *num = mx_attr(r, c, "number");
            uint32_t mask = mx_ending_mask(num);
            char numtext[48];
            snprintf(numtext, sizeof numtext, "%.40s", num ? num : "");
            const char *ty = mx_attr(r, c, "type");
            if (ty && !strcmp(ty, "start")) {
                if (!mask && (st = mx_repair(r, c, "<ending> number \"%.40s\" has no number "
                                                   "1..32; ignored",
                                             numtext)))
                    return st;
                f->ending_start |= mask;
            } else if (ty && (!strcmp(ty, "stop") || !strcmp(ty, "discontinue"))) {
                f->ending_stop = 1;
            }
        } else if (mx_is(c, "segno")) {
            f->segno = 1;
        } else if (mx_is(c, "coda")) {
            f->coda_sign = 1;
        }
    }
    return MUSC_OK;
}

musc_status mx_read_harmony(mx_reader *r, part_state *ps, mx_measure *m, xmlNodePtr h)
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
    xmlNodePtr root = mx_child(h, "root"), fn = mx_child(h, "function"), kind = mx_child(h, "kind");
    const char *kv = kind ? mx_text(r, kind) : "";
    char kindv[64];
    snprintf(kindv, sizeof kindv, "%s", kv);
    if (!strcmp(kindv, "none")) {
        APPEND("N.C.");
    } else {
        if (root) {
            xmlNodePtr rs = mx_child(root, "root-step");
            int step = rs ? mx_step_index(mx_text(r, rs)) : -1;
            if (step < 0)
                return mx_fail(r, root, "expected <root-step> A..G in <root>");
            double alter;
            if ((st = mx_child_number(r, root, "root-alter", -3, 3, 0, &alter)))
                return st;
            APPEND("%c", 'A' + step);
            for (int a = (int)lround(alter); a != 0; a += a > 0 ? -1 : 1)
                APPEND("%c", a > 0 ? '#' : 'b');
        } else if (fn) {
            APPEND("%s", mx_text(r, fn));
        } else {
            return mx_repair(r, h, "<harmony> without <root> or <function>; ignored");
        }
        const char *suffix = mx_kind_suffix(kindv);
        const char *ktext = kind ? mx_attr(r, kind, "text") : NULL;
        if (!suffix || !strcmp(kindv, "other"))
            suffix = ktext ? ktext : "";
        APPEND("%s", suffix);
        for (xmlNodePtr d = h->children; d; d = d->next) {
            if (!mx_is(d, "degree"))
                continue;
            double val, alter;
            if ((st = mx_child_number(r, d, "degree-value", 0, 99, 0, &val)) ||
                (st = mx_child_number(r, d, "degree-alter", -3, 3, 0, &alter)))
                return st;
            xmlNodePtr ty = mx_child(d, "degree-type");
            const char *t = ty ? mx_text(r, ty) : "add";
            const char *acc = alter > 0 ? "#" : alter < 0 ? "b" : "";
            if (!strcmp(t, "subtract"))
                APPEND("omit%d", (int)val);
            else if (!strcmp(t, "alter"))
                APPEND("%s%d", acc, (int)val);
            else
                APPEND("add%s%d", acc, (int)val);
        }
        xmlNodePtr bass = mx_child(h, "bass");
        if (bass) {
            xmlNodePtr bs = mx_child(bass, "bass-step");
            int step = bs ? mx_step_index(mx_text(r, bs)) : -1;
            double alter;
            if ((st = mx_child_number(r, bass, "bass-alter", -3, 3, 0, &alter)))
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
    xmlNodePtr off = mx_child(h, "offset");
    if (off) {
        double v;
        int64_t t;
        if ((st = mx_number(r, off, mx_text(r, off), "offset", -1e12, 1e12, &v)) ||
            (st = mx_to_ticks(r, ps, off, v, &t)))
            return st;
        at += t;
    }
    mx_event *e = mx_add_event(m, at, MX_EV_CHORD);
    if (!e || !(e->text = strdup(text)))
        return mx_nomem();
    return MUSC_OK;
}

