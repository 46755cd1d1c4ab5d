/*
 * Humdrum **kern reader.
 *
 * Reading goes in three steps:
 *  1. split the text into lines and pick the playing order: written order,
 *     or the sections named by an expansion list (*>[A,A,B]);
 *  2. walk the lines in that order with the live spine layout (splits,
 *     joins, exchanges, additions, ends), giving each data line an exact
 *     time (a fraction of a quarter note) and collecting notes per part and
 *     the global keys, meters and tempos;
 *  3. choose a resolution that makes every collected time an integer tick
 *     and fill the object model.
 * The rules are listed in include/musc/kern.h.
 */
#include "musc/kern.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/grow.h"

/* ---- exact fractions of a quarter note ----------------------------------- */

__extension__ typedef __int128 wide;

typedef struct rat {
    int64_t n, d; /* d > 0, reduced */
} rat;

/* No real piece comes near these; hostile input that does is refused. */
#define RAT_LIMIT ((int64_t)1 << 40)

static int64_t gcd64(int64_t a, int64_t b)
{
    if (a < 0)
        a = -a;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a ? a : 1;
}

static int rat_from_wide(rat *r, wide n, wide d)
{
    if (d <= 0)
        return -1;
    wide a = n < 0 ? -n : n, b = d;
    while (b) {
        wide t = a % b;
        a = b;
        b = t;
    }
    if (a > 1) {
        n /= a;
        d /= a;
    }
    if (n > RAT_LIMIT || n < -RAT_LIMIT || d > RAT_LIMIT)
        return -1;
    r->n = (int64_t)n;
    r->d = (int64_t)d;
    return 0;
}

static int rat_add(rat *r, rat a, rat b)
{
    return rat_from_wide(r, (wide)a.n * b.d + (wide)b.n * a.d, (wide)a.d * b.d);
}

static int rat_cmp(rat a, rat b)
{
    wide x = (wide)a.n * b.d, y = (wide)b.n * a.d;
    return x < y ? -1 : x > y;
}

/* ---- what the walk collects ---------------------------------------------- */

typedef struct knote {
    rat time, dur;
    int part;
    int pitch;
} knote;

typedef struct kmeta {
    rat time;
    int a, b, c, d; /* meter: num, den; key: fifths, which of *k / *X: seen (bits), root, mode */
    double qpm;
    char *text; /* harm annotations */
} kmeta;

typedef struct kpart {
    char *name;
    const char *instrument; /* static English name from the code table */
    int program;
    size_t *open; /* indices of notes with an open tie */
    size_t n_open, cap_open;
} kpart;

enum { SP_KERN = 1, SP_HARM, SP_OTHER, SP_NEW };

typedef struct spine {
    int kind;
    int part; /* SP_KERN: index into parts */
    rat busy; /* when the spine's last token ends */
} spine;

typedef struct kline {
    const char *p;
    size_t len;
    int number;
} kline;

typedef struct field {
    const char *p;
    size_t len;
} field;

typedef struct reader {
    int strict, flags;
    musc_report *report;
    int line; /* line being read, for messages */

    kline *lines;
    size_t n_lines, cap_lines;
    size_t *order;
    size_t n_order, cap_order;

    spine *sp, *sp2;
    size_t n_sp, cap_sp, cap_sp2;
    field *fields;
    size_t n_fields, cap_fields;
    int started, ended, any_spines;

    kpart *parts;
    size_t n_parts, cap_parts;
    knote *notes;
    size_t n_notes, cap_notes;
    kmeta *keys, *meters, *tempos, *harms;
    size_t n_keys, cap_keys, n_meters, cap_meters, n_tempos, cap_tempos, n_harms, cap_harms;
    rat now;
    uint64_t cells; /* fields visited, to bound the work hostile input can cause */
    char *title;
    char **creators;
    size_t n_creators, cap_creators;
} reader;

#define MAX_SPINES 4096
#define MAX_PARTS 1024
#define MAX_PLAYED ((size_t)1 << 24)
#define MAX_CELLS ((uint64_t)1 << 26) /* 3000 times the largest real score seen */

static musc_status nomem(void) { return musc_error(MUSC_ERR_NOMEM, "out of memory"); }

