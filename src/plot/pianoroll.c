/*
 * The multitrack piano roll, drawn with cairo.
 *
 * Layout first (one function shared by drawing and musc_plot_locate, so a
 * test can ask where a note must be), then the layers back to front: row
 * shading, beat and bar lines, notes, drum hits, axes and legend. The
 * picture is rendered to memory and written with musc_file_write_atomic.
 */
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "musc/io.h"
#include "musc/names.h"
#include "musc/plot.h"
#include "plot_internal.h"

#if defined(__SANITIZE_ADDRESS__)
#define MUSC_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MUSC_LSAN 1
#endif
#endif
#ifdef MUSC_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#define DEFAULT_W 1600
#define DEFAULT_H 900
#define MAX_SIDE 20000
#define MAX_PIXELS (64 * 1024 * 1024) /* 256 MB of ARGB */

/* a qualitative palette (tab10 without its grey), dark enough on white */
static const double palette[][3] = {
    {0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173},
    {0.839, 0.153, 0.157}, {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
    {0.890, 0.467, 0.761}, {0.737, 0.741, 0.133}, {0.090, 0.745, 0.812},
};
#define N_COLORS (sizeof palette / sizeof *palette)

void musc_plot_track_color(size_t k, double rgb[3])
{
    memcpy(rgb, palette[k % N_COLORS], sizeof palette[0]);
}

musc_plot_options musc_plot_options_default(void)
{
    musc_plot_options o;
    memset(&o, 0, sizeof o);
    o.width = DEFAULT_W;
    o.height = DEFAULT_H;
    return o;
}

typedef struct layout {
    int w, h;
    int64_t t0, t1;           /* ticks shown */
    double px0, px1;          /* x of t0 and t1 */
    int plo, phi;             /* pitched rows, plo..phi; none if plo > phi */
    double roll_top, row_h;   /* row of pitch p: roll_top + (phi - p) * row_h */
    int drum_row[128];        /* row in the drum lane, -1 if the key is unused */
    int n_drum;
    double drum_top, drum_row_h;
    double axis_y;            /* bottom of the plotted area */
    double legend_x;          /* left edge of the legend column */
    size_t *tracks;           /* drawn track indices */
    size_t n_tracks;
} layout;

static int64_t note_end(const musc_note *n)
{
    return n->duration > INT64_MAX - n->time ? INT64_MAX : n->time + n->duration;
}

static void layout_free(layout *l)
{
    free(l->tracks);
    l->tracks = NULL;
}

static musc_status make_layout(const musc_music *m, const musc_plot_options *o, layout *l)
{
    memset(l, 0, sizeof *l);
    l->w = o->width > 0 ? o->width : DEFAULT_W;
    l->h = o->height > 0 ? o->height : DEFAULT_H;
    if (l->w < 200 || l->h < 120 || l->w > MAX_SIDE || l->h > MAX_SIDE ||
        (int64_t)l->w * l->h > MAX_PIXELS)
        return musc_error(MUSC_ERR_ARG, "plot size %d x %d: expected 200..%d x 120..%d and at "
                          "most %d pixels", l->w, l->h, MAX_SIDE, MAX_SIDE, MAX_PIXELS);
    size_t n = o->tracks ? o->n_tracks : m->n_tracks;
    l->tracks = malloc((n ? n : 1) * sizeof *l->tracks);
    if (!l->tracks)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (o->tracks && (o->tracks[i] < 0 || (size_t)o->tracks[i] >= m->n_tracks)) {
            int bad = o->tracks[i];
            layout_free(l);
            return musc_error(MUSC_ERR_ARG, "track %d: the music has tracks 0..%zu", bad,
                              m->n_tracks ? m->n_tracks - 1 : 0);
        }
        l->tracks[i] = o->tracks ? (size_t)o->tracks[i] : i;
    }
    l->n_tracks = n;
    int res = m->resolution > 0 ? m->resolution : MUSC_DEFAULT_RESOLUTION;
    if (!(o->beat_start >= 0) || o->beat_start > 1e12 || !(o->beat_end < 1e12)) {
        layout_free(l);
        return musc_error(MUSC_ERR_ARG, "beat range %g:%g out of range", o->beat_start,
                          o->beat_end);
    }
    l->t0 = (int64_t)llround(o->beat_start * res);
    int64_t end = 0;
    for (size_t i = 0; i < n; i++) {
        const musc_track *t = &m->tracks[l->tracks[i]];
        for (size_t k = 0; k < t->n_notes; k++) {
            int64_t e = note_end(&t->notes[k]);
            if (e > end)
                end = e;
        }
    }
    l->t1 = o->beat_end > o->beat_start ? (int64_t)llround(o->beat_end * res) : end;
    if (l->t1 <= l->t0)
        l->t1 = l->t0 + 4 * (int64_t)res;
    /* rows: pitched range and drum keys of the notes in view */
    int lo = 128, hi = -1;
    int used_drum[128] = {0};
    for (size_t i = 0; i < n; i++) {
        const musc_track *t = &m->tracks[l->tracks[i]];
        for (size_t k = 0; k < t->n_notes; k++) {
            const musc_note *x = &t->notes[k];
            if (x->pitch < 0 || x->pitch > 127 || x->time >= l->t1 ||
                (note_end(x) <= l->t0 && x->time < l->t0))
                continue;
            if (t->is_drum) {
                used_drum[x->pitch] = 1;
            } else {
                if (x->pitch < lo) lo = x->pitch;
                if (x->pitch > hi) hi = x->pitch;
            }
        }
    }
    for (int p = 0; p < 128; p++)
        l->drum_row[p] = -1;
    for (int p = 127; p >= 0; p--) /* high keys (cymbals) on top, kick at the bottom */
        if (used_drum[p])
            l->drum_row[p] = l->n_drum++;
    if (hi >= 0) {
        lo -= 2;
        hi += 2; /* a little air */
        while (hi - lo + 1 < 24) {
            lo--;
            hi++;
        }
        if (lo < 0) { hi -= lo; lo = 0; }
        if (hi > 127) { lo -= hi - 127; hi = 127; }
        if (lo < 0) lo = 0;
    }
    l->plo = hi >= 0 ? lo : 1;
    l->phi = hi >= 0 ? hi : 0;
    /* frame: title on top, bar numbers below, labels left, legend right */
    double left = l->n_drum ? 78 : 44, top = 30, bottom = 26;
    double legend_w = l->w >= 900 ? 230 : l->w / 4.0;
    l->px0 = left;
    l->px1 = l->w - legend_w - 10;
    l->legend_x = l->px1 + 14;
    l->axis_y = l->h - bottom;
    double avail = l->axis_y - top;
    double drum_h = 0;
    if (l->n_drum) {
        drum_h = l->n_drum * 15.0;
        double cap = hi >= 0 ? 0.3 * avail : avail;
        if (drum_h > cap)
            drum_h = cap;
    }
    double gap = l->n_drum && hi >= 0 ? 8 : 0;
    int rows = l->phi - l->plo + 1;
    l->roll_top = top;
    l->row_h = rows > 0 ? (avail - drum_h - gap) / rows : 0;
    l->drum_top = top + (rows > 0 ? rows * l->row_h : 0) + gap;
    l->drum_row_h = l->n_drum ? drum_h / l->n_drum : 0;
    return MUSC_OK;
}

