/*
 * ABC notation reader.
 *
 * A tune is read in three steps:
 *  1. parse: the body is scanned once into a flat list of items per voice
 *     (note groups with exact fractional lengths, bar lines with their
 *     repeat/ending marks, meter/key/tempo changes, chord symbols, part
 *     markers). Pitches are resolved here, since key and bar accidentals
 *     depend on the written order.
 *  2. expand: parts (header P:) and repeats/endings are unfolded into the
 *     playing order, as a list of item indices.
 *  3. place: walking the playing order assigns exact times (fractions of a
 *     whole note), merges tied notes, and fills the object model with a
 *     resolution that makes every time an integer tick.
 * The rules are listed in include/musc/abc.h.
 */
#include "musc/abc.h"

#include <ctype.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "../core/grow.h"

/* ---- exact fractions ------------------------------------------------------ */

/* Fractions of a whole note. Numerators and denominators are kept below
 * RAT_LIMIT so products never overflow int64; longer or finer lengths are a
 * format error (no real tune comes near). */
typedef struct rat {
    int64_t n, d;
} rat;

#define RAT_LIMIT ((int64_t)1 << 40)

static int64_t gcd64(int64_t a, int64_t b)
{
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a ? a : 1;
}

/* Reduce n/d into *r; returns 0, or -1 when out of range. */
static int rat_set(rat *r, int64_t n, int64_t d)
{
    if (d == 0)
        return -1;
    if (d < 0)
        n = -n, d = -d;
    int64_t g = gcd64(n, d);
    n /= g;
    d /= g;
    if (n > RAT_LIMIT || n < -RAT_LIMIT || d > RAT_LIMIT)
        return -1;
    r->n = n;
    r->d = d;
    return 0;
}

static int rat_mul(rat *r, rat a, rat b)
{
    int64_t g1 = gcd64(a.n, b.d), g2 = gcd64(b.n, a.d);
    __int128 n = (__int128)(a.n / g1) * (b.n / g2);
    __int128 d = (__int128)(a.d / g2) * (b.d / g1);
    if (n > RAT_LIMIT || n < -RAT_LIMIT || d > RAT_LIMIT)
        return -1;
    return rat_set(r, (int64_t)n, (int64_t)d);
}

static int rat_add(rat *r, rat a, rat b)
{
    int64_t g = gcd64(a.d, b.d);
    __int128 d = (__int128)(a.d / g) * b.d;
    __int128 n = (__int128)a.n * (b.d / g) + (__int128)b.n * (a.d / g);
    if (d > RAT_LIMIT * 4 || n > RAT_LIMIT * 4 || n < -RAT_LIMIT * 4) {
        __int128 gg = n;
        __int128 dd = d;
        while (dd) { __int128 t = gg % dd; gg = dd; dd = t; }
        if (gg < 0) gg = -gg;
        if (gg == 0) gg = 1;
        n /= gg;
        d /= gg;
        if (d > RAT_LIMIT || n > RAT_LIMIT || n < -RAT_LIMIT)
            return -1;
    }
    return rat_set(r, (int64_t)n, (int64_t)d);
}

static int rat_cmp(rat a, rat b)
{
    __int128 x = (__int128)a.n * b.d, y = (__int128)b.n * a.d;
    return (x > y) - (x < y);
}

/* ---- parsed items ---------------------------------------------------------- */

enum item_kind { IT_NOTES, IT_BAR, IT_METER, IT_KEY, IT_TEMPO, IT_CHORDSYM, IT_TEXT, IT_PART,
                 IT_LYRIC, IT_HAIRPIN };

enum {
    BAR_REPEAT_END = 1,   /* :| */
    BAR_REPEAT_START = 2, /* |: */
    BAR_DOUBLE = 4,       /* || |] [| : ends an ending */
    BAR_LINE = 8          /* an actual bar line (resets accidentals) */
};

typedef struct pnote {
    int16_t pitch;
    uint8_t tie;
    uint8_t velocity;
    rat dur;
} pnote;

typedef struct item {
    int kind;
    int line;
    rat adv;          /* IT_NOTES: how far time moves */
    size_t first, n;  /* IT_NOTES: notes[first .. first+n) of the voice */
    int flags;        /* IT_BAR */
    uint32_t endings; /* IT_BAR: bit k set = ending k (1..31) starts here */
    int a, b, c;      /* IT_METER num/den; IT_KEY fifths/mode/root; IT_HAIRPIN
                         kind (MUSC_HAIRPIN_*) / 1 start, 0 end */
    double qpm;       /* IT_TEMPO */
    char *text;       /* IT_CHORDSYM / IT_TEXT / IT_LYRIC, owned; IT_PART letter in a */
    size_t lyr;       /* IT_NOTES: first of its syllables (1-based in voice.lyrs,
                         0 none); IT_LYRIC: the next one; IT_LYRIC's verse in a */
} item;

typedef struct voice {
    char *id;
    char *name;
    item *items;
    size_t n_items, cap_items;
    pnote *notes;
    size_t n_notes, cap_notes;
    ssize_t last_group; /* index of the last IT_NOTES item, for broken rhythm */
    int program;        /* %%MIDI program N */
    int is_drum;        /* %%MIDI channel 10 */
    item *lyrs;         /* w: syllables (IT_LYRIC), linked from their note items */
    size_t n_lyrs, cap_lyrs;
    size_t line_first;  /* first item of the music line that w: lines align to */
    int verse;          /* w: lines seen since that music line */
    int continued;      /* the last music line ended with a backslash */
} voice;

typedef struct parser {
    const char *text; /* the tune: from X: to its end */
    size_t size;
    const char *line_start;
    int line;      /* 1-based line in the whole input */
    int strict;
    musc_report *report;
    int flags;

    /* header state */
    int number;
    char *title;
    char **creators;
    size_t n_creators, cap_creators;
    char *part_order; /* header P:, or NULL */

    /* current state */
    rat unit;             /* L: */
    int unit_set;
    int meter_num, meter_den; /* 0/0 = free meter */
    int key_acc[7];       /* per letter C..B: semitone offset from the key */
    int bar_acc[7][16];   /* per letter and octave: offset, valid when bar_acc_set */
    uint8_t bar_acc_set[7][16];
    int velocity;
    int propagate; /* PROPAGATE_*: how far a written accidental carries in a bar */
    /* tuplet */
    int tup_p, tup_q, tup_left;
    /* broken rhythm pending for the next group: multiplier */
    rat broken_next;
    int have_broken;

    voice *voices;
    size_t n_voices, cap_voices;
    size_t cur;
} parser;

/* %%propagate-accidentals: abc2midi (and the Nottingham tunes) carry an
 * accidental to the same letter in every octave; ABC 2.1's "pitch" keeps it
 * to one octave; "not" does not carry it at all. */
enum { PROPAGATE_LETTER = 0, PROPAGATE_PITCH = 1, PROPAGATE_NOT = 2 };

static const int letter_pc[7] = {0, 2, 4, 5, 7, 9, 11}; /* C D E F G A B */

static int letter_index(int c)
{
    switch (toupper(c)) {
    case 'C': return 0;
    case 'D': return 1;
    case 'E': return 2;
    case 'F': return 3;
    case 'G': return 4;
    case 'A': return 5;
    case 'B': return 6;
    default: return -1;
    }
}

static int perr(parser *p, const char *at, const char *fmt, const char *what)
{
    int col = at && p->line_start ? (int)(at - p->line_start) + 1 : 0;
    return musc_error(MUSC_ERR_FORMAT, "ABC line %d, column %d: %s%s", p->line, col, fmt,
                      what ? what : "");
}

/* Report something skipped; in strict mode it is an error instead. */
static int skip_or_fail(parser *p, const char *at, const char *msg)
{
    int col = at && p->line_start ? (int)(at - p->line_start) + 1 : 0;
    if (p->strict)
        return musc_error(MUSC_ERR_FORMAT, "ABC line %d, column %d: %s", p->line, col, msg);
    if (musc_report_add(p->report, MUSC_REPAIR_OTHER, p->line, "line %d, column %d: %s (skipped)",
                        p->line, col, msg))
        return MUSC_ERR_NOMEM;
    return 0;
}