static musc_status fail(const reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static musc_status fail(const reader *r, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return musc_error(MUSC_ERR_FORMAT, "kern line %d: %s", r->line, msg);
}

/* Damage that repair mode works around: an error when strict, else a
 * repair note (and MUSC_OK so the caller carries on). */
static musc_status damage(const reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static musc_status damage(const reader *r, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->strict)
        return musc_error(MUSC_ERR_FORMAT, "kern line %d: %s", r->line, msg);
    if (r->report &&
        musc_report_add(r->report, MUSC_REPAIR_OTHER, r->line, "line %d: %s", r->line, msg))
        return nomem();
    return MUSC_OK;
}

/* A note that is not damage (a cut tie), reported in both modes. */
static musc_status note_repair(const reader *r, const char *msg)
{
    if (r->report &&
        musc_report_add(r->report, MUSC_REPAIR_OTHER, r->line, "line %d: %s", r->line, msg))
        return nomem();
    return MUSC_OK;
}

static int field_is(field f, const char *s)
{
    size_t n = strlen(s);
    return f.len == n && !memcmp(f.p, s, n);
}

static int field_starts(field f, const char *s)
{
    size_t n = strlen(s);
    return f.len >= n && !memcmp(f.p, s, n);
}

/* ---- step 1: lines and playing order -------------------------------------- */

static musc_status split_lines(reader *r, const char *text, size_t size)
{
    size_t i = 0;
    int number = 0;
    if (size >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < size) {
        size_t j = i;
        while (j < size && text[j] != '\n')
            j++;
        size_t len = j - i;
        if (len && text[i + len - 1] == '\r')
            len--;
        number++;
        if (MUSC_GROW(r->lines, r->cap_lines, r->n_lines + 1))
            return nomem();
        r->lines[r->n_lines++] = (kline){text + i, len, number};
        i = j + 1;
    }
    return MUSC_OK;
}

static field first_field(const kline *l)
{
    const char *tab = memchr(l->p, '\t', l->len);
    return (field){l->p, tab ? (size_t)(tab - l->p) : l->len};
}

static musc_status push_order(reader *r, size_t i)
{
    if (r->n_order >= MAX_PLAYED)
        return musc_error(MUSC_ERR_FORMAT, "kern: repeats unfold to more than %zu lines",
                          MAX_PLAYED);
    if (MUSC_GROW(r->order, r->cap_order, r->n_order + 1))
        return nomem();
    r->order[r->n_order++] = i;
    return MUSC_OK;
}

static musc_status written_order(reader *r)
{
    r->n_order = 0;
    for (size_t i = 0; i < r->n_lines; i++) {
        musc_status st = push_order(r, i);
        if (st)
            return st;
    }
    return MUSC_OK;
}

/* A section label line: "*>A" in the first column (no list brackets). */
static int label_of(const kline *l, field *label)
{
    field f = first_field(l);
    if (!field_starts(f, "*>") || f.len == 2 || memchr(f.p, '[', f.len))
        return 0;
    *label = (field){f.p + 2, f.len - 2};
    return 1;
}

static musc_status choose_order(reader *r)
{
    if (r->flags & MUSC_KERN_WRITTEN_ORDER)
        return written_order(r);
    /* the unnamed expansion list, and the end of the music (all spines *-) */
    size_t list_line = SIZE_MAX, tail = r->n_lines, first_label = SIZE_MAX;
    for (size_t i = 0; i < r->n_lines; i++) {
        field f = first_field(&r->lines[i]), lab;
        if (list_line == SIZE_MAX && field_starts(f, "*>[") && f.p[f.len - 1] == ']')
            list_line = i;
        if (first_label == SIZE_MAX && label_of(&r->lines[i], &lab))
            first_label = i;
        if (tail == r->n_lines && field_is(f, "*-")) {
            /* the terminator line: every field *- */
            const kline *l = &r->lines[i];
            int all = 1;
            for (size_t k = 0; k < l->len; k += 3) {
                if (k + 2 > l->len || memcmp(l->p + k, "*-", 2) ||
                    (k + 2 < l->len && l->p[k + 2] != '\t')) {
                    all = 0;
                    break;
                }
            }
            if (all)
                tail = i;
        }
    }
    if (list_line == SIZE_MAX || first_label == SIZE_MAX || first_label > tail)
        return written_order(r);
    field list = first_field(&r->lines[list_line]);
    r->line = r->lines[list_line].number;
    for (size_t i = 0; i < first_label; i++) {
        musc_status st = push_order(r, i);
        if (st)
            return st;
    }
    const char *p = list.p + 3, *end = list.p + list.len - 1;
    while (p <= end) {
        const char *q = p;
        while (q < end && *q != ',')
            q++;
        field want = {p, (size_t)(q - p)};
        size_t start = SIZE_MAX;
        for (size_t i = first_label; i < tail && start == SIZE_MAX; i++) {
            field lab;
            if (label_of(&r->lines[i], &lab) && lab.len == want.len &&
                !memcmp(lab.p, want.p, want.len))
                start = i;
        }
        if (start == SIZE_MAX) {
            musc_status st = damage(r, "expansion list names section \"%.*s\", which has no *> label"
                                       " (reading in written order)",
                                    (int)(want.len > 40 ? 40 : want.len), want.p);
            return st ? st : written_order(r);
        }
        for (size_t i = start; i < tail; i++) {
            field lab;
            if (i > start && label_of(&r->lines[i], &lab))
                break;
            musc_status st = push_order(r, i);
            if (st)
                return st;
        }
        p = q + 1;
    }
    for (size_t i = tail; i < r->n_lines; i++) {
        musc_status st = push_order(r, i);
        if (st)
            return st;
    }
    return MUSC_OK;
}

/* ---- reference records ----------------------------------------------------- */

static char *dup_trim(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/* !!!OTL: title, !!!COM: composer (a language suffix such as OTL@EN is
 * allowed). The first of each kind wins; empty values are skipped. */
static musc_status read_references(reader *r)
{
    for (size_t i = 0; i < r->n_lines; i++) {
        const kline *l = &r->lines[i];
        if (l->len < 7 || memcmp(l->p, "!!!", 3))
            continue;
        const char *colon = memchr(l->p, ':', l->len);
        if (!colon)
            continue;
        size_t klen = (size_t)(colon - l->p) - 3;
        const char *key = l->p + 3;
        int is_title = klen >= 3 && !memcmp(key, "OTL", 3) && (klen == 3 || key[3] == '@');
        int is_composer = klen >= 3 && !memcmp(key, "COM", 3) && (klen == 3 || key[3] == '@');
        if (!is_title && !is_composer)
            continue;
        char *v = dup_trim(colon + 1, (size_t)(l->p + l->len - colon - 1));
        if (!v)
            return nomem();
        if (!*v || (is_title && r->title) || (is_composer && r->n_creators)) {
            free(v);
            continue;
        }
        if (is_title) {
            r->title = v;
        } else {
            if (MUSC_GROW(r->creators, r->cap_creators, r->n_creators + 1)) {
                free(v);
                return nomem();
            }
            r->creators[r->n_creators++] = v;
        }
    }
    return MUSC_OK;
}

/* ---- interpretations ------------------------------------------------------- */

static const struct {
    const char *code, *name;
    int program;
} instruments[] = {
    {"violn", "Violin", 40},      {"viola", "Viola", 41},        {"cello", "Cello", 42},
    {"cbass", "Contrabass", 43},  {"piano", "Piano", 0},         {"cemba", "Harpsichord", 6},
    {"organ", "Organ", 19},       {"flt", "Flute", 73},          {"picco", "Piccolo", 72},
    {"oboe", "Oboe", 68},         {"clars", "Clarinet", 71},     {"fagot", "Bassoon", 70},
    {"corno", "Horn", 60},        {"tromp", "Trumpet", 56},      {"trmbn", "Trombone", 57},
    {"tuba", "Tuba", 58},         {"guitr", "Guitar", 24},       {"harp", "Harp", 46},
    {"timpa", "Timpani", 47},     {"recor", "Recorder", 74},     {"soprn", "Soprano", 52},
    {"mezzo", "Mezzo-soprano", 52}, {"calto", "Alto", 52},       {"tenor", "Tenor", 52},
    {"barit", "Baritone", 52},    {"bass", "Bass", 52},          {"vox", "Voice", 52},
};

/* Parse a decimal integer of at most 9 digits at *p (advancing it). */
static int small_int(const char **p, const char *end, int *out)
{
    const char *q = *p;
    int v = 0, digits = 0;
    while (q < end && isdigit((unsigned char)*q) && digits < 9) {
        v = v * 10 + (*q - '0');
        q++, digits++;
    }
    if (!digits || (q < end && isdigit((unsigned char)*q)))
        return -1;
    *p = q;
    *out = v;
    return 0;
}

/* The meta entry at time `now` in a list (the last one), or NULL. */
static kmeta *meta_at(kmeta *list, size_t n, rat now)
{
    return n && rat_cmp(list[n - 1].time, now) == 0 ? &list[n - 1] : NULL;
}

static musc_status meta_add(kmeta **list, size_t *n, size_t *cap, rat now, kmeta **out)
{
    if (musc_grow((void **)list, cap, *n + 1, sizeof **list))
        return nomem();
    kmeta *k = &(*list)[(*n)++];
    memset(k, 0, sizeof *k);
    k->time = now;
    *out = k;
    return MUSC_OK;
}

static int fifths_of_key(int root, int mode)
{
    /* the major key with the same signature, then its place on the circle */
    int major = mode == MUSC_MODE_MINOR ? (root + 3) % 12 : root;
    int f = (major * 7) % 12; /* fifths modulo 12, in 0..11 */
    return f > 6 ? f - 12 : f; /* Db (-5) rather than C# (7), F# (6) */
}

static musc_status interpret_kern(reader *r, spine *s, field f)
{
    const char *end = f.p + f.len;
    kmeta *k;
    if (field_starts(f, "*k[")) {
        const char *close = memchr(f.p, ']', f.len);
        if (!close)
            return damage(r, "key signature \"%.*s\" lacks its ']'", (int)(f.len > 40 ? 40 : f.len),
                          f.p);
        int sharps = 0, flats = 0;
        for (const char *p = f.p + 3; p < close; p++)
            sharps += *p == '#', flats += *p == '-';
        int fifths = sharps - flats;
        if (fifths < -7 || fifths > 7)
            return damage(r, "key signature with %d sharps and %d flats is out of range", sharps,
                          flats);
        if ((k = meta_at(r->keys, r->n_keys, r->now)) != NULL) {
            if (k->b & 1) /* an earlier spine gave this moment's signature */
                return MUSC_OK;
        } else {
            if (meta_add(&r->keys, &r->n_keys, &r->cap_keys, r->now, &k))
                return nomem();
            k->c = -1;
            k->d = MUSC_MODE_NONE;
        }
        k->a = fifths;
        k->b |= 1;
        return MUSC_OK;
    }
    if (field_starts(f, "*MM")) {
        char buf[32];
        size_t n = f.len - 3 < sizeof buf - 1 ? f.len - 3 : sizeof buf - 1;
        memcpy(buf, f.p + 3, n);
        buf[n] = '\0';
        char *e;
        double qpm = strtod(buf, &e);
        if (e == buf || *e || !(qpm > 0) || qpm > 10000)
            return MUSC_OK; /* *MM[Allegro] and other texts: no number */
        if (meta_at(r->tempos, r->n_tempos, r->now))
            return MUSC_OK;
        if (meta_add(&r->tempos, &r->n_tempos, &r->cap_tempos, r->now, &k))
            return nomem();
        k->qpm = qpm;
        return MUSC_OK;
    }
    if (f.len > 2 && f.p[1] == 'M' && isdigit((unsigned char)f.p[2])) {
        const char *p = f.p + 2;
        int num, den;
        if (small_int(&p, end, &num) || p >= end || *p != '/' || (p++, small_int(&p, end, &den)))
            return MUSC_OK; /* *M3/4%2 and other forms musc does not model */
        if (num < 1 || num > 255 || den < 1 || den > 255)
            return damage(r, "meter %d/%d is out of range", num, den);
        if (meta_at(r->meters, r->n_meters, r->now))
            return MUSC_OK;
        if (meta_add(&r->meters, &r->n_meters, &r->cap_meters, r->now, &k))
            return nomem();
        k->a = num;
        k->b = den;
        return MUSC_OK;
    }
    if (field_starts(f, "*I\"")) {
        kpart *pt = &r->parts[s->part];
        if (!pt->name && f.len > 3 && !(pt->name = dup_trim(f.p + 3, f.len - 3)))
            return nomem();
        return MUSC_OK;
    }
    if (f.len > 2 && f.p[1] == 'I' && islower((unsigned char)f.p[2])) {
        for (size_t i = 0; i < sizeof instruments / sizeof *instruments; i++)
            if (f.len - 2 == strlen(instruments[i].code) &&
                !memcmp(f.p + 2, instruments[i].code, f.len - 2)) {
                r->parts[s->part].program = instruments[i].program;
                r->parts[s->part].instrument = instruments[i].name;
            }
        return MUSC_OK;
    }
    /* a key: *G: *g: *E-: *f#: with an optional mode after the colon */
    const char *colon = memchr(f.p, ':', f.len);
    if (colon && f.len >= 3 && strchr("ABCDEFGabcdefg", f.p[1]) &&
        (colon == f.p + 2 || (colon == f.p + 3 && (f.p[2] == '#' || f.p[2] == '-')))) {
        static const int pcs[7] = {9, 11, 0, 2, 4, 5, 7};
        int upper = isupper((unsigned char)f.p[1]);
        int root = pcs[tolower((unsigned char)f.p[1]) - 'a'];
        if (colon == f.p + 3)
            root = (root + (f.p[2] == '#' ? 1 : 11)) % 12;
        int mode = colon + 1 < end ? MUSC_MODE_NONE : upper ? MUSC_MODE_MAJOR : MUSC_MODE_MINOR;
        if ((k = meta_at(r->keys, r->n_keys, r->now)) != NULL) {
            if (k->b & 2)
                return MUSC_OK;
        } else {
            if (meta_add(&r->keys, &r->n_keys, &r->cap_keys, r->now, &k))
                return nomem();
            k->a = mode == MUSC_MODE_NONE ? 0 : fifths_of_key(root, mode);
        }
        k->b |= 2;
        k->c = root;
        k->d = mode;
        return MUSC_OK;
    }
    return MUSC_OK; /* *clef, *met, *staff, *>A, *, ...: nothing to do */
}

static musc_status new_part(reader *r, spine *s)
{
    if (r->n_parts >= MAX_PARTS)
        return fail(r, "more than %d **kern spines", MAX_PARTS);
    if (MUSC_GROW(r->parts, r->cap_parts, r->n_parts + 1))
        return nomem();
    memset(&r->parts[r->n_parts], 0, sizeof *r->parts);
    s->part = (int)r->n_parts++;
    return MUSC_OK;
}

static musc_status set_exclusive(reader *r, spine *s, field f)
{
    s->kind = field_is(f, "**kern") ? SP_KERN : field_is(f, "**harm") ? SP_HARM : SP_OTHER;
    return s->kind == SP_KERN ? new_part(r, s) : MUSC_OK;
}

/* Split a line into tab-separated fields; a line with too few is padded
 * with `pad` and one with too many is cut (repairs). */
static musc_status split_fields(reader *r, const kline *l, size_t want, const char *pad)
{
    size_t n = 0;
    const char *p = l->p, *end = l->p + l->len;
    for (;;) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        const char *e = tab ? tab : end;
        if (n < MAX_SPINES + 1) {
            if (MUSC_GROW(r->fields, r->cap_fields, n + 1))
                return nomem();
            r->fields[n] = (field){p, (size_t)(e - p)};
        }
        n++;
        if (!tab)
            break;
        p = tab + 1;
    }
    r->n_fields = n;
    if (want == SIZE_MAX) /* the first exclusive interpretation line sets the count */
        return n > MAX_SPINES ? fail(r, "more than %d spines", MAX_SPINES) : MUSC_OK;
    if (n != want) {
        musc_status st = damage(r, "%zu fields, expected %zu (one per spine)%s", n, want,
                                n < want ? "; padded" : "; extra fields ignored");
        if (st)
            return st;
        if (MUSC_GROW(r->fields, r->cap_fields, want))
            return nomem();
        for (size_t i = n; i < want; i++)
            r->fields[i] = (field){pad, strlen(pad)};
    }
    return MUSC_OK;
}

static rat rat_max(rat a, rat b) { return rat_cmp(a, b) >= 0 ? a : b; }

/* Apply the spine manipulators of an interpretation line. */
static musc_status manipulate(reader *r)
{
    size_t n = r->n_sp, k = 0;
    if (MUSC_GROW(r->sp2, r->cap_sp2, 2 * n + 1))
        return nomem();
    for (size_t i = 0; i < n; i++) {
        field f = r->fields[i];
        spine s = r->sp[i];
        if (field_is(f, "*^")) {
            r->sp2[k++] = s;
            r->sp2[k++] = s;
        } else if (field_is(f, "*v")) {
            size_t j = i + 1;
            while (j < n && field_is(r->fields[j], "*v"))
                j++;
            if (j == i + 1) {
                musc_status st = damage(r, "a lone *v (nothing to join with) is ignored");
                if (st)
                    return st;
            }
            for (size_t q = i + 1; q < j; q++) {
                if (r->sp[q].kind != s.kind || (s.kind == SP_KERN && r->sp[q].part != s.part)) {
                    musc_status st = damage(r, "*v joins spines of different parts or kinds; "
                                               "the leftmost is kept");
                    if (st)
                        return st;
                }
                s.busy = rat_max(s.busy, r->sp[q].busy);
            }
            r->sp2[k++] = s;
            i = j - 1;
        } else if (field_is(f, "*x")) {
            if (i + 1 < n && field_is(r->fields[i + 1], "*x")) {
                r->sp2[k++] = r->sp[i + 1];
                r->sp2[k++] = s;
                i++;
            } else {
                musc_status st = damage(r, "a lone *x (nothing to exchange with) is ignored");
                if (st)
                    return st;
                r->sp2[k++] = s;
            }
        } else if (field_is(f, "*+")) {
            r->sp2[k++] = s;
            r->sp2[k++] = (spine){SP_NEW, -1, r->now};
        } else if (!field_is(f, "*-")) {
            r->sp2[k++] = s;
        }
    }
    if (k > MAX_SPINES)
        return fail(r, "more than %d spines", MAX_SPINES);
    spine *t = r->sp;
    size_t tc = r->cap_sp;
    r->sp = r->sp2;
    r->cap_sp = r->cap_sp2;
    r->sp2 = t;
    r->cap_sp2 = tc;
    r->n_sp = k;
    if (k == 0)
        r->ended = 1;
    return MUSC_OK;
}

static musc_status interpretation_line(reader *r)
{
    int manip = 0;
    for (size_t i = 0; i < r->n_sp; i++) {
        field f = r->fields[i];
        spine *s = &r->sp[i];
        if (field_is(f, "*^") || field_is(f, "*v") || field_is(f, "*x") || field_is(f, "*+") ||
            field_is(f, "*-")) {
            manip = 1;
        } else if (field_starts(f, "**")) {
            if (s->kind == SP_NEW) {
                musc_status st = set_exclusive(r, s, f);
                if (st)
                    return st;
            } else {
                musc_status st = damage(r, "exclusive interpretation %.*s on a spine that has one",
                                        (int)(f.len > 40 ? 40 : f.len), f.p);
                if (st)
                    return st;
            }
        } else if (s->kind == SP_KERN && f.len > 1 && f.p[0] == '*') {
            musc_status st = interpret_kern(r, s, f);
            if (st)
                return st;
        } else if (f.len == 0 || f.p[0] != '*') {
            musc_status st = damage(r, "\"%.*s\" in an interpretation line", (int)(f.len > 40 ? 40 : f.len),
                                    f.p);
            if (st)
                return st;
        }
    }
    return manip ? manipulate(r) : MUSC_OK;
}

/* ---- data tokens ------------------------------------------------------------ */

typedef struct subtoken {
    int has_dur, rest, grace, pitch; /* pitch -1: none */
    int tie_start, tie_mid, tie_end;
    rat dur;
} subtoken;

/* Parse one note, rest or chord member: "8.cc#[", "4r", "12B-J", "q8e". */
static musc_status parse_subtoken(reader *r, const char *p, size_t n, subtoken *t)
{
    memset(t, 0, sizeof *t);
    t->pitch = -1;
    const char *end = p + n;
    int letter = 0, count = 0, alter = 0, dots = 0, digits_seen = 0;
    int64_t recip = -1, zeros = 0, num = 1;
    for (const char *q = p; q < end;) {
        char c = *q;
        if (isdigit((unsigned char)c)) {
            if (digits_seen)
                return damage(r, "token \"%.*s\" has two durations", (int)(n > 40 ? 40 : n), p);
            digits_seen = 1;
            int64_t v = 0;
            int nd = 0, z = 0;
            while (q < end && isdigit((unsigned char)*q)) {
                if (nd < 9)
                    v = v * 10 + (*q - '0');
                z += *q == '0';
                nd++, q++;
            }
            if (nd > 7 || (v == 0 && nd > 3))
                return damage(r, "duration in \"%.*s\" is out of range", (int)(n > 40 ? 40 : n), p);
            recip = v;
            zeros = v == 0 ? z : 0;
            if (q < end && *q == '%') {
                q++;
                int64_t m = 0;
                int md = 0;
                while (q < end && isdigit((unsigned char)*q)) {
                    if (md < 9)
                        m = m * 10 + (*q - '0');
                    md++, q++;
                }
                if (md == 0 || md > 7 || m == 0 || v == 0)
                    return damage(r, "duration in \"%.*s\" is malformed", (int)(n > 40 ? 40 : n), p);
                num = m;
            }
            continue;
        }
        if ((c >= 'a' && c <= 'g') || (c >= 'A' && c <= 'G')) {
            if (letter && c != letter)
                return damage(r, "token \"%.*s\" has two pitches", (int)(n > 40 ? 40 : n), p);
            letter = c;
            count++;
        } else if (c == '#') {
            alter++;
        } else if (c == '-') {
            alter--;
        } else if (c == '.') {
            dots++;
        } else if (c == 'r') {
            t->rest = 1;
        } else if (c == 'q' || c == 'Q') {
            t->grace = 1;
        } else if (c == '[') {
            t->tie_start = 1;
        } else if (c == '_') {
            t->tie_mid = 1;
        } else if (c == ']') {
            t->tie_end = 1;
        }
        /* anything else (n, beams, stems, articulations, ...) is ignored */
        q++;
    }
    if (dots > 8 || alter > 4 || alter < -4 || count > 6)
        return damage(r, "token \"%.*s\" is out of range", (int)(n > 40 ? 40 : n), p);
    if (recip >= 0) {
        /* whole notes = num / recip (0: 2^zeros); in quarters times 4; dots
         * multiply by (2^(k+1) - 1) / 2^k */
        wide qn = (wide)4 * num, qd = recip;
        if (recip == 0) {
            qn = (wide)4 << zeros;
            qd = 1;
        }
        qn *= ((wide)1 << (dots + 1)) - 1;
        qd <<= dots;
        if (rat_from_wide(&t->dur, qn, qd))
            return damage(r, "duration in \"%.*s\" is out of range", (int)(n > 40 ? 40 : n), p);
        t->has_dur = 1;
    }
    if (t->rest || t->grace)
        return MUSC_OK;
    if (!letter)
        return damage(r, "token \"%.*s\" is neither a note, a rest nor null (skipped)",
                      (int)(n > 40 ? 40 : n), p);
    static const int pcs[7] = {9, 11, 0, 2, 4, 5, 7};
    int base = (letter >= 'a' ? 60 + 12 * (count - 1) : 48 - 12 * (count - 1)) +
               pcs[tolower(letter) - 'a'];
    int pitch = base + alter;
    if (pitch < 0 || pitch > 127)
        return damage(r, "pitch of \"%.*s\" (%d) is outside MIDI's 0..127 (skipped)",
                      (int)(n > 40 ? 40 : n), p, pitch);
    t->pitch = pitch;
    return MUSC_OK;
}

static musc_status add_note(reader *r, int part, const subtoken *t)
{
    kpart *pt = &r->parts[part];
    if (t->tie_mid || t->tie_end) {
        for (size_t i = pt->n_open; i-- > 0;) {
            knote *nt = &r->notes[pt->open[i]];
            rat end;
            if (nt->pitch != t->pitch || rat_add(&end, nt->time, nt->dur) ||
                rat_cmp(end, r->now) != 0)
                continue;
            if (rat_add(&nt->dur, nt->dur, t->dur))
                return fail(r, "a tied note is too long");
            if (t->tie_end && !t->tie_start)
                pt->open[i] = pt->open[--pt->n_open];
            return MUSC_OK;
        }
        musc_status st = note_repair(r, "a tie continues a note that is not sounding; "
                                        "starting a new note");
        if (st)
            return st;
    }
    if (MUSC_GROW(r->notes, r->cap_notes, r->n_notes + 1))
        return nomem();
    r->notes[r->n_notes] = (knote){r->now, t->dur, part, t->pitch};
    if (t->tie_start || t->tie_mid) {
        if (MUSC_GROW(pt->open, pt->cap_open, pt->n_open + 1))
            return nomem();
        pt->open[pt->n_open++] = r->n_notes;
    }
    r->n_notes++;
    return MUSC_OK;
}

/* Close ties that can no longer continue (their note ended before now), so
 * the open lists stay short. */
static void prune_ties(reader *r, kpart *pt)
{
    for (size_t i = 0; i < pt->n_open;) {
        knote *nt = &r->notes[pt->open[i]];
        rat end;
        if (rat_add(&end, nt->time, nt->dur) || rat_cmp(end, r->now) < 0)
            pt->open[i] = pt->open[--pt->n_open];
        else
            i++;
    }
}

static musc_status kern_token(reader *r, spine *s, field f)
{
    const char *p = f.p, *end = f.p + f.len;
    int first = 1;
    rat chord_dur = {0, 1};
    int have_chord_dur = 0;
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        const char *q = p;
        while (q < end && *q != ' ')
            q++;
        if (q == p)
            break;
        subtoken t;
        musc_status st = parse_subtoken(r, p, (size_t)(q - p), &t);
        if (st)
            return st;
        p = q;
        if (t.grace)
            continue;
        if (!t.has_dur) {
            if (!have_chord_dur) {
                if (t.rest || t.pitch >= 0) {
                    st = damage(r, "\"%.*s\" has no duration (skipped)", (int)(f.len > 40 ? 40 : f.len),
                                f.p);
                    if (st)
                        return st;
                }
                continue;
            }
            t.dur = chord_dur; /* a chord member may leave its length to the first */
            t.has_dur = 1;
        }
        if (first) {
            first = 0;
            chord_dur = t.dur;
            have_chord_dur = 1;
            rat end_time;
            if (rat_add(&end_time, r->now, t.dur))
                return fail(r, "durations too fine (too many kinds of tuplet) or the music too "
                               "long to time exactly");
            if (end_time.n / end_time.d > ((int64_t)1 << 36))
                return fail(r, "the music is too long");
            s->busy = end_time;
        }
        if (t.pitch >= 0) {
            st = add_note(r, s->part, &t);
            if (st)
                return st;
        }
    }
    return MUSC_OK;
}