static double x_of(const layout *l, int64_t t)
{
    return l->px0 + (double)(t - l->t0) / (double)(l->t1 - l->t0) * (l->px1 - l->px0);
}

musc_status musc_plot_locate(const musc_music *m, const musc_plot_options *options, int64_t time,
                             int pitch, int drum, double *x, double *y)
{
    musc_plot_options o = options ? *options : musc_plot_options_default();
    layout l;
    musc_status st = make_layout(m, &o, &l);
    if (st)
        return st;
    layout_free(&l);
    *x = x_of(&l, time);
    if (drum) {
        if (pitch < 0 || pitch > 127 || l.drum_row[pitch] < 0)
            return musc_error(MUSC_ERR_NOTFOUND, "drum key %d has no row", pitch);
        *y = l.drum_top + (l.drum_row[pitch] + 0.5) * l.drum_row_h;
    } else {
        if (pitch < l.plo || pitch > l.phi)
            return musc_error(MUSC_ERR_NOTFOUND, "pitch %d outside the drawn rows", pitch);
        *y = l.roll_top + (l.phi - pitch + 0.5) * l.row_h;
    }
    return MUSC_OK;
}

static const char *const pc_names[12] = {"C", "C#", "D", "D#", "E", "F",
                                         "F#", "G", "G#", "A", "A#", "B"};

static int is_black(int p)
{
    int c = p % 12;
    return c == 1 || c == 3 || c == 6 || c == 8 || c == 10;
}