static char *dup_range(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Trimmed copy of [s, e). */
static char *dup_trim(const char *s, const char *e)
{
    while (s < e && isspace((unsigned char)*s)) s++;
    while (e > s && isspace((unsigned char)e[-1])) e--;
    return dup_range(s, (size_t)(e - s));
}

static voice *cur_voice(parser *p) { return &p->voices[p->cur]; }

static int add_voice(parser *p, const char *id, size_t idlen)
{
    if (MUSC_GROW(p->voices, p->cap_voices, p->n_voices + 1))
        return MUSC_ERR_NOMEM;
    voice *v = &p->voices[p->n_voices];
    memset(v, 0, sizeof *v);
    v->last_group = -1;
    if (!(v->id = dup_range(id, idlen)))
        return MUSC_ERR_NOMEM;
    p->n_voices++;
    return 0;
}

static item *push_item(parser *p, int kind)
{
    voice *v = cur_voice(p);
    if (MUSC_GROW(v->items, v->cap_items, v->n_items + 1))
        return NULL;
    item *it = &v->items[v->n_items++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->line = p->line;
    it->adv = (rat){0, 1};
    return it;
}

/* ---- field values --------------------------------------------------------- */

static int parse_int(const char **s, const char *e, int64_t *out)
{
    const char *q = *s;
    int64_t v = 0;
    if (q >= e || !isdigit((unsigned char)*q))
        return -1;
    while (q < e && isdigit((unsigned char)*q)) {
        v = v * 10 + (*q - '0');
        if (v > 100000000)
            return -1;
        q++;
    }
    *s = q;
    *out = v;
    return 0;
}

static void skip_ws(const char **s, const char *e)
{
    while (*s < e && (**s == ' ' || **s == '\t'))
        (*s)++;
}

/* M: value. Sets meter; "none" gives free meter. Returns 0 or -1. */
static int parse_meter(const char *s, const char *e, int *num, int *den)
{
    skip_ws(&s, e);
    if (e - s >= 2 && s[0] == 'C' && s[1] == '|') { *num = 2; *den = 2; return 0; }
    if (s < e && s[0] == 'C') { *num = 4; *den = 4; return 0; }
    if (e - s >= 4 && !strncmp(s, "none", 4)) { *num = 0; *den = 0; return 0; }
    /* numerator may be a sum such as 2+3+2, optionally in parentheses */
    int64_t total = 0, v;
    if (s < e && *s == '(') s++;
    for (;;) {
        skip_ws(&s, e);
        if (parse_int(&s, e, &v))
            return -1;
        total += v;
        skip_ws(&s, e);
        if (s < e && *s == '+') { s++; continue; }
        break;
    }
    if (s < e && *s == ')') s++;
    skip_ws(&s, e);
    if (s >= e || *s != '/')
        return -1;
    s++;
    skip_ws(&s, e);
    if (parse_int(&s, e, &v) || v < 1 || total < 1 || total > 255 || v > 1024)
        return -1;
    *num = (int)total;
    *den = (int)v;
    return 0;
}

/* A fraction such as 1/8 (or a bare 1). */
static int parse_fraction(const char **s, const char *e, rat *out)
{
    int64_t n, d = 1;
    skip_ws(s, e);
    if (parse_int(s, e, &n))
        return -1;
    if (*s < e && **s == '/') {
        (*s)++;
        if (parse_int(s, e, &d) || d == 0)
            return -1;
    }
    return rat_set(out, n, d);
}

/* Q: value -> quarter notes per minute, 0 if none found. */
static double parse_tempo(parser *p, const char *s, const char *e)
{
    /* drop quoted text */
    rat beat = {0, 1};
    int have_beat = 0;
    const char *eq = NULL;
    for (const char *q = s; q < e; q++)
        if (*q == '=') { eq = q; break; }
    if (eq) {
        const char *q = s;
        while (q < eq) {
            if (*q == '"') {
                q++;
                while (q < eq && *q != '"') q++;
                if (q < eq) q++;
                continue;
            }
            if (isdigit((unsigned char)*q)) {
                rat f;
                if (parse_fraction(&q, eq, &f))
                    return 0;
                if (rat_add(&beat, beat, f))
                    return 0;
                have_beat = 1;
                continue;
            }
            if (*q == 'C' || *q == 'L') { /* old "C=120": the unit length */
                if (rat_add(&beat, beat, p->unit)) return 0;
                have_beat = 1;
            }
            q++;
        }
        s = eq + 1;
    }
    skip_ws(&s, e);
    int64_t bpm;
    while (s < e && *s == '"') { /* text after the number, e.g. "Allegro" */
        s++;
        while (s < e && *s != '"') s++;
        if (s < e) s++;
        skip_ws(&s, e);
    }
    if (parse_int(&s, e, &bpm) || bpm == 0)
        return 0;
    if (!have_beat)
        beat = p->unit; /* Q:120 counts unit lengths */
    return (double)bpm * 4.0 * (double)beat.n / (double)beat.d;
}

/* K: value. Sets the key accidentals and the fifths, mode and root for the model.
 * Returns 0, or -1 when the key cannot be read. */
static int parse_key(parser *p, const char *s, const char *e, int *fifths, int *mode, int *root)
{
    skip_ws(&s, e);
    int f = 0;
    *mode = MUSC_MODE_MAJOR;
    *root = 0;
    int explicit_only = 0;
    if (e - s >= 4 && !strncmp(s, "none", 4)) {
        s += 4;
        *mode = MUSC_MODE_NONE;
        *root = -1;
    } else if (e - s >= 2 && s[0] == 'H' && (s[1] == 'P' || s[1] == 'p')) {
        /* Highland bagpipe: HP has no signature; Hp is written with F# C# */
        f = s[1] == 'p' ? 2 : 0;
        *mode = MUSC_MODE_NONE;
        *root = s[1] == 'p' ? 2 : -1;
        s += 2;
    } else if (s < e && letter_index(*s) >= 0 && isupper((unsigned char)*s)) {
        static const int base[7] = {0, 2, 4, -1, 1, 3, 5};
        int li = letter_index(*s);
        f = base[li];
        int pc = letter_pc[li];
        s++;
        if (s < e && *s == '#') { f += 7; pc++; s++; }
        else if (s < e && *s == 'b') { f -= 7; pc--; s++; }
        *root = (pc + 12) % 12;
        skip_ws(&s, e);
        const char *w = s;
        while (s < e && isalpha((unsigned char)*s)) s++;
        size_t wl = (size_t)(s - w);
        char m[4] = {0};
        for (size_t i = 0; i < 3 && i < wl; i++) m[i] = (char)tolower((unsigned char)w[i]);
        if (wl == 0 || !strcmp(m, "maj") || !strcmp(m, "ion")) {
        } else if (!strcmp(m, "m") || !strcmp(m, "min") || !strcmp(m, "aeo")) {
            f -= 3; *mode = MUSC_MODE_MINOR;
        } else if (!strcmp(m, "dor")) { f -= 2; *mode = MUSC_MODE_NONE; }
        else if (!strcmp(m, "phr")) { f -= 4; *mode = MUSC_MODE_NONE; }
        else if (!strcmp(m, "lyd")) { f += 1; *mode = MUSC_MODE_NONE; }
        else if (!strcmp(m, "mix")) { f -= 1; *mode = MUSC_MODE_NONE; }
        else if (!strcmp(m, "loc")) { f -= 5; *mode = MUSC_MODE_NONE; }
        else if (!strcmp(m, "exp")) { explicit_only = 1; }
        else {
            /* a word that is not a mode: clef=..., treble etc.; rewind */
            s = w;
        }
        if (f < -7 || f > 7)
            return -1;
    } else if (s < e && isupper((unsigned char)*s)) {
        return -1; /* K:Q and the like: not a key */
    } else if (s >= e) {
        *mode = MUSC_MODE_MAJOR; /* K: alone means C major */
    } else if (*s != '^' && *s != '_' && *s != '=') {
        /* K:clef=bass etc. without a key: keep C */
    }
    /* key accidentals from the signature: sharps F C G D A E B, flats reverse */
    static const int sharp_order[7] = {3, 0, 4, 1, 5, 2, 6};
    memset(p->key_acc, 0, sizeof p->key_acc);
    if (!explicit_only) {
        for (int i = 0; i < f && i < 7; i++) p->key_acc[sharp_order[i]] = 1;
        for (int i = 0; i < -f && i < 7; i++) p->key_acc[sharp_order[6 - i]] = -1;
    }
    /* explicit accidentals and other tokens */
    while (s < e) {
        skip_ws(&s, e);
        if (s >= e)
            break;
        if (*s == '^' || *s == '_' || *s == '=') {
            int acc = 0;
            while (s < e && (*s == '^' || *s == '_' || *s == '=')) {
                acc += *s == '^' ? 1 : *s == '_' ? -1 : 0;
                s++;
            }
            if (s < e && letter_index(*s) >= 0) {
                p->key_acc[letter_index(*s)] = acc;
                s++;
            }
            continue;
        }
        if (e - s >= 3 && !strncmp(s, "exp", 3) && !explicit_only) {
            memset(p->key_acc, 0, sizeof p->key_acc);
            explicit_only = 1;
        }
        /* clef=..., transpose=... (always move on, even over a stray byte) */
        do
            s++;
        while (s < e && !isspace((unsigned char)*s));
    }
    *fifths = f;
    return 0;
}

/* Expand a header P: order such as "A2B", "(AB)2C" or "AABB" into letters.
 * Output is capped so a hostile order cannot blow up. */
static int expand_part_order(const char **s, const char *e, char *out, size_t *n, size_t cap,
                             int depth)
{
    if (depth > 8)
        return -1;
    while (*s < e) {
        char c = **s;
        size_t start = *n;
        if (c == '(') {
            (*s)++;
            if (expand_part_order(s, e, out, n, cap, depth + 1))
                return -1;
            if (*s < e && **s == ')')
                (*s)++;
        } else if (c == ')') {
            return 0;
        } else if (isalpha((unsigned char)c)) {
            if (*n >= cap) return -1;
            out[(*n)++] = c;
            (*s)++;
        } else {
            (*s)++;
            continue;
        }
        int64_t rep;
        if (*s < e && isdigit((unsigned char)**s) && !parse_int(s, e, &rep)) {
            size_t len = *n - start;
            for (int64_t r = 1; r < rep; r++) {
                if (*n + len > cap) return -1;
                memmove(out + *n, out + start, len);
                *n += len;
            }
        }
    }
    return 0;
}

/* ---- body ------------------------------------------------------------------ */

static void reset_bar_acc(parser *p) { memset(p->bar_acc_set, 0, sizeof p->bar_acc_set); }

/* A field inside the body (line "K:G" or inline "[K:G]"). */
/* Attach one syllable (text[0..n), with ~ shown as a space and \- as a
 * hyphen) to note item `idx` of voice v as verse `verse`. */
static int add_syllable(voice *v, size_t idx, const char *text, size_t n, int verse)
{
    if (MUSC_GROW(v->lyrs, v->cap_lyrs, v->n_lyrs + 1))
        return MUSC_ERR_NOMEM;
    char *t = malloc(n + 1);
    if (!t)
        return MUSC_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\\' && i + 1 < n && text[i + 1] == '-')
            continue;
        t[k++] = text[i] == '~' ? ' ' : text[i];
    }
    t[k] = '\0';
    item *ly = &v->lyrs[v->n_lyrs++];
    memset(ly, 0, sizeof *ly);
    ly->kind = IT_LYRIC;
    ly->text = t;
    ly->a = verse;
    /* append to the note item's list, keeping verse order */
    size_t *link = &v->items[idx].lyr;
    while (*link)
        link = &v->lyrs[*link - 1].lyr;
    *link = v->n_lyrs;
    return 0;
}

/* A w: line: its syllables go to the notes (not rests) of the music line
 * above it, one each; several w: lines under one music line are verses 1,
 * 2, ... (ABC 2.1 section 5). Separators: spaces and "-" between syllables;
 * "_" holds the previous syllable over one more note and "*" skips a note
 * (neither adds a lyric); "|" moves on to the first note after the next bar
 * line; "~" joins words under one note; "\-" is a literal hyphen. Extra
 * syllables are dropped. */
static int align_lyrics(parser *p, const char *s, const char *e)
{
    voice *v = cur_voice(p);
    int verse = v->verse++;
    size_t i = v->line_first;
    while (s < e) {
        char c = *s;
        if (isspace((unsigned char)c) || c == '-') {
            s++;
            continue;
        }
        if (c == '|') { /* past the next bar line */
            while (i < v->n_items && v->items[i].kind != IT_BAR)
                i++;
            if (i < v->n_items)
                i++;
            s++;
            continue;
        }
        /* the next note item (rests and bar lines are passed over) */
        while (i < v->n_items && !(v->items[i].kind == IT_NOTES && v->items[i].n > 0))
            i++;
        if (i >= v->n_items)
            break;
        if (c == '_' || c == '*') {
            i++;
            s++;
            continue;
        }
        const char *w = s;
        while (s < e && !isspace((unsigned char)*s) && *s != '_' && *s != '*' && *s != '|' &&
               (*s != '-' || (s > w && s[-1] == '\\')))
            s++;
        if (s == w) { /* a lone character no rule covers */
            s++;
            continue;
        }
        int rc = add_syllable(v, i, w, (size_t)(s - w), verse);
        if (rc)
            return rc;
        i++;
    }
    return 0;
}

static int body_field(parser *p, char name, const char *s, const char *e, const char *at)
{
    int rc;
    if (name == 'K') {
        int f, m, r;
        if (parse_key(p, s, e, &f, &m, &r)) {
            if ((rc = skip_or_fail(p, at, "cannot read key signature; C major used")))
                return rc;
            f = 0, m = MUSC_MODE_MAJOR, r = 0;
            memset(p->key_acc, 0, sizeof p->key_acc);
        }
        item *it = push_item(p, IT_KEY);
        if (!it) return MUSC_ERR_NOMEM;
        it->a = f; it->b = m; it->c = r;
        reset_bar_acc(p);
    } else if (name == 'M') {
        int num, den;
        if (parse_meter(s, e, &num, &den))
            return skip_or_fail(p, at, "cannot read meter");
        p->meter_num = num;
        p->meter_den = den;
        if (num) {
            item *it = push_item(p, IT_METER);
            if (!it) return MUSC_ERR_NOMEM;
            it->a = num; it->b = den;
        }
    } else if (name == 'L') {
        rat u;
        if (parse_fraction(&s, e, &u) || u.n <= 0)
            return skip_or_fail(p, at, "cannot read unit note length");
        p->unit = u;
    } else if (name == 'Q') {
        double q = parse_tempo(p, s, e);
        if (q > 0) {
            item *it = push_item(p, IT_TEMPO);
            if (!it) return MUSC_ERR_NOMEM;
            it->qpm = q;
        }
    } else if (name == 'P') {
        skip_ws(&s, e);
        if (s < e && isalpha((unsigned char)*s)) {
            item *it = push_item(p, IT_PART);
            if (!it) return MUSC_ERR_NOMEM;
            it->a = *s;
        }
    } else if (name == 'V') {
        skip_ws(&s, e);
        const char *id = s;
        while (s < e && !isspace((unsigned char)*s) && *s != ']') s++;
        size_t idlen = (size_t)(s - id);
        size_t k;
        for (k = 0; k < p->n_voices; k++)
            if (strlen(p->voices[k].id) == idlen && !strncmp(p->voices[k].id, id, idlen))
                break;
        if (k == p->n_voices) {
            /* the implicit first voice, still empty, takes the first V: name */
            if (p->n_voices == 1 && p->voices[0].n_notes == 0 && !p->voices[0].id[0]) {
                free(p->voices[0].id);
                if (!(p->voices[0].id = dup_range(id, idlen)))
                    return MUSC_ERR_NOMEM;
                k = 0;
            } else if (add_voice(p, id, idlen)) {
                return MUSC_ERR_NOMEM;
            }
        }
        p->cur = k;
        /* name="Violin" (or nm=) names the track */
        for (const char *q = s; q + 5 < e; q++) {
            int nl = !strncmp(q, "name=", 5) ? 5 : !strncmp(q, "nm=", 3) ? 3 : 0;
            if (!nl)
                continue;
            q += nl;
            const char *ne;
            if (*q == '"') {
                q++;
                ne = q;
                while (ne < e && *ne != '"') ne++;
            } else {
                ne = q;
                while (ne < e && !isspace((unsigned char)*ne) && *ne != ']') ne++;
            }
            free(p->voices[k].name);
            if (!(p->voices[k].name = dup_range(q, (size_t)(ne - q))))
                return MUSC_ERR_NOMEM;
            break;
        }
        reset_bar_acc(p);
        p->tup_left = 0;
        p->have_broken = 0;
    }
    if (name == 'w')
        return align_lyrics(p, s, e);
    /* T: W: N: and others carry no timing: ignored */
    return 0;
}

/* Length suffix after a note or rest: digits, then slashes with optional digits. */
static int parse_length(const char **s, const char *e, rat *mult)
{
    int64_t num = 1, den = 1, v;
    if (*s < e && isdigit((unsigned char)**s)) {
        if (parse_int(s, e, &num))
            return -1;
    }
    while (*s < e && **s == '/') {
        (*s)++;
        if (*s < e && isdigit((unsigned char)**s)) {
            if (parse_int(s, e, &v) || v == 0)
                return -1;
            den *= v;
        } else {
            den *= 2;
        }
        if (den > 1 << 20)
            return -1;
    }
    return rat_set(mult, num, den);
}

/* One note (after its accidentals): letter, octave marks, length, tie.
 * Fills *pn and returns 0, or an error. */
static int parse_note(parser *p, const char **ps, const char *e, pnote *pn)
{
    const char *s = *ps;
    int acc = 0, has_acc = 0;
    while (s < e && (*s == '^' || *s == '_' || *s == '=')) {
        acc += *s == '^' ? 1 : *s == '_' ? -1 : 0;
        has_acc = 1;
        s++;
    }
    if (s >= e || letter_index(*s) < 0)
        return perr(p, s, "expected a note letter after an accidental", NULL);
    int li = letter_index(*s);
    int octave = islower((unsigned char)*s) ? 5 : 4; /* C4 = 60 */
    s++;
    while (s < e && (*s == '\'' || *s == ',')) {
        octave += *s == '\'' ? 1 : -1;
        s++;
    }
    if (octave < -1) octave = -1;
    if (octave > 10) octave = 10;
    int oi = p->propagate == PROPAGATE_LETTER ? 0 : octave + 1;
    if (has_acc) {
        if (p->propagate != PROPAGATE_NOT) {
            p->bar_acc[li][oi] = acc;
            p->bar_acc_set[li][oi] = 1;
        }
    } else if (p->bar_acc_set[li][oi]) {
        acc = p->bar_acc[li][oi];
    } else {
        acc = p->key_acc[li];
    }
    int pitch = 12 * (octave + 1) + letter_pc[li] + acc;
    rat mult;
    if (parse_length(&s, e, &mult))
        return perr(p, s, "bad note length", NULL);
    if (pitch < 0 || pitch > 127) {
        *ps = s;
        return skip_or_fail(p, s, "note outside the MIDI range") ? MUSC_ERR_FORMAT : 1;
    }
    pn->pitch = (int16_t)pitch;
    pn->velocity = (uint8_t)p->velocity;
    pn->tie = 0;
    if (rat_mul(&pn->dur, p->unit, mult))
        return perr(p, s, "note length out of range", NULL);
    if (s < e && *s == '-') {
        pn->tie = 1;
        s++;
    }
    *ps = s;
    return 0;
}

/* Add a finished group (notes or rest) of length `adv`, applying any
 * tuplet and pending broken rhythm. */
static int finish_group(parser *p, item *it)
{
    voice *v = cur_voice(p);
    rat f = {1, 1};
    if (p->tup_left > 0) {
        if (rat_set(&f, p->tup_q, p->tup_p))
            return MUSC_ERR_FORMAT;
        p->tup_left--;
    }
    if (p->have_broken) {
        if (rat_mul(&f, f, p->broken_next))
            return MUSC_ERR_FORMAT;
        p->have_broken = 0;
    }
    if (f.n != f.d) {
        if (rat_mul(&it->adv, it->adv, f))
            return perr(p, NULL, "length out of range", NULL);
        for (size_t i = 0; i < it->n; i++)
            if (rat_mul(&v->notes[it->first + i].dur, v->notes[it->first + i].dur, f))
                return perr(p, NULL, "length out of range", NULL);
    }
    v->last_group = (ssize_t)(it - v->items);
    return 0;
}

static int push_note(parser *p, const pnote *pn)
{
    voice *v = cur_voice(p);
    if (MUSC_GROW(v->notes, v->cap_notes, v->n_notes + 1))
        return MUSC_ERR_NOMEM;
    v->notes[v->n_notes++] = *pn;
    return 0;
}

static int set_dynamic(parser *p, const char *s, size_t n)
{
    static const struct { const char *name; int vel; } dyn[] = {
        {"pppp", 30}, {"ppp", 30}, {"pp", 45}, {"p", 60}, {"mp", 75},
        {"mf", 90}, {"f", 105}, {"ff", 120}, {"fff", 127}, {"ffff", 127}};
    for (size_t i = 0; i < sizeof dyn / sizeof *dyn; i++)
        if (strlen(dyn[i].name) == n && !strncmp(dyn[i].name, s, n)) {
            p->velocity = dyn[i].vel;
            return 1;
        }
    return 0;
}

/* Hairpin decorations: !crescendo(! !<(! start a crescendo, !crescendo)!
 * !<)! end it; the same with diminuendo and >. Pushes an IT_HAIRPIN item
 * and returns 1, 0 when [s, s+n) is not one of them, or MUSC_ERR_NOMEM. */
static int hairpin_mark(parser *p, const char *s, size_t n)
{
    static const struct { const char *name; int kind, start; } marks[] = {
        {"crescendo(", MUSC_HAIRPIN_CRESCENDO, 1},   {"<(", MUSC_HAIRPIN_CRESCENDO, 1},
        {"crescendo)", MUSC_HAIRPIN_CRESCENDO, 0},   {"<)", MUSC_HAIRPIN_CRESCENDO, 0},
        {"diminuendo(", MUSC_HAIRPIN_DIMINUENDO, 1}, {">(", MUSC_HAIRPIN_DIMINUENDO, 1},
        {"diminuendo)", MUSC_HAIRPIN_DIMINUENDO, 0}, {">)", MUSC_HAIRPIN_DIMINUENDO, 0}};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (strlen(marks[i].name) == n && !strncmp(marks[i].name, s, n)) {
            item *it = push_item(p, IT_HAIRPIN);
            if (!it)
                return MUSC_ERR_NOMEM;
            it->a = marks[i].kind;
            it->b = marks[i].start;
            return 1;
        }
    return 0;
}

/* Ending numbers such as 1, 1,3 or 2-3 as a bit mask (bit k = ending k,
 * 1..31); stops at the first character that is not part of the list. */
static uint32_t parse_ending_list(const char **ps, const char *e)
{
    const char *s = *ps;
    uint32_t mask = 0;
    while (s < e && isdigit((unsigned char)*s)) {
        int64_t a, b;
        if (parse_int(&s, e, &a))
            break;
        b = a;
        if (s + 1 < e && *s == '-' && isdigit((unsigned char)s[1])) {
            s++;
            if (parse_int(&s, e, &b))
                break;
        }
        for (int64_t k = a; k <= b && k < 32; k++)
            if (k >= 1) mask |= (uint32_t)1 << k;
        if (s < e && *s == ',') s++;
        else break;
    }
    *ps = s;
    return mask;
}

/* Bar lines: runs of | : [ ] such as |: :| :: || |] [| :|2, then endings. */
static int parse_bar(parser *p, const char **ps, const char *e)
{
    const char *s = *ps;
    int colons_before = 0, colons_after = 0, bars = 0, thick = 0;
    while (s < e) {
        if (*s == ':') {
            if (bars) colons_after++;
            else colons_before++;
        } else if (*s == '|') {
            bars++;
            colons_after = 0;
        } else if (*s == '[' && s + 1 < e && s[1] == '|') {
            thick = 1;
        } else if (*s == ']' && bars) {
            thick = 1;
        } else {
            break;
        }
        s++;
    }
    item *it = push_item(p, IT_BAR);
    if (!it)
        return MUSC_ERR_NOMEM;
    it->flags = BAR_LINE;
    if (!bars) {
        /* "::" alone */
        it->flags |= BAR_REPEAT_END | BAR_REPEAT_START;
    } else {
        if (colons_before) it->flags |= BAR_REPEAT_END;
        if (colons_after) it->flags |= BAR_REPEAT_START;
    }
    if (bars >= 2 || thick)
        it->flags |= BAR_DOUBLE;
    /* an ending right after the bar: |1 :|2 |1,2 */
    it->endings = parse_ending_list(&s, e);
    reset_bar_acc(p);
    *ps = s;
    return 0;
}

static int parse_endings_bracket(parser *p, const char **ps, const char *e)
{
    /* "[1" "[1,3" "[2-3" not after a bar item of its own */
    const char *s = *ps + 1;
    item *it = push_item(p, IT_BAR);
    if (!it)
        return MUSC_ERR_NOMEM;
    it->endings = parse_ending_list(&s, e);
    *ps = s;
    return 0;
}

/* Parse one line of the tune body, [s, e) without the newline. */
static int parse_body_line(parser *p, const char *s, const char *e)
{
    int rc;
    while (s < e) {
        char c = *s;
        if (c == '%')
            break;
        if (c == ' ' || c == '\t' || c == '\\' || c == '\r' || c == '`' || c == 'y') {
            s++;
            continue;
        }
        if (c == '"') {
            const char *q = ++s;
            while (s < e && *s != '"') s++;
            if (s >= e)
                return perr(p, q - 1, "unterminated quoted text", NULL);
            size_t n = (size_t)(s - q);
            s++;
            if (n == 0)
                continue;
            int is_text = q[0] && strchr("^_<>@", q[0]) != NULL;
            item *it = push_item(p, is_text ? IT_TEXT : IT_CHORDSYM);
            if (!it || !(it->text = dup_range(is_text ? q + 1 : q, is_text ? n - 1 : n)))
                return MUSC_ERR_NOMEM;
            continue;
        }
        if (c == '!' || c == '+') {
            const char *q = ++s;
            while (s < e && *s != c) s++;
            if (s >= e) {
                if ((rc = skip_or_fail(p, q - 1, "unterminated decoration")))
                    return rc;
                break;
            }
            if (!set_dynamic(p, q, (size_t)(s - q)) &&
                hairpin_mark(p, q, (size_t)(s - q)) == MUSC_ERR_NOMEM)
                return MUSC_ERR_NOMEM;
            s++;
            continue;
        }
        if (c == '{') { /* grace notes take no time */
            while (s < e && *s != '}') s++;
            if (s < e) s++;
            continue;
        }
        if (strchr(".~HIJKLMNOPQRSTUVWhijklmnopqrstuvw", c) && c != '\0') {
            /* single-character decorations; inline fields start with '[' */
            s++;
            continue;
        }
        if (c == '(') {
            if (s + 1 < e && isdigit((unsigned char)s[1])) {
                s++;
                int64_t pp, qq = 0, rr = 0;
                if (parse_int(&s, e, &pp) || pp < 2 || pp > 64)
                    return perr(p, s, "bad tuplet", NULL);
                if (s < e && *s == ':') {
                    s++;
                    if (s < e && isdigit((unsigned char)*s) && parse_int(&s, e, &qq))
                        return perr(p, s, "bad tuplet", NULL);
                    if (s < e && *s == ':') {
                        s++;
                        if (s < e && isdigit((unsigned char)*s) && parse_int(&s, e, &rr))
                            return perr(p, s, "bad tuplet", NULL);
                    }
                }
                if (qq == 0) {
                    int compound = p->meter_num % 3 == 0 && p->meter_num > 3;
                    if (pp == 3 || pp == 6) qq = 2;
                    else if (pp == 2 || pp == 4 || pp == 8) qq = 3;
                    else qq = compound ? 3 : 2;
                }
                if (qq > 64) qq = 64;
                if (rr == 0 || rr > 64) rr = pp;
                p->tup_p = (int)pp;
                p->tup_q = (int)qq;
                p->tup_left = (int)rr;
            } else {
                s++; /* slur */
            }
            continue;
        }
        if (c == ')') {
            s++;
            continue;
        }
        if (c == '>' || c == '<') {
            int k = 0;
            while (s < e && *s == c && k < 3) { k++; s++; }
            voice *v = cur_voice(p);
            /* k=1: 3/2 and 1/2; k=2: 7/4 and 1/4; k=3: 15/8 and 1/8 */
            int64_t den = (int64_t)1 << k;
            rat longer, shorter;
            rat_set(&longer, 2 * den - 1, den);
            rat_set(&shorter, 1, den);
            if (v->last_group < 0) {
                if ((rc = skip_or_fail(p, s, "broken rhythm without a preceding note")))
                    return rc;
                continue;
            }
            item *prev = &v->items[v->last_group];
            rat f = c == '>' ? longer : shorter;
            if (rat_mul(&prev->adv, prev->adv, f))
                return perr(p, s, "length out of range", NULL);
            for (size_t i = 0; i < prev->n; i++)
                if (rat_mul(&v->notes[prev->first + i].dur, v->notes[prev->first + i].dur, f))
                    return perr(p, s, "length out of range", NULL);
            p->broken_next = c == '>' ? shorter : longer;
            p->have_broken = 1;
            continue;
        }
        if (c == '|' || c == ':' || (c == '[' && s + 1 < e && s[1] == '|')) {
            if ((rc = parse_bar(p, &s, e)))
                return rc;
            continue;
        }
        if (c == '[' && s + 1 < e && isdigit((unsigned char)s[1])) {
            if ((rc = parse_endings_bracket(p, &s, e)))
                return rc;
            continue;
        }
        if (c == '[' && s + 2 < e && isalpha((unsigned char)s[1]) && s[2] == ':') {
            const char *q = s + 3;
            while (q < e && *q != ']') q++;
            if (q >= e)
                return perr(p, s, "unterminated inline field", NULL);
            if ((rc = body_field(p, s[1], s + 3, q, s)))
                return rc;
            s = q + 1;
            continue;
        }
        if (c == '[' || c == '^' || c == '_' || c == '=' || letter_index(c) >= 0) {
            voice *v = cur_voice(p);
            item *it = push_item(p, IT_NOTES);
            if (!it)
                return MUSC_ERR_NOMEM;
            size_t idx = (size_t)(it - v->items);
            it->first = v->n_notes;
            if (c == '[') {
                const char *open = s++;
                int first = 1;
                while (s < e && *s != ']') {
                    if (*s == ' ' || *s == '\t' || *s == '.' || *s == '~' || *s == '(' ||
                        *s == ')' || *s == '+' || *s == '-') {
                        s++;
                        continue;
                    }
                    if (*s == '!' || *s == '"') {
                        /* a decoration or text on one note of the chord: a
                         * dynamic takes effect; hairpin marks, other
                         * decorations and texts inside a chord are skipped */
                        char d = *s++;
                        const char *q = s;
                        while (s < e && *s != d) s++;
                        if (d == '!' && s < e)
                            set_dynamic(p, q, (size_t)(s - q));
                        if (s < e) s++;
                        continue;
                    }
                    if (!(*s == '^' || *s == '_' || *s == '=' || letter_index(*s) >= 0)) {
                        /* a chord left open ("[e2c2(3A..."): close it here */
                        if ((rc = skip_or_fail(p, open, "chord '[' not closed; closed here")))
                            return rc;
                        break;
                    }
                    pnote pn;
                    rc = parse_note(p, &s, e, &pn);
                    if (rc == 1) continue; /* out-of-range note skipped */
                    if (rc)
                        return rc;
                    if ((rc = push_note(p, &pn)))
                        return rc;
                    it = &v->items[idx];
                    it->n++;
                    if (first) {
                        it->adv = pn.dur;
                        first = 0;
                    }
                }
                if (s < e && *s == ']')
                    s++;
                else if (s >= e && (rc = skip_or_fail(p, open, "chord '[' not closed at the end of the line")))
                    return rc;
                rat mult;
                if (parse_length(&s, e, &mult))
                    return perr(p, s, "bad chord length", NULL);
                int tie = 0;
                if (s < e && *s == '-') { tie = 1; s++; }
                it = &v->items[idx];
                if (rat_mul(&it->adv, it->adv, mult))
                    return perr(p, s, "length out of range", NULL);
                for (size_t i = 0; i < it->n; i++) {
                    pnote *pn = &v->notes[it->first + i];
                    if (rat_mul(&pn->dur, pn->dur, mult))
                        return perr(p, s, "length out of range", NULL);
                    if (tie) pn->tie = 1;
                }
                if (it->n == 0) { /* "[]" : nothing */
                    v->n_items--;
                    continue;
                }
            } else {
                pnote pn;
                rc = parse_note(p, &s, e, &pn);
                if (rc == 1) { v->n_items--; continue; }
                if (rc)
                    return rc;
                if ((rc = push_note(p, &pn)))
                    return rc;
                it = &v->items[idx];
                it->n = 1;
                it->adv = pn.dur;
            }
            if ((rc = finish_group(p, &v->items[idx])))
                return rc;
            continue;
        }
        if (c == 'z' || c == 'x' || c == 'Z' || c == 'X') {
            s++;
            rat mult;
            if (parse_length(&s, e, &mult))
                return perr(p, s, "bad rest length", NULL);
            voice *v = cur_voice(p);
            item *it = push_item(p, IT_NOTES);
            if (!it)
                return MUSC_ERR_NOMEM;
            it->first = v->n_notes;
            if (c == 'Z' || c == 'X') {
                /* multi-measure rest: mult counts bars */
                rat bar = {1, 1};
                if (p->meter_num && rat_set(&bar, p->meter_num, p->meter_den))
                    return perr(p, s, "bad meter", NULL);
                if (rat_mul(&it->adv, bar, mult))
                    return perr(p, s, "rest length out of range", NULL);
                v->last_group = (ssize_t)(it - v->items);
            } else {
                if (rat_mul(&it->adv, p->unit, mult))
                    return perr(p, s, "rest length out of range", NULL);
                if ((rc = finish_group(p, it)))
                    return rc;
            }
            continue;
        }
        if (c == '-') { /* a tie after a space or a decoration: tie the last group */
            voice *v = cur_voice(p);
            if (v->last_group >= 0) {
                item *prev = &v->items[v->last_group];
                for (size_t i = 0; i < prev->n; i++)
                    v->notes[prev->first + i].tie = 1;
            }
            s++;
            continue;
        }
        if (c == '&' || c == ']' || c == ',' || c == '\'' || c == '$' || c == '*' || c == ';' ||
            c == '#') {
            s++; /* voice overlay and stray symbols are not timed here */
            continue;
        }
        char msg[64];
        snprintf(msg, sizeof msg, "unexpected character '%c' (0x%02x)", isprint((unsigned char)c) ? c : '?',
                 (unsigned char)c);
        if ((rc = skip_or_fail(p, s, msg)))
            return rc;
        s++;
    }
    return 0;
}

/* ---- header and tune ------------------------------------------------------- */

static void parser_free(parser *p)
{
    for (size_t i = 0; i < p->n_voices; i++) {
        voice *v = &p->voices[i];
        for (size_t k = 0; k < v->n_items; k++)
            free(v->items[k].text);
        free(v->items);
        for (size_t k = 0; k < v->n_lyrs; k++)
            free(v->lyrs[k].text);
        free(v->lyrs);
        free(v->notes);
        free(v->id);
        free(v->name);
    }
    free(p->voices);
    free(p->title);
    for (size_t i = 0; i < p->n_creators; i++)
        free(p->creators[i]);
    free(p->creators);
    free(p->part_order);
}

/* The %% directives that change how notes are read. */
static void directive(parser *p, const char *s, const char *e)
{
    static const char key[] = "%%propagate-accidentals";
    static const char midi[] = "%%MIDI";
    size_t k = sizeof key - 1;
    if ((size_t)(e - s) > sizeof midi - 1 && !strncmp(s, midi, sizeof midi - 1) && p->n_voices) {
        /* %%MIDI program N (0-based, as abc2midi) and %%MIDI channel 10 */
        const char *q = s + sizeof midi - 1;
        int64_t v;
        skip_ws(&q, e);
        if (e - q > 7 && !strncmp(q, "program", 7)) {
            q += 7;
            skip_ws(&q, e);
            if (!parse_int(&q, e, &v) && v <= 127)
                cur_voice(p)->program = (int)v;
        } else if (e - q > 7 && !strncmp(q, "channel", 7)) {
            q += 7;
            skip_ws(&q, e);
            if (!parse_int(&q, e, &v))
                cur_voice(p)->is_drum = v == 10;
        }
        return;
    }
    if ((size_t)(e - s) <= k || strncmp(s, key, k))
        return;
    s += k;
    skip_ws(&s, e);
    if (e - s >= 3 && !strncmp(s, "not", 3))
        p->propagate = PROPAGATE_NOT;
    else if (e - s >= 5 && !strncmp(s, "pitch", 5))
        p->propagate = PROPAGATE_PITCH;
    else if (e - s >= 6 && !strncmp(s, "octave", 6))
        p->propagate = PROPAGATE_LETTER;
}

/* Is [s, e) a field line "X:..." (letter, colon)? Bar "|:" is not. */
static int is_field_line(const char *s, const char *e)
{
    return e - s >= 2 && isalpha((unsigned char)s[0]) && s[1] == ':';
}

static int is_blank(const char *s, const char *e)
{
    for (; s < e; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

/* Parse the tune [text, text+size) starting at line `first_line`. */
static int parse_tune(parser *p)
{
    const char *s = p->text, *end = p->text + p->size;
    int in_header = 1, rc;
    int header_meter_set = 0;
    /* header defaults */
    p->unit.n = 0;
    p->unit_set = 0;
    p->meter_num = 4;
    p->meter_den = 4;
    p->velocity = 80;
    if (add_voice(p, "", 0))
        return MUSC_ERR_NOMEM;
    p->cur = 0;
    int key_f = 0, key_m = MUSC_MODE_MAJOR, key_r = 0, key_seen = 0;
    double header_qpm = 0;
    const char *header_q = NULL, *header_q_end = NULL;
    while (s < end) {
        const char *e = memchr(s, '\n', (size_t)(end - s));
        if (!e) e = end;
        const char *le = e;
        if (le > s && le[-1] == '\r') le--;
        p->line_start = s;
        if (in_header) {
            if (is_field_line(s, le)) {
                char f = s[0];
                const char *v = s + 2, *ve = le;
                /* a comment after the value */
                for (const char *q = v; q < ve; q++)
                    if (*q == '%' && (q == v || q[-1] != '\\')) { ve = q; break; }
                switch (f) {
                case 'X': {
                    const char *q = v;
                    int64_t num;
                    skip_ws(&q, ve);
                    p->number = parse_int(&q, ve, &num) ? -1 : (int)num;
                    break;
                }
                case 'T':
                    if (!p->title && !(p->title = dup_trim(v, ve)))
                        return MUSC_ERR_NOMEM;
                    break;
                case 'C': {
                    char *c = dup_trim(v, ve);
                    if (!c || MUSC_GROW(p->creators, p->cap_creators, p->n_creators + 1)) {
                        free(c);
                        return MUSC_ERR_NOMEM;
                    }
                    p->creators[p->n_creators++] = c;
                    break;
                }
                case 'M':
                    if (parse_meter(v, ve, &p->meter_num, &p->meter_den) &&
                        (rc = skip_or_fail(p, v, "cannot read meter")))
                        return rc;
                    header_meter_set = 1;
                    break;
                case 'L':
                    if (parse_fraction(&v, ve, &p->unit) || p->unit.n <= 0) {
                        if ((rc = skip_or_fail(p, v, "cannot read unit note length")))
                            return rc;
                        p->unit.n = 0;
                    } else {
                        p->unit_set = 1;
                    }
                    break;
                case 'Q':
                    header_q = v; /* the unit may still change: read after K: */
                    header_q_end = ve;
                    break;
                case 'P': {
                    free(p->part_order);
                    size_t cap = 1024, n = 0;
                    p->part_order = malloc(cap + 1);
                    if (!p->part_order)
                        return MUSC_ERR_NOMEM;
                    const char *q = v;
                    if (expand_part_order(&q, ve, p->part_order, &n, cap, 0))
                        return perr(p, v, "part order too long or too deep", NULL);
                    p->part_order[n] = '\0';
                    break;
                }
                case 'V':
                    if ((rc = body_field(p, 'V', v, ve, v)))
                        return rc;
                    break;
                case 'K': {
                    if (!p->unit_set) {
                        /* default unit: 1/16 below 3/4, else 1/8 */
                        int small = p->meter_num && 4 * p->meter_num < 3 * p->meter_den;
                        p->unit = (rat){1, small ? 16 : 8};
                        p->unit_set = 1;
                    }
                    if (parse_key(p, v, ve, &key_f, &key_m, &key_r)) {
                        if ((rc = skip_or_fail(p, v, "cannot read key signature; C major used")))
                            return rc;
                        key_f = 0, key_m = MUSC_MODE_MAJOR, key_r = 0;
                        memset(p->key_acc, 0, sizeof p->key_acc);
                    }
                    key_seen = 1;
                    in_header = 0;
                    p->cur = 0;
                    break;
                }
                default:
                    break; /* O R S N Z H B D F G I W w ... */
                }
            } else if (s < le && s[0] == '%') {
                directive(p, s, le);
            } else if (!is_blank(s, le)) {
                /* body without a K: line: take defaults and read it as body */
                if (!p->unit_set) {
                    int small = p->meter_num && 4 * p->meter_num < 3 * p->meter_den;
                    p->unit = (rat){1, small ? 16 : 8};
                    p->unit_set = 1;
                }
                in_header = 0;
                continue; /* reparse this line as body */
            }
            if (!in_header) {
                /* header done: put the initial meter/key/tempo at time 0 */
                voice *v0 = &p->voices[0];
                (void)v0;
                size_t keep = p->cur;
                p->cur = 0;
                if (header_meter_set && p->meter_num) {
                    item *it = push_item(p, IT_METER);
                    if (!it) return MUSC_ERR_NOMEM;
                    it->a = p->meter_num;
                    it->b = p->meter_den;
                }
                if (key_seen) {
                    item *it = push_item(p, IT_KEY);
                    if (!it) return MUSC_ERR_NOMEM;
                    it->a = key_f; it->b = key_m; it->c = key_r;
                }
                if (header_q && (header_qpm = parse_tempo(p, header_q, header_q_end)) > 0) {
                    item *it = push_item(p, IT_TEMPO);
                    if (!it) return MUSC_ERR_NOMEM;
                    it->qpm = header_qpm;
                }
                p->cur = keep;
            }
        } else {
            if (s < le && s[0] == '%') {
                directive(p, s, le);
            } else if (is_field_line(s, le)) {
                const char *ve = le;
                for (const char *q = s + 2; q < ve; q++)
                    if (*q == '%') { ve = q; break; }
                if ((rc = body_field(p, s[0], s + 2, ve, s)))
                    return rc;
            } else {
                voice *lv = cur_voice(p);
                if (!lv->continued) { /* a new music line: w: lines align from here */
                    lv->line_first = lv->n_items;
                    lv->verse = 0;
                }
                const char *te = le;
                for (const char *q = s; q < le; q++)
                    if (*q == '%') { te = q; break; }
                while (te > s && isspace((unsigned char)te[-1]))
                    te--;
                lv->continued = te > s && te[-1] == '\\';
                if ((rc = parse_body_line(p, s, le)))
                    return rc;
            }
        }
        p->line++;
        s = e < end ? e + 1 : end;
    }
    if (!p->unit_set)
        p->unit = (rat){1, 8};
    return 0;
}

/* ---- playing order ---------------------------------------------------------- */

typedef struct order {
    size_t *idx;
    size_t n, cap;
} order;

#define MAX_PLAYED ((size_t)1 << 24)

static int order_push(order *o, size_t i)
{
    if (o->n >= MAX_PLAYED)
        return musc_error(MUSC_ERR_FORMAT, "ABC: repeats unfold to more than %zu items", MAX_PLAYED);
    if (MUSC_GROW(o->idx, o->cap, o->n + 1))
        return MUSC_ERR_NOMEM;
    o->idx[o->n++] = i;
    return 0;
}

/* Does an ending for pass `pass` start at or after index i (a :| that may
 * itself open the next ending, as in :|2) before the section ends? */
static int later_ending_for(const voice *v, size_t i, size_t end, int pass)
{
    for (size_t k = i; k < end; k++) {
        const item *it = &v->items[k];
        if (it->kind != IT_BAR)
            continue;
        if (pass < 32 && (it->endings >> pass) & 1)
            return 1;
        if (k > i && (it->flags & BAR_REPEAT_START))
            return 0;
    }
    return 0;
}

/* Unfold repeats and endings of items [begin, end) into `o`. */
static int expand_range(const voice *v, size_t begin, size_t end, order *o)
{
    int rc;
    size_t start = begin;
    int pass = 1;
    int in_ending = 0; /* playing inside an ending */
    int skipping = 0;  /* skipping an ending not meant for this pass */
    uint8_t *jumped = calloc(end - begin + 1, 1);
    if (!jumped)
        return MUSC_ERR_NOMEM;
    for (size_t i = begin; i < end; i++) {
        const item *it = &v->items[i];
        if (it->kind == IT_BAR) {
            int may_jump = 1;
            if (skipping) {
                /* inside an ending that is not for this pass */
                if (it->flags & BAR_REPEAT_END) {
                    /* the end of the skipped ending (also ":||", whose double
                     * bar must not restart the pass count before a [2 that
                     * follows it): it must not loop again */
                    skipping = 0;
                    in_ending = 0;
                    may_jump = 0;
                } else if (it->flags & (BAR_REPEAT_START | BAR_DOUBLE)) {
                    skipping = 0;
                    in_ending = 0;
                    pass = 1;
                    start = i + 1;
                } else if (!it->endings) {
                    continue;
                }
            }
            if (!skipping && may_jump && (it->flags & BAR_REPEAT_END)) {
                int jump;
                if (in_ending)
                    jump = later_ending_for(v, i, end, pass + 1);
                else
                    jump = !jumped[i - begin];
                if (jump && pass < 31) {
                    jumped[i - begin] = 1;
                    pass++;
                    in_ending = 0;
                    if ((rc = order_push(o, i))) {
                        free(jumped);
                        return rc;
                    }
                    i = start - 1; /* the loop increment lands on start */
                    continue;
                }
                pass = 1;
                in_ending = 0;
                start = i + 1;
            }
            if (it->endings) {
                if (pass < 32 && (it->endings >> pass) & 1) {
                    in_ending = 1;
                } else {
                    skipping = 1;
                    continue;
                }
            } else if (it->flags & BAR_REPEAT_START) {
                start = i + 1;
                pass = 1;
                in_ending = 0;
            } else if ((it->flags & BAR_DOUBLE) && in_ending) {
                in_ending = 0;
                pass = 1;
                start = i + 1;
            }
            if ((rc = order_push(o, i))) {
                free(jumped);
                return rc;
            }
            continue;
        }
        if (skipping && it->kind != IT_METER && it->kind != IT_KEY && it->kind != IT_TEMPO)
            continue;
        if ((rc = order_push(o, i))) {
            free(jumped);
            return rc;
        }
    }
    free(jumped);
    return 0;
}

/* The playing order of a voice: header P: order over its parts, else all. */
static int expand_voice(const parser *p, const voice *v, order *o)
{
    if (!p->part_order || !p->part_order[0])
        return expand_range(v, 0, v->n_items, o);
    /* part letter -> [begin, end); items before the first marker play first */
    size_t first_marker = v->n_items;
    for (size_t i = 0; i < v->n_items; i++)
        if (v->items[i].kind == IT_PART) { first_marker = i; break; }
    int rc = expand_range(v, 0, first_marker, o);
    if (rc)
        return rc;
    if (first_marker == v->n_items)
        return 0;
    /* an order naming none of the body's parts (Nottingham's "P:B\&B" over
     * a body with only "P:ad lib") plays the body as written, as abc2midi */
    int known = 0;
    for (const char *c = p->part_order; *c && !known; c++)
        for (size_t i = first_marker; i < v->n_items && !known; i++)
            known = v->items[i].kind == IT_PART && v->items[i].a == *c;
    if (!known) {
        o->n = 0;
        return expand_range(v, 0, v->n_items, o);
    }
    for (const char *c = p->part_order; *c; c++) {
        for (size_t i = first_marker; i < v->n_items; i++) {
            if (v->items[i].kind != IT_PART || v->items[i].a != *c)
                continue;
            size_t j = i + 1;
            while (j < v->n_items && v->items[j].kind != IT_PART) j++;
            if ((rc = expand_range(v, i + 1, j, o)))
                return rc;
            break; /* the first part with that letter */
        }
    }
    return 0;
}

/* ---- placing in time --------------------------------------------------------- */

typedef struct timed_note {
    rat start, dur;
    int16_t pitch;
    uint8_t velocity;
} timed_note;

typedef struct timed_mark {
    rat time;
    const item *it;
} timed_mark;

typedef struct vplaced {
    timed_note *notes;
    size_t n_notes, cap_notes;
    timed_mark *marks;
    size_t n_marks, cap_marks;
    rat end;
} vplaced;

static int64_t lcm64(int64_t a, int64_t b)
{
    int64_t g = gcd64(a, b);
    __int128 l = (__int128)(a / g) * b;
    return l > RAT_LIMIT ? -1 : (int64_t)l;
}

static int place_voice(const voice *v, const order *o, vplaced *out)
{
    rat t = {0, 1};
    /* open ties: indices into out->notes of tied notes per pitch (-1 = free);
     * several slots so a tied unison ([ee]-) continues as two notes */
    enum { TIE_SLOTS = 4 };
    ssize_t open_tie[128][TIE_SLOTS];
    for (int i = 0; i < 128; i++)
        for (int k = 0; k < TIE_SLOTS; k++)
            open_tie[i][k] = -1;
    for (size_t k = 0; k < o->n; k++) {
        const item *it = &v->items[o->idx[k]];
        if (it->kind == IT_NOTES) {
            for (size_t l = it->lyr; l; l = v->lyrs[l - 1].lyr) {
                if (MUSC_GROW(out->marks, out->cap_marks, out->n_marks + 1))
                    return MUSC_ERR_NOMEM;
                out->marks[out->n_marks++] = (timed_mark){t, &v->lyrs[l - 1]};
            }
            for (size_t j = 0; j < it->n; j++) {
                const pnote *pn = &v->notes[it->first + j];
                ssize_t *slots = open_tie[pn->pitch];
                int merged = 0;
                for (int q = 0; q < TIE_SLOTS && !merged; q++) {
                    if (slots[q] < 0)
                        continue;
                    timed_note *prev = &out->notes[slots[q]];
                    rat pend;
                    if (rat_add(&pend, prev->start, prev->dur))
                        return musc_error(MUSC_ERR_FORMAT, "ABC line %d: time out of range", it->line);
                    if (rat_cmp(pend, t) == 0) {
                        if (rat_add(&prev->dur, prev->dur, pn->dur))
                            return musc_error(MUSC_ERR_FORMAT, "ABC line %d: time out of range", it->line);
                        if (!pn->tie)
                            slots[q] = -1;
                        merged = 1;
                    } else if (rat_cmp(pend, t) < 0) {
                        slots[q] = -1; /* a tie that found no continuation */
                    }
                }
                if (merged)
                    continue;
                if (MUSC_GROW(out->notes, out->cap_notes, out->n_notes + 1))
                    return MUSC_ERR_NOMEM;
                out->notes[out->n_notes] =
                    (timed_note){.start = t, .dur = pn->dur, .pitch = pn->pitch, .velocity = pn->velocity};
                if (pn->tie) {
                    int q = 0;
                    while (q < TIE_SLOTS - 1 && slots[q] >= 0) q++;
                    slots[q] = (ssize_t)out->n_notes;
                }
                out->n_notes++;
            }
            if (rat_add(&t, t, it->adv))
                return musc_error(MUSC_ERR_FORMAT, "ABC line %d: time out of range", it->line);
        } else if (it->kind != IT_BAR && it->kind != IT_PART) {
            if (MUSC_GROW(out->marks, out->cap_marks, out->n_marks + 1))
                return MUSC_ERR_NOMEM;
            out->marks[out->n_marks++] = (timed_mark){t, it};
        }
    }
    out->end = t;
    return 0;
}

/* Chord symbol -> pitches (root octave 3, bass below); returns count. */
static int chord_pitches(const char *sym, int16_t *out)
{
    const char *s = sym;
    int li = letter_index(*s);
    if (li < 0 || !isupper((unsigned char)*s))
        return 0;
    int root = letter_pc[li];
    s++;
    if (*s == '#') { root++; s++; }
    else if (*s == 'b') { root--; s++; }
    root = (root + 12) % 12;
    static const struct { const char *q; int n; int iv[5]; } qualities[] = {
        {"maj7", 4, {0, 4, 7, 11}}, {"M7", 4, {0, 4, 7, 11}}, {"m7b5", 4, {0, 3, 6, 10}},
        {"min7", 4, {0, 3, 7, 10}}, {"m7", 4, {0, 3, 7, 10}}, {"dim7", 4, {0, 3, 6, 9}},
        {"dim", 3, {0, 3, 6}}, {"aug", 3, {0, 4, 8}}, {"sus4", 3, {0, 5, 7}},
        {"sus2", 3, {0, 2, 7}}, {"sus", 3, {0, 5, 7}}, {"m6", 4, {0, 3, 7, 9}},
        {"min", 3, {0, 3, 7}}, {"m", 3, {0, 3, 7}}, {"7", 4, {0, 4, 7, 10}},
        {"9", 5, {0, 4, 7, 10, 14}}, {"6", 4, {0, 4, 7, 9}}, {"+", 3, {0, 4, 8}},
        {"o", 3, {0, 3, 6}}, {"", 3, {0, 4, 7}}};
    int n = 0;
    for (size_t i = 0; i < sizeof qualities / sizeof *qualities; i++) {
        size_t ql = strlen(qualities[i].q);
        if (!strncmp(s, qualities[i].q, ql)) {
            for (int k = 0; k < qualities[i].n; k++)
                out[n++] = (int16_t)(48 + root + qualities[i].iv[k]);
            break;
        }
    }
    const char *slash = strchr(s, '/');
    if (slash && letter_index(slash[1]) >= 0) {
        int b = letter_pc[letter_index(slash[1])];
        if (slash[2] == '#') b++;
        else if (slash[2] == 'b') b--;
        out[n++] = (int16_t)(36 + (b + 12) % 12);
    }
    return n;
}

static int64_t to_ticks(rat r, int64_t res)
{
    /* r is in whole notes; one whole = 4 * res ticks (exact by construction) */
    __int128 v = (__int128)r.n * 4 * res / r.d;
    return (int64_t)v;
}

static int build_music(parser *p, musc_music **out)
{
    int rc = 0;
    size_t nv = p->n_voices;
    vplaced *pl = calloc(nv ? nv : 1, sizeof *pl);
    order o = {0};
    musc_music *m = NULL;
    if (!pl)
        return MUSC_ERR_NOMEM;
    int64_t res = 24;
    for (size_t i = 0; i < nv; i++) {
        o.n = 0;
        if ((rc = expand_voice(p, &p->voices[i], &o)) || (rc = place_voice(&p->voices[i], &o, &pl[i])))
            goto done;
        /* resolution: every start and duration must be whole ticks */
        for (size_t k = 0; k < pl[i].n_notes && res > 0; k++) {
            rat a = pl[i].notes[k].start, d = pl[i].notes[k].dur;
            int64_t da = a.d % 4 == 0 ? a.d / 4 : a.d / gcd64(a.d, 4);
            int64_t dd = d.d % 4 == 0 ? d.d / 4 : d.d / gcd64(d.d, 4);
            res = lcm64(res, da);
            if (res > 0) res = lcm64(res, dd);
        }
        for (size_t k = 0; k < pl[i].n_marks && res > 0; k++) {
            rat a = pl[i].marks[k].time;
            int64_t da = a.d % 4 == 0 ? a.d / 4 : a.d / gcd64(a.d, 4);
            res = lcm64(res, da);
        }
        if (res <= 0 || res > (1 << 20)) {
            rc = musc_error(MUSC_ERR_FORMAT,
                            "ABC tune %d: note lengths need more than 2^20 ticks per quarter",
                            p->number);
            goto done;
        }
    }
    m = musc_music_new((int)res);
    if (!m) {
        rc = MUSC_ERR_NOMEM;
        goto done;
    }
    if ((rc = musc_set_string(&m->metadata.title, p->title)) ||
        (rc = musc_set_string(&m->metadata.source_format, "abc")))
        goto done;
    for (size_t i = 0; i < p->n_creators; i++)
        if ((rc = musc_music_add_creator(m, p->creators[i])))
            goto done;
    rat tune_end = {0, 1}; /* where hairpins left open end */
    for (size_t i = 0; i < nv; i++)
        if (rat_cmp(pl[i].end, tune_end) > 0)
            tune_end = pl[i].end;
    size_t chord_track = SIZE_MAX; /* an index: adding tracks may move m->tracks */
    int want_chords = p->flags & MUSC_ABC_CHORD_TRACK;
    for (size_t i = 0; i < nv; i++) {
        const voice *v = &p->voices[i];
        /* an empty implicit voice (all music in named voices) makes no track */
        int no_track = pl[i].n_notes == 0 && nv > 1 && !v->id[0];
        size_t ti = m->n_tracks;
        if (!no_track && !musc_music_add_track(m, v->program, v->is_drum,
                                               v->name ? v->name : v->id[0] ? v->id : NULL)) {
            rc = MUSC_ERR_NOMEM;
            goto done;
        }
        for (size_t k = 0; k < pl[i].n_notes; k++) {
            timed_note *tn = &pl[i].notes[k];
            if ((rc = musc_track_add_note(&m->tracks[ti], to_ticks(tn->start, res),
                                          to_ticks(tn->dur, res), tn->pitch, tn->velocity)))
                goto done;
        }
        /* open hairpins, one per kind (crescendo [0], diminuendo [1]): the
         * start's time, -1 when none is open */
        int64_t open_pin[2] = {-1, -1};
        for (size_t k = 0; k < pl[i].n_marks; k++) {
            const item *it = pl[i].marks[k].it;
            int64_t tt = to_ticks(pl[i].marks[k].time, res);
            int dup = 0;
            switch (it->kind) {
            case IT_METER:
                for (size_t q = 0; q < m->n_time_signatures; q++)
                    if (m->time_signatures[q].time == tt) dup = 1;
                if (!dup) rc = musc_music_add_time_signature(m, tt, it->a, it->b);
                break;
            case IT_KEY:
                for (size_t q = 0; q < m->n_key_signatures; q++)
                    if (m->key_signatures[q].time == tt) dup = 1;
                if (!dup) rc = musc_music_add_key_signature(m, tt, it->a, it->b, it->c);
                break;
            case IT_TEMPO:
                for (size_t q = 0; q < m->n_tempos; q++)
                    if (m->tempos[q].time == tt) dup = 1;
                if (!dup) rc = musc_music_add_tempo(m, tt, it->qpm);
                break;
            case IT_CHORDSYM:
                if (!no_track)
                    rc = musc_track_add_annotation(&m->tracks[ti], tt, MUSC_ANN_CHORD, it->text);
                break;
            case IT_TEXT:
                if (!no_track)
                    rc = musc_track_add_annotation(&m->tracks[ti], tt, MUSC_ANN_TEXT, it->text);
                break;
            case IT_LYRIC:
                if (!no_track && !(rc = musc_track_add_lyric(&m->tracks[ti], tt, it->text)))
                    m->tracks[ti].lyrics[m->tracks[ti].n_lyrics - 1].verse = it->a;
                break;
            case IT_HAIRPIN: {
                /* marks come in playing order, so times never go back; a start
                 * ends an open hairpin of its kind, an end with none is ignored */
                int64_t *open = &open_pin[it->a == MUSC_HAIRPIN_CRESCENDO ? 0 : 1];
                if (*open >= 0 && !no_track)
                    rc = musc_track_add_hairpin(&m->tracks[ti], *open, tt - *open, it->a);
                *open = it->b ? tt : -1;
                break;
            }
            default:
                break;
            }
            if (rc)
                goto done;
        }
        for (int q = 0; q < 2 && !no_track; q++) /* open to the end of the tune */
            if (open_pin[q] >= 0) {
                int64_t te = to_ticks(tune_end, res);
                if ((rc = musc_track_add_hairpin(&m->tracks[ti], open_pin[q], te - open_pin[q],
                                                 q ? MUSC_HAIRPIN_DIMINUENDO
                                                   : MUSC_HAIRPIN_CRESCENDO)))
                    goto done;
            }
        if (want_chords && !no_track) {
            /* block chords held until the next symbol or the voice's end */
            int64_t vend = to_ticks(pl[i].end, res);
            for (size_t k = 0; k < pl[i].n_marks; k++) {
                const item *it = pl[i].marks[k].it;
                if (it->kind != IT_CHORDSYM)
                    continue;
                int64_t st = to_ticks(pl[i].marks[k].time, res), en = vend;
                for (size_t q = k + 1; q < pl[i].n_marks; q++)
                    if (pl[i].marks[q].it->kind == IT_CHORDSYM) {
                        en = to_ticks(pl[i].marks[q].time, res);
                        break;
                    }
                int16_t ps[8];
                int np = chord_pitches(it->text, ps);
                if (!np || en <= st)
                    continue;
                if (chord_track == SIZE_MAX) {
                    if (!musc_music_add_track(m, 0, 0, "Chords")) {
                        rc = MUSC_ERR_NOMEM;
                        goto done;
                    }
                    chord_track = m->n_tracks - 1;
                }
                for (int q = 0; q < np; q++)
                    if ((rc = musc_track_add_note(&m->tracks[chord_track], st, en - st, ps[q], 64)))
                        goto done;
            }
        }
    }
    musc_music_sort(m);
done:
    for (size_t i = 0; i < nv; i++) {
        free(pl[i].notes);
        free(pl[i].marks);
    }
    free(pl);
    free(o.idx);
    if (rc) {
        musc_music_free(m);
        if (rc == MUSC_ERR_NOMEM)
            musc_error(MUSC_ERR_NOMEM, "out of memory reading ABC");
        return rc;
    }
    *out = m;
    return 0;
}

/* ---- tune books ------------------------------------------------------------- */

typedef struct span {
    const char *start;
    size_t size;
    int line;
} span;

/* Find the tunes: each starts at an "X:" line and ends at a blank line or
 * the next X:. *spans is malloc'd. */
static int find_tunes(const char *text, size_t size, span **spans, size_t *n)
{
    *spans = NULL;
    *n = 0;
    size_t cap = 0;
    const char *s = text, *end = text + size;
    int line = 1;
    span *cur = NULL;
    while (s < end) {
        const char *e = memchr(s, '\n', (size_t)(end - s));
        if (!e) e = end;
        if (e - s >= 2 && s[0] == 'X' && s[1] == ':') {
            if (cur)
                cur->size = (size_t)(s - cur->start);
            if (musc_grow((void **)spans, &cap, *n + 1, sizeof **spans)) {
                free(*spans);
                *spans = NULL;
                return MUSC_ERR_NOMEM;
            }
            cur = &(*spans)[(*n)++];
            cur->start = s;
            cur->line = line;
            cur->size = 0;
        } else if (cur && is_blank(s, e)) {
            cur->size = (size_t)(s - cur->start);
            cur = NULL;
        }
        line++;
        s = e < end ? e + 1 : end;
    }
    if (cur)
        cur->size = (size_t)(end - cur->start);
    return 0;
}

static int read_span(const span *sp, const musc_read_options *opt, musc_music **out,
                     musc_report *report)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.text = sp->start;
    p.size = sp->size;
    p.line = sp->line;
    p.strict = opt ? opt->strict : 0;
    p.flags = opt ? opt->flags : 0;
    p.report = report;
    p.number = -1;
    int rc = parse_tune(&p);
    if (rc == MUSC_ERR_NOMEM)
        musc_error(MUSC_ERR_NOMEM, "out of memory reading ABC");
    if (!rc)
        rc = build_music(&p, out);
    parser_free(&p);
    return rc;
}

musc_status musc_abc_list(const char *text, size_t size, musc_abc_tune_info **tunes, size_t *n)
{
    span *sp;
    size_t ns;
    *tunes = NULL;
    *n = 0;
    if (find_tunes(text, size, &sp, &ns))
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    musc_abc_tune_info *ti = calloc(ns ? ns : 1, sizeof *ti);
    if (!ti) {
        free(sp);
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < ns; i++) {
        const char *s = sp[i].start, *end = s + sp[i].size;
        ti[i].line = (size_t)sp[i].line;
        ti[i].number = -1;
        while (s < end) {
            const char *e = memchr(s, '\n', (size_t)(end - s));
            if (!e) e = end;
            if (e - s >= 2 && s[0] == 'X' && s[1] == ':') {
                const char *q = s + 2;
                int64_t num;
                skip_ws(&q, e);
                if (!parse_int(&q, e, &num))
                    ti[i].number = (int)num;
            } else if (e - s >= 2 && s[0] == 'T' && s[1] == ':' && !ti[i].title) {
                const char *te = e;
                if (te > s && te[-1] == '\r') te--;
                if (!(ti[i].title = dup_trim(s + 2, te))) {
                    musc_abc_tune_info_free(ti, ns);
                    free(sp);
                    return musc_error(MUSC_ERR_NOMEM, "out of memory");
                }
            } else if (e - s >= 2 && s[0] == 'K' && s[1] == ':') {
                break;
            }
            s = e < end ? e + 1 : end;
        }
    }
    free(sp);
    *tunes = ti;
    *n = ns;
    return MUSC_OK;
}

void musc_abc_tune_info_free(musc_abc_tune_info *tunes, size_t n)
{
    if (!tunes)
        return;
    for (size_t i = 0; i < n; i++)
        free(tunes[i].title);
    free(tunes);
}

musc_status musc_abc_read_mem(const char *text, size_t size, const musc_read_options *options,
                              musc_music **out, musc_report *report)
{
    *out = NULL;
    span *sp;
    size_t ns;
    if (find_tunes(text, size, &sp, &ns))
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    int index = options && options->index >= 0 ? options->index : 0;
    int rc;
    if (ns == 0) {
        /* a single tune without X: is accepted */
        span whole = {text, size, 1};
        if (is_blank(text, text + size))
            rc = musc_error(MUSC_ERR_FORMAT, "ABC: no tune found (no X: field and no music)");
        else if (index != 0)
            rc = musc_error(MUSC_ERR_NOTFOUND, "ABC: tune %d not found (the input holds 1 tune)",
                            index);
        else
            rc = read_span(&whole, options, out, report);
    } else if ((size_t)index >= ns) {
        rc = musc_error(MUSC_ERR_NOTFOUND, "ABC: tune %d not found (the book holds %zu tunes)",
                        index, ns);
    } else {
        rc = read_span(&sp[index], options, out, report);
    }
    free(sp);
    return rc;
}

musc_status musc_abc_read_book_mem(const char *text, size_t size,
                                   const musc_read_options *options, musc_music ***tunes,
                                   size_t *n, musc_report *report)
{
    *tunes = NULL;
    *n = 0;
    span *sp;
    size_t ns;
    if (find_tunes(text, size, &sp, &ns))
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    musc_music **list = calloc(ns ? ns : 1, sizeof *list);
    if (!list) {
        free(sp);
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    }
    size_t count = 0;
    for (size_t i = 0; i < ns; i++) {
        musc_music *m;
        int rc = read_span(&sp[i], options, &m, report);
        if (rc) {
            if ((options && options->strict) || rc == MUSC_ERR_NOMEM) {
                musc_music_list_free(list, count);
                free(sp);
                return rc;
            }
            musc_report_add(report, MUSC_REPAIR_OTHER, sp[i].line,
                            "tune at line %d skipped: %s", sp[i].line, musc_errmsg());
            continue;
        }
        list[count++] = m;
    }
    free(sp);
    *tunes = list;
    *n = count;
    return MUSC_OK;
}

void musc_music_list_free(musc_music **list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        musc_music_free(list[i]);
    free(list);
}

musc_status musc_abc_read(const char *path, const musc_read_options *options, musc_music **out,
                          musc_report *report)
{
    uint8_t *data;
    size_t size;
    *out = NULL;
    int rc = musc_file_read_all(path, (size_t)256 << 20, &data, &size);
    if (rc)
        return rc;
    rc = musc_abc_read_mem((const char *)data, size, options, out, report);
    free(data);
    if (!rc) {
        const char *base = strrchr(path, '/');
        if (musc_set_string(&(*out)->metadata.source_filename, base ? base + 1 : path)) {
            musc_music_free(*out);
            *out = NULL;
            return MUSC_ERR_NOMEM;
        }
    }
    return rc;
}