static musc_status data_line(reader *r)
{
    for (size_t i = 0; i < r->n_sp; i++) {
        field f = r->fields[i];
        spine *s = &r->sp[i];
        if (f.len == 0) {
            musc_status st = damage(r, "empty field in spine %zu", i + 1);
            if (st)
                return st;
            continue;
        }
        if (field_is(f, ".") || f.p[0] == '=' || f.p[0] == '!')
            continue;
        if (s->kind == SP_KERN) {
            musc_status st = kern_token(r, s, f);
            if (st)
                return st;
        } else if (s->kind == SP_HARM) {
            kmeta *k;
            if (meta_add(&r->harms, &r->n_harms, &r->cap_harms, r->now, &k) ||
                !(k->text = dup_trim(f.p, f.len)))
                return nomem();
        }
    }
    /* the next line starts when the earliest sounding note ends */
    rat next = r->now;
    int found = 0;
    for (size_t i = 0; i < r->n_sp; i++) {
        if (r->sp[i].kind != SP_KERN || rat_cmp(r->sp[i].busy, r->now) <= 0)
            continue;
        if (!found || rat_cmp(r->sp[i].busy, next) < 0)
            next = r->sp[i].busy;
        found = 1;
    }
    r->now = next;
    if (found)
        for (size_t i = 0; i < r->n_parts; i++)
            if (r->parts[i].n_open > 8)
                prune_ties(r, &r->parts[i]);
    return MUSC_OK;
}