static void draw_rows(cairo_t *cr, const layout *l)
{
    double w = l->px1 - l->px0;
    for (int p = l->plo; p <= l->phi; p++) {
        double y = l->roll_top + (l->phi - p) * l->row_h;
        if (is_black(p)) {
            cairo_set_source_rgb(cr, 0.935, 0.935, 0.945);
            cairo_rectangle(cr, l->px0, y, w, l->row_h);
            cairo_fill(cr);
        }
        if (p % 12 == 0) { /* the line under each C separates octaves */
            cairo_set_source_rgb(cr, 0.80, 0.80, 0.84);
            cairo_rectangle(cr, l->px0, y + l->row_h - 0.5, w, 0.8);
            cairo_fill(cr);
        }
    }
    for (int k = 0; k < l->n_drum; k++) {
        if (k % 2) {
            cairo_set_source_rgb(cr, 0.945, 0.945, 0.945);
            cairo_rectangle(cr, l->px0, l->drum_top + k * l->drum_row_h, w, l->drum_row_h);
            cairo_fill(cr);
        }
    }
}

/* beat and bar lines; bar numbers every k-th bar so labels do not collide */
static musc_status draw_grid(cairo_t *cr, const musc_music *m, const layout *l)
{
    int64_t *beats = NULL, *bars = NULL;
    size_t nb = 0, nbar = 0;
    musc_status st = musc_music_beats(m, 0, &beats, &nb);
    if (!st)
        st = musc_music_beats(m, 1, &bars, &nbar);
    if (st) {
        free(beats);
        return st;
    }
    double top = l->roll_top, bot = l->axis_y;
    double span = l->px1 - l->px0;
    double per_beat = nb > 1 ? span * (double)(beats[1] - beats[0]) / (double)(l->t1 - l->t0)
                             : span;
    if (per_beat >= 6) {
        cairo_set_source_rgba(cr, 0.55, 0.55, 0.6, 0.25);
        cairo_set_line_width(cr, 0.6);
        for (size_t i = 0; i < nb; i++) {
            if (beats[i] < l->t0 || beats[i] > l->t1)
                continue;
            double x = floor(x_of(l, beats[i])) + 0.5;
            cairo_move_to(cr, x, top);
            cairo_line_to(cr, x, bot);
        }
        cairo_stroke(cr);
    }
    double per_bar = nbar > 1 ? span * (double)(bars[1] - bars[0]) / (double)(l->t1 - l->t0)
                              : span;
    int every = 1;
    while (per_bar * every < 30)
        every *= 2;
    cairo_set_line_width(cr, 1.0);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 10);
    for (size_t i = 0; i < nbar; i++) {
        if (bars[i] < l->t0 || bars[i] > l->t1)
            continue;
        double x = floor(x_of(l, bars[i])) + 0.5;
        /* dense bars: the numbered ones stand out, the others stay faint */
        int major = i % (size_t)every == 0 || per_bar >= 12;
        cairo_set_source_rgba(cr, 0.35, 0.35, 0.4, major ? 0.6 : 0.2);
        if (per_bar >= 5 || major) {
            cairo_move_to(cr, x, top);
            cairo_line_to(cr, x, bot);
            cairo_stroke(cr);
        }
        if (i % (size_t)every == 0) {
            char label[32];
            snprintf(label, sizeof label, "%zu", i + 1);
            cairo_set_source_rgb(cr, 0.25, 0.25, 0.3);
            cairo_move_to(cr, x + 2, bot + 13);
            cairo_show_text(cr, label);
        }
    }
    free(beats);
    free(bars);
    return MUSC_OK;
}