/* ---- step 2: the walk ------------------------------------------------------ */

static musc_status walk(reader *r)
{
    for (size_t oi = 0; oi < r->n_order; oi++) {
        const kline *l = &r->lines[r->order[oi]];
        r->line = l->number;
        musc_status st = MUSC_OK;
        if (l->len == 0 && r->ended)
            continue; /* blank lines after the end are common and harmless */
        if (l->len == 0) {
            if ((st = damage(r, "empty line (skipped)")))
                return st;
            continue;
        }
        if (l->p[0] == '!')
            continue; /* comments and reference records */
        if (r->ended) {
            if (r->n_parts && (st = damage(r, "text after every spine ended (ignored)")))
                return st;
            if (r->n_parts)
                return MUSC_OK;
            r->ended = 0; /* only non-kern spines so far: look for more */
        }
        if (!r->started) {
            if (l->len < 2 || memcmp(l->p, "**", 2))
                return fail(r, "expected the exclusive interpretations (**kern ...) first");
            if ((st = split_fields(r, l, SIZE_MAX, "")))
                return st;
            size_t n = r->n_fields;
            if (MUSC_GROW(r->sp, r->cap_sp, n))
                return nomem();
            r->n_sp = n;
            for (size_t i = 0; i < n; i++) {
                field f = r->fields[i];
                if (!field_starts(f, "**"))
                    return fail(r, "field %zu of the first line is \"%.*s\", expected **kind", i + 1,
                                (int)(f.len > 40 ? 40 : f.len), f.p);
                r->sp[i] = (spine){0, -1, r->now};
                if ((st = set_exclusive(r, &r->sp[i], f)))
                    return st;
            }
            r->started = r->any_spines = 1;
            continue;
        }
        r->cells += r->n_sp + 1;
        if (r->cells > MAX_CELLS)
            return fail(r, "more than 2^26 tokens to read (spines times played lines)");
        int interp = l->p[0] == '*';
        if ((st = split_fields(r, l, r->n_sp, interp ? "*" : ".")))
            return st;
        st = interp ? interpretation_line(r) : data_line(r);
        if (st)
            return st;
        if (r->ended) /* all spines ended: a later ** line may start more */
            r->started = r->n_parts == 0 ? 0 : 1;
    }
    if (!r->any_spines)
        return musc_error(MUSC_ERR_FORMAT, "kern: no spines (no line starting with **)");
    if (!r->n_parts)
        return musc_error(MUSC_ERR_FORMAT, "kern: no **kern spine");
    return MUSC_OK;
}

/* ---- step 3: the object model ---------------------------------------------- */

static int64_t lcm_capped(int64_t a, int64_t b, int64_t cap)
{
    int64_t g = gcd64(a, b);
    wide l = (wide)(a / g) * b;
    return l > cap ? cap + 1 : (int64_t)l;
}

static int64_t to_ticks(rat t, int64_t res)
{
    wide x = (wide)t.n * res;
    /* nearest, halves up (exact when res is a multiple of t.d) */
    return (int64_t)((2 * x + t.d) / (2 * (wide)t.d));
}

static musc_status build(reader *r, musc_music **out)
{
    const int64_t cap = MUSC_KERN_MAX_RESOLUTION;
    int64_t res = MUSC_DEFAULT_RESOLUTION;
    for (size_t i = 0; i < r->n_notes && res <= cap; i++) {
        res = lcm_capped(res, r->notes[i].time.d, cap);
        if (res <= cap)
            res = lcm_capped(res, r->notes[i].dur.d, cap);
    }
    kmeta *lists[4] = {r->keys, r->meters, r->tempos, r->harms};
    size_t counts[4] = {r->n_keys, r->n_meters, r->n_tempos, r->n_harms};
    for (int li = 0; li < 4; li++)
        for (size_t i = 0; i < counts[li] && res <= cap; i++)
            res = lcm_capped(res, lists[li][i].time.d, cap);
    if (res > cap) {
        res = 10080;
        r->line = 0;
        if (r->report && musc_report_add(r->report, MUSC_REPAIR_OTHER, 0,
                                         "durations need more than %lld ticks per quarter; "
                                         "times rounded to 10080 per quarter",
                                         (long long)cap))
            return nomem();
    }
    musc_music *m = musc_music_new((int)res);
    if (!m)
        return nomem();
    musc_status st = musc_set_string(&m->metadata.source_format, "kern");
    if (!st && r->title)
        st = musc_set_string(&m->metadata.title, r->title);
    for (size_t i = 0; !st && i < r->n_creators; i++)
        st = musc_music_add_creator(m, r->creators[i]);
    for (size_t i = 0; !st && i < r->n_parts; i++) {
        kpart *pt = &r->parts[i];
        musc_track *t =
            musc_music_add_track(m, pt->program, 0, pt->name ? pt->name : pt->instrument);
        if (!t || (pt->instrument && musc_set_string(&t->instrument_name, pt->instrument)))
            st = nomem();
    }
    for (size_t i = 0; !st && i < r->n_notes; i++) {
        const knote *n = &r->notes[i];
        st = musc_track_add_note(&m->tracks[n->part], to_ticks(n->time, res), to_ticks(n->dur, res),
                                 n->pitch, MUSC_DEFAULT_VELOCITY);
    }
    for (size_t i = 0; !st && i < r->n_keys; i++) {
        const kmeta *k = &r->keys[i];
        st = musc_music_add_key_signature(m, to_ticks(k->time, res), k->a, k->d, k->c);
    }
    for (size_t i = 0; !st && i < r->n_meters; i++)
        st = musc_music_add_time_signature(m, to_ticks(r->meters[i].time, res), r->meters[i].a,
                                           r->meters[i].b);
    for (size_t i = 0; !st && i < r->n_tempos; i++)
        st = musc_music_add_tempo(m, to_ticks(r->tempos[i].time, res), r->tempos[i].qpm);
    for (size_t i = 0; !st && i < r->n_harms; i++)
        st = musc_music_add_annotation(m, to_ticks(r->harms[i].time, res), MUSC_ANN_OTHER,
                                       r->harms[i].text);
    if (st) {
        musc_music_free(m);
        return st;
    }
    musc_music_sort(m);
    *out = m;
    return MUSC_OK;
}