static void draw_notes(cairo_t *cr, const musc_music *m, const layout *l)
{
    double span_ticks = (double)(l->t1 - l->t0), span = l->px1 - l->px0;
    cairo_save(cr);
    cairo_rectangle(cr, l->px0, l->roll_top, span, l->axis_y - l->roll_top);
    cairo_clip(cr);
    for (size_t i = 0; i < l->n_tracks; i++) {
        const musc_track *t = &m->tracks[l->tracks[i]];
        double rgb[3];
        musc_plot_track_color(i, rgb);
        int res = m->resolution > 0 ? m->resolution : MUSC_DEFAULT_RESOLUTION;
        /* a drum hit is a sixteenth wide, at least 2 px and at most 6 */
        double hit_w = span * (res / 4.0) / span_ticks;
        hit_w = hit_w < 2 ? 2 : hit_w > 6 ? 6 : hit_w;
        for (size_t k = 0; k < t->n_notes; k++) {
            const musc_note *x = &t->notes[k];
            int64_t e = note_end(x);
            if (x->pitch < 0 || x->pitch > 127 || x->time >= l->t1 ||
                (e <= l->t0 && x->time < l->t0))
                continue;
            double alpha = 0.55 + 0.45 * (x->velocity < 0 ? 0 : x->velocity > 127 ? 127 : x->velocity) / 127.0;
            double x0 = x_of(l, x->time);
            if (t->is_drum) {
                int row = l->drum_row[x->pitch];
                if (row < 0)
                    continue;
                double y = l->drum_top + row * l->drum_row_h;
                double pad = l->drum_row_h > 6 ? 1.5 : 0.5;
                cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], alpha);
                cairo_rectangle(cr, x0, y + pad, hit_w, l->drum_row_h - 2 * pad);
                cairo_fill(cr);
                continue;
            }
            double x1 = x_of(l, e);
            if (x1 - x0 < 1)
                x1 = x0 + 1;
            double y = l->roll_top + (l->phi - x->pitch) * l->row_h;
            double pad = l->row_h > 5 ? 0.5 : 0;
            cairo_rectangle(cr, x0, y + pad, x1 - x0, l->row_h - 2 * pad);
            cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], alpha);
            if (l->row_h >= 5 && x1 - x0 >= 4) {
                cairo_fill_preserve(cr);
                cairo_set_source_rgba(cr, rgb[0] * 0.55, rgb[1] * 0.55, rgb[2] * 0.55, 0.9);
                cairo_set_line_width(cr, 0.7);
                cairo_stroke(cr);
            } else {
                cairo_fill(cr);
            }
        }
    }
    cairo_restore(cr);
}

static void draw_axes(cairo_t *cr, const layout *l)
{
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    double fs = l->row_h >= 11 ? 10 : 9;
    cairo_set_font_size(cr, fs);
    /* label every pitch if rows are tall enough, else every C (and G if room) */
    for (int p = l->plo; p <= l->phi; p++) {
        int c = p % 12;
        int show = l->row_h >= 10 || c == 0 || (l->row_h >= 4.5 && c == 7);
        if (!show)
            continue;
        char label[24];
        snprintf(label, sizeof label, "%s%d", pc_names[c], p / 12 - 1);
        double y = l->roll_top + (l->phi - p + 0.5) * l->row_h + fs * 0.35;
        cairo_text_extents_t ext;
        cairo_text_extents(cr, label, &ext);
        cairo_set_source_rgb(cr, c == 0 ? 0.1 : 0.4, c == 0 ? 0.1 : 0.4, c == 0 ? 0.15 : 0.45);
        cairo_move_to(cr, l->px0 - 5 - ext.x_advance, y);
        cairo_show_text(cr, label);
    }
    cairo_set_font_size(cr, 9);
    for (int p = 0; p < 128; p++) {
        if (l->drum_row[p] < 0 || l->drum_row_h < 7)
            continue;
        char buf[16];
        const char *name = plot_drum_name(p, buf, sizeof buf);
        cairo_text_extents_t ext;
        cairo_text_extents(cr, name, &ext);
        double y = l->drum_top + (l->drum_row[p] + 0.5) * l->drum_row_h + 3;
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.35);
        cairo_move_to(cr, l->px0 - 5 - ext.x_advance, y);
        cairo_show_text(cr, name);
    }
    /* frame */
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.35);
    cairo_set_line_width(cr, 1);
    double rows_bottom = l->roll_top + (l->phi - l->plo + 1) * l->row_h;
    if (l->phi >= l->plo) {
        cairo_rectangle(cr, floor(l->px0) + 0.5, floor(l->roll_top) + 0.5,
                        floor(l->px1 - l->px0), floor(rows_bottom - l->roll_top));
        cairo_stroke(cr);
    }
    if (l->n_drum) {
        cairo_rectangle(cr, floor(l->px0) + 0.5, floor(l->drum_top) + 0.5, floor(l->px1 - l->px0),
                        floor(l->n_drum * l->drum_row_h));
        cairo_stroke(cr);
    }
}

static void draw_legend(cairo_t *cr, const musc_music *m, const layout *l, const char *title)
{
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 13);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.15);
    if (title && *title) {
        cairo_move_to(cr, l->px0, 19);
        cairo_show_text(cr, title);
    }
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    double y = l->roll_top + 4;
    double right = l->w - 4;
    cairo_save(cr);
    cairo_rectangle(cr, l->legend_x, 0, right - l->legend_x, l->h);
    cairo_clip(cr);
    for (size_t i = 0; i < l->n_tracks && y < l->axis_y - 10; i++) {
        const musc_track *t = &m->tracks[l->tracks[i]];
        double rgb[3];
        musc_plot_track_color(i, rgb);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_rectangle(cr, l->legend_x, y, 14, 10);
        cairo_fill(cr);
        char line[160];
        snprintf(line, sizeof line, "%zu  %s", l->tracks[i],
                 t->is_drum ? "Drums" : musc_gm_program_name(t->program));
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.15);
        cairo_set_font_size(cr, l->w >= 900 ? 11 : 9);
        cairo_move_to(cr, l->legend_x + 20, y + 9);
        cairo_show_text(cr, line);
        y += 14;
        if (t->name && *t->name) {
            snprintf(line, sizeof line, "\"%.60s\", %zu notes", t->name, t->n_notes);
        } else {
            snprintf(line, sizeof line, "%zu notes", t->n_notes);
        }
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.45);
        cairo_set_font_size(cr, l->w >= 900 ? 10 : 8);
        cairo_move_to(cr, l->legend_x + 20, y + 8);
        cairo_show_text(cr, line);
        y += 20;
    }
    cairo_restore(cr);
}

/* The first font lookup makes fontconfig build caches that live as long as
 * the process and that leak checkers report as lost. Do that lookup here,
 * for both faces used, with the checker looking away (sanitizer builds only);
 * later text reuses the caches. */
static void load_fonts(cairo_t *cr)
{
#ifdef MUSC_LSAN
    __lsan_disable();
#endif
    cairo_text_extents_t ext;
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_text_extents(cr, "0", &ext);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_text_extents(cr, "0", &ext);
#ifdef MUSC_LSAN
    __lsan_enable();
#endif
}

typedef struct membuf {
    unsigned char *data;
    size_t size, cap;
    int failed;
} membuf;

static cairo_status_t mem_write(void *closure, const unsigned char *data, unsigned int length)
{
    membuf *b = closure;
    if (b->size + length > b->cap) {
        size_t nc = b->cap ? b->cap : 65536;
        while (nc < b->size + length)
            nc *= 2;
        unsigned char *d = realloc(b->data, nc);
        if (!d) {
            b->failed = 1;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        b->data = d;
        b->cap = nc;
    }
    memcpy(b->data + b->size, data, length);
    b->size += length;
    return CAIRO_STATUS_SUCCESS;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcasecmp(s + n - k, suffix);
}

musc_status musc_plot_pianoroll(const musc_music *m, const musc_plot_options *options,
                                const char *path)
{
    musc_plot_options o = options ? *options : musc_plot_options_default();
    int svg = ends_with(path, ".svg");
    if (!svg && !ends_with(path, ".png"))
        return musc_error(MUSC_ERR_ARG, "%s: a plot is written as .png or .svg", path);
    layout l;
    musc_status st = make_layout(m, &o, &l);
    if (st)
        return st;
    if (!o.overwrite) {
        FILE *f = fopen(path, "rb");
        if (f) {
            fclose(f);
            layout_free(&l);
            return musc_error(MUSC_ERR_EXISTS, "%s exists (pass overwrite to replace it)", path);
        }
    }
    membuf buf = {0};
    cairo_surface_t *surface =
        svg ? cairo_svg_surface_create_for_stream(mem_write, &buf, l.w, l.h)
            : cairo_image_surface_create(CAIRO_FORMAT_ARGB32, l.w, l.h);
    cairo_t *cr = cairo_create(surface);
    load_fonts(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    draw_rows(cr, &l);
    st = draw_grid(cr, m, &l);
    if (!st) {
        draw_notes(cr, m, &l);
        draw_axes(cr, &l);
        const char *title = o.title ? o.title : m->metadata.title;
        draw_legend(cr, m, &l, title);
    }
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    if (!st && !cs && !svg)
        cs = cairo_surface_write_to_png_stream(surface, mem_write, &buf);
    cairo_surface_finish(surface); /* SVG: flushes the document into buf */
    if (!cs)
        cs = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    layout_free(&l);
    if (!st && (cs || buf.failed))
        st = buf.failed ? musc_error(MUSC_ERR_NOMEM, "out of memory rendering %s", path)
                        : musc_error(MUSC_ERR_INTERNAL, "cairo: %s", cairo_status_to_string(cs));
    if (!st)
        st = musc_file_write_atomic(path, buf.data, buf.size, o.overwrite);
    free(buf.data);
    return st;
}