static void reader_free(reader *r)
{
    free(r->lines);
    free(r->order);
    free(r->sp);
    free(r->sp2);
    free(r->fields);
    for (size_t i = 0; i < r->n_parts; i++) {
        free(r->parts[i].name);
        free(r->parts[i].open);
    }
    free(r->parts);
    free(r->notes);
    free(r->keys);
    free(r->meters);
    free(r->tempos);
    for (size_t i = 0; i < r->n_harms; i++)
        free(r->harms[i].text);
    free(r->harms);
    free(r->title);
    for (size_t i = 0; i < r->n_creators; i++)
        free(r->creators[i]);
    free(r->creators);
}

musc_status musc_kern_read_mem(const char *text, size_t size, const musc_read_options *options,
                               musc_music **out, musc_report *report)
{
    *out = NULL;
    if (!text && size)
        return musc_error(MUSC_ERR_ARG, "kern: text is NULL");
    if (text && memchr(text, '\0', size))
        return musc_error(MUSC_ERR_FORMAT, "kern: the text holds a NUL byte (not a text file)");
    reader r;
    memset(&r, 0, sizeof r);
    r.strict = options ? options->strict : 0;
    r.flags = options ? options->flags : 0;
    r.report = report;
    r.now = (rat){0, 1};
    musc_status st = split_lines(&r, text ? text : "", size);
    if (!st)
        st = read_references(&r);
    if (!st)
        st = choose_order(&r);
    if (!st)
        st = walk(&r);
    if (!st)
        st = build(&r, out);
    reader_free(&r);
    return st;
}

musc_status musc_kern_read(const char *path, const musc_read_options *options, musc_music **out,
                           musc_report *report)
{
    uint8_t *data;
    size_t size;
    *out = NULL;
    musc_status st = musc_file_read_all(path, (size_t)256 << 20, &data, &size);
    if (st)
        return st;
    st = musc_kern_read_mem((const char *)data, size, options, out, report);
    free(data);
    if (st) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", musc_errmsg());
        return musc_error(st, "%s: %s", path, msg);
    }
    const char *base = strrchr(path, '/');
    if (musc_set_string(&(*out)->metadata.source_filename, base ? base + 1 : path)) {
        musc_music_free(*out);
        *out = NULL;
        return nomem();
    }
    return MUSC_OK;
}
