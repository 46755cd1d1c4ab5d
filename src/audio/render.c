/*
 * Rendering a score through FluidSynth's C API, event by event.
 *
 * The score becomes one list of timed synth calls per synth instance (note
 * on and off, control changes, pitch bends, pressure), each at a frame from
 * the tempo map. The loop renders audio up to the next event with
 * fluid_synth_write_float() and then makes the call; FluidSynth applies it at
 * its next 64-frame block, so timing is exact to 1.5 ms at 44.1 kHz. Events
 * sharing a frame go controls first, then bends and pressure, then note-offs,
 * then note-ons, so a repeated pitch retriggers and a pedal change at a note
 * boundary affects the note that starts there.
 *
 * Channels: one per track, so one track's controls never reach another. A
 * synth has up to 256 channels; drum tracks take channel 10 of each group of
 * 16 (set to FluidSynth's drum type, bank 128), melodic tracks the rest. A
 * score that needs more channels than one synth has uses several, summed.
 *
 * Overlapping notes of one pitch on one channel are counted: the key is
 * released only when its last note ends, since FluidSynth would otherwise
 * cut the later note at the earlier note's end.
 *
 * Threads: the mix splits its tracks among as many synths as there are
 * threads (balanced by note count), rendered in parallel and summed in a
 * fixed order. Stems render each track alone in its own synth, also spread
 * over threads; the mix is then their sum, so the stems add up to it
 * exactly. FluidSynth's voices, reverb and chorus are linear, so mixes made
 * with different splits agree closely; not bit for bit, because FluidSynth
 * does not reset every voice's filter and gain ramp when it reuses a voice,
 * so a note's first milliseconds depend on what that voice played before.
 */
#include "musc/audio.h"

#include <fluidsynth.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHANNELS_PER_SYNTH 256
#define DRUM_SLOTS (CHANNELS_PER_SYNTH / 16)
#define MELODIC_SLOTS (CHANNELS_PER_SYNTH - DRUM_SLOTS)
#define CHUNK_FRAMES 4096
#define MAX_RENDER_SECONDS (24.0 * 3600.0)
#define AUTO_SPLIT_SECONDS 20

/* ---- audio buffers ------------------------------------------------------- */

#define HUGE_PAGE ((size_t)2 << 20)

/* A buffer of `floats` samples for a render, freed with free(). Renders
 * are large (70 MB for 200 s of stereo float per synth or stem) and written
 * once, front to back, so on a virtual machine their page faults cost a
 * good part of a stem's CPU time (perf: 5-10%); transparent huge pages,
 * where the kernel allows them (madvise mode), cut the faults 512-fold. */
static float *audio_alloc(size_t floats)
{
    size_t bytes = (floats ? floats : 1) * sizeof(float);
    if (bytes < 4 * HUGE_PAGE)
        return malloc(bytes);
    size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, rounded) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only: no THP is fine */
#endif
    return p;
}

/* ---- FluidSynth's log, captured instead of printed ----------------------- */

static _Thread_local char fluid_last_message[512];
static pthread_once_t fluid_log_once = PTHREAD_ONCE_INIT;

static void fluid_log_capture(int level, const char *message, void *data)
{
    (void)data;
    if (level <= FLUID_WARN && message)
        snprintf(fluid_last_message, sizeof fluid_last_message, "%s", message);
}

static void fluid_log_install(void)
{
    fluid_set_log_function(FLUID_PANIC, fluid_log_capture, NULL);
    fluid_set_log_function(FLUID_ERR, fluid_log_capture, NULL);
    fluid_set_log_function(FLUID_WARN, fluid_log_capture, NULL);
    fluid_set_log_function(FLUID_INFO, NULL, NULL);
    fluid_set_log_function(FLUID_DBG, NULL, NULL);
}

/* ---- options ------------------------------------------------------------- */

musc_render_options musc_render_options_default(void)
{
    musc_render_options o;
    memset(&o, 0, sizeof o);
    o.soundfont = NULL;
    o.sample_rate = 44100;
    o.gain = 0.2;
    o.reverb = 1;
    o.chorus = 0;
    o.start = 0;
    o.end = -1;
    o.max_tail = 8.0;
    o.silence_db = -90.0;
    o.polyphony = 1024;
    o.threads = 0;
    return o;
}

void musc_audio_clear(musc_audio *a)
{
    if (!a)
        return;
    free(a->samples);
    memset(a, 0, sizeof *a);
}

static musc_status check_options(const musc_render_options *o)
{
    if (o->sample_rate < 8000 || o->sample_rate > 192000)
        return musc_error(MUSC_ERR_ARG, "sample rate %d, expected 8000..192000", o->sample_rate);
    if (!(o->gain >= 0 && o->gain <= 10))
        return musc_error(MUSC_ERR_ARG, "gain %g, expected 0..10", o->gain);
    if (!(o->max_tail >= 0 && o->max_tail <= 600))
        return musc_error(MUSC_ERR_ARG, "max tail %g s, expected 0..600", o->max_tail);
    if (o->start < 0)
        return musc_error(MUSC_ERR_ARG, "start tick %lld, expected >= 0", (long long)o->start);
    if (o->end >= 0 && o->end <= o->start)
        return musc_error(MUSC_ERR_ARG, "end tick %lld is not after start tick %lld",
                          (long long)o->end, (long long)o->start);
    if (o->polyphony < 16 || o->polyphony > 65535)
        return musc_error(MUSC_ERR_ARG, "polyphony %d, expected 16..65535", o->polyphony);
    if (o->threads < 0)
        return musc_error(MUSC_ERR_ARG, "threads %d, expected >= 0", o->threads);
    return MUSC_OK;
}

/* ---- the shared context of one render ------------------------------------ */

typedef struct progress_state {
    pthread_mutex_t lock;
    double done, total;
    musc_progress_fn fn;
    void *user;
} progress_state;

/* The tempo map with the state musc_music_ticks_to_seconds() reaches after
 * each tempo, so a lookup is a binary search instead of a walk over every
 * tempo (files with thousands of tempo changes and notes made this
 * quadratic). The arithmetic is the same, in the same order, so the seconds
 * are bit for bit those of musc_music_ticks_to_seconds(). */
typedef struct tempo_state {
    int64_t time; /* the tempo's time: lookups for ticks > time use this state */
    int64_t at;   /* tick where `sec` was accumulated */
    double sec;
    double qpm;
} tempo_state;

typedef struct render_ctx {
    const musc_music *music;     /* tempos sorted */
    tempo_state *tempo;          /* one per tempo */
    const musc_render_options *opt;
    const char *soundfont;
    int64_t start, end;          /* ticks */
    double sec0;                 /* seconds at `start` */
    size_t score_frames;
    size_t max_frames;           /* score + tail bound + a block */
    progress_state *progress;
} render_ctx;

static void progress_add(progress_state *p, double frames)
{
    if (!p || !p->fn)
        return;
    pthread_mutex_lock(&p->lock);
    p->done += frames;
    p->fn(p->done < p->total ? p->done : p->total, p->total, p->user);
    pthread_mutex_unlock(&p->lock);
}

static double sec_per_tick(const musc_music *m, double qpm)
{
    int res = m->resolution > 0 ? m->resolution : MUSC_DEFAULT_RESOLUTION;
    if (!(qpm > 0) || !isfinite(qpm))
        qpm = MUSC_DEFAULT_QPM;
    return 60.0 / (qpm * res);
}

static tempo_state *tempo_states(const musc_music *m)
{
    tempo_state *ts = malloc((m->n_tempos ? m->n_tempos : 1) * sizeof *ts);
    if (!ts)
        return NULL;
    double qpm = MUSC_DEFAULT_QPM, sec = 0;
    int64_t at = 0;
    for (size_t i = 0; i < m->n_tempos; i++) {
        if (m->tempos[i].time > at) {
            sec += (double)(m->tempos[i].time - at) * sec_per_tick(m, qpm);
            at = m->tempos[i].time;
        }
        qpm = m->tempos[i].qpm;
        ts[i] = (tempo_state){m->tempos[i].time, at, sec, qpm};
    }
    return ts;
}

/* Seconds at `ticks` >= 0, as musc_music_ticks_to_seconds(). */
static double seconds_at(const render_ctx *c, int64_t ticks)
{
    /* k = how many tempos lie strictly before `ticks` */
    size_t lo = 0, hi = c->music->n_tempos;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->tempo[mid].time < ticks)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return (double)ticks * sec_per_tick(c->music, MUSC_DEFAULT_QPM);
    const tempo_state *t = &c->tempo[lo - 1];
    return t->sec + (double)(ticks - t->at) * sec_per_tick(c->music, t->qpm);
}

static int64_t frame_of(const render_ctx *c, int64_t tick)
{
    if (tick <= c->start)
        return 0;
    double s = seconds_at(c, tick) - c->sec0;
    int64_t f = llround(s * c->opt->sample_rate);
    return f < 0 ? 0 : f;
}

static int64_t end_of(int64_t t, int64_t d)
{
    if (d > 0 && t > INT64_MAX - d)
        return INT64_MAX;
    return t + (d > 0 ? d : 0);
}

/* Does a note [t, t+d) sound inside [start, end)? */
static int in_window(const render_ctx *c, int64_t t, int64_t d)
{
    if (t >= c->end)
        return 0;
    int64_t e = end_of(t, d);
    return e > c->start || (d == 0 && t >= c->start);
}

static size_t track_notes_in_window(const render_ctx *c, const musc_track *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_notes; i++)
        if (t->notes[i].velocity > 0 && in_window(c, t->notes[i].time, t->notes[i].duration))
            n++;
    for (size_t i = 0; i < t->n_chords; i++)
        if (t->chords[i].velocity > 0 && in_window(c, t->chords[i].time, t->chords[i].duration))
            n += t->chords[i].n_pitches;
    return n;
}

/* ---- events -------------------------------------------------------------- */

/* At one frame, system-exclusive messages (resets) go before everything. */
enum { EV_SYSEX, EV_CC, EV_BEND, EV_CHANPRESS, EV_KEYPRESS, EV_OFF, EV_ON, EV_RELEASE_PEDALS };

typedef struct synth_event {
    int64_t frame;
    uint32_t seq;   /* insertion order, for a stable sort */
    uint8_t kind;
    uint8_t chan;
    int16_t a, b;   /* key/controller/value depending on kind */
    uint32_t raw;   /* EV_SYSEX: index into music->raw_events */
} synth_event;

typedef struct event_list {
    synth_event *ev;
    size_t n, cap;
} event_list;

static int push(event_list *l, int64_t frame, int kind, int chan, int a, int b)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        synth_event *p = realloc(l->ev, cap * sizeof *p);
        if (!p)
            return -1;
        l->ev = p;
        l->cap = cap;
    }
    synth_event *e = &l->ev[l->n];
    e->frame = frame;
    e->seq = (uint32_t)l->n;
    e->kind = (uint8_t)kind;
    e->chan = (uint8_t)chan;
    e->a = (int16_t)a;
    e->b = (int16_t)b;
    e->raw = 0;
    l->n++;
    return 0;
}

static int cmp_event(const void *pa, const void *pb)
{
    const synth_event *a = pa, *b = pb;
    if (a->frame != b->frame)
        return a->frame < b->frame ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int add_note(const render_ctx *c, event_list *l, int chan, int64_t t, int64_t d,
                    int pitch, int velocity)
{
    if (velocity <= 0 || !in_window(c, t, d))
        return 0;
    int64_t e = end_of(t, d);
    if (e > c->end)
        e = c->end;
    if (push(l, frame_of(c, t), EV_ON, chan, pitch, velocity > 127 ? 127 : velocity) ||
        push(l, frame_of(c, e), EV_OFF, chan, pitch, 0))
        return -1;
    return 0;
}

/* Controls and bends before `start` still set the state at frame 0; those
 * after `end` are dropped. Bank selects are dropped: the track's program and
 * drum flag choose the preset. */
static int add_track_events(const render_ctx *c, event_list *l, const musc_track *t, int chan)
{
    for (size_t i = 0; i < t->n_notes; i++)
        if (add_note(c, l, chan, t->notes[i].time, t->notes[i].duration, t->notes[i].pitch,
                     t->notes[i].velocity))
            return -1;
    for (size_t i = 0; i < t->n_chords; i++)
        for (size_t k = 0; k < t->chords[i].n_pitches; k++)
            if (add_note(c, l, chan, t->chords[i].time, t->chords[i].duration,
                         t->chords[i].pitches[k], t->chords[i].velocity))
                return -1;
    for (size_t i = 0; i < t->n_controls; i++) {
        const musc_control *cc = &t->controls[i];
        if (cc->time > c->end || cc->number == 0 || cc->number == 32 || cc->number > 127)
            continue;
        if (push(l, frame_of(c, cc->time), EV_CC, chan, cc->number, cc->value & 127))
            return -1;
    }
    for (size_t i = 0; i < t->n_pitch_bends; i++) {
        const musc_pitch_bend *pb = &t->pitch_bends[i];
        if (pb->time > c->end)
            continue;
        int v = pb->value < -8192 ? -8192 : pb->value > 8191 ? 8191 : pb->value;
        if (push(l, frame_of(c, pb->time), EV_BEND, chan, v, 0))
            return -1;
    }
    for (size_t i = 0; i < t->n_pressures; i++) {
        const musc_pressure *pr = &t->pressures[i];
        if (pr->time > c->end)
            continue;
        int kind = pr->pitch < 0 ? EV_CHANPRESS : EV_KEYPRESS;
        if (push(l, frame_of(c, pr->time), kind, chan, pr->pitch & 127, pr->value & 127))
            return -1;
    }
    /* A pedal still down at the end would hold the notes until the tail
     * bound; lift it where the score ends. */
    return push(l, (int64_t)c->score_frames, EV_RELEASE_PEDALS, chan, 0, 0);
}

/* The score's system-exclusive messages (music->raw_events of type
 * MUSC_RAW_SYSEX), for every synth: they address the whole device. Those
 * before `start` still set the state at frame 0; those after `end` are
 * dropped. */
static int add_sysex_events(const render_ctx *c, event_list *l)
{
    const musc_music *m = c->music;
    for (size_t i = 0; i < m->n_raw_events && i <= UINT32_MAX; i++) {
        const musc_raw_event *r = &m->raw_events[i];
        if (r->type != MUSC_RAW_SYSEX || r->time > c->end || !r->data || r->size == 0)
            continue;
        if (push(l, frame_of(c, r->time), EV_SYSEX, 0, 0, 0))
            return -1;
        l->ev[l->n - 1].raw = (uint32_t)i;
    }
    return 0;
}

/* ---- one synth ----------------------------------------------------------- */

typedef struct synth_job {
    const size_t *tracks; /* indices into music->tracks */
    const int *chans;     /* the channel of each */
    size_t n;
    int n_channels;       /* multiple of 16 */
} synth_job;

static musc_status make_synth(const render_ctx *c, int n_channels, fluid_settings_t **ps,
                              fluid_synth_t **psy)
{
    const musc_render_options *o = c->opt;
    *ps = NULL;
    *psy = NULL;
    fluid_settings_t *s = new_fluid_settings();
    if (!s)
        return musc_error(MUSC_ERR_NOMEM, "FluidSynth: cannot create settings");
    fluid_settings_setnum(s, "synth.sample-rate", (double)o->sample_rate);
    fluid_settings_setnum(s, "synth.gain", o->gain);
    fluid_settings_setint(s, "synth.midi-channels", n_channels);
    fluid_settings_setint(s, "synth.polyphony", o->polyphony);
    fluid_settings_setint(s, "synth.reverb.active", o->reverb ? 1 : 0);
    fluid_settings_setint(s, "synth.chorus.active", o->chorus ? 1 : 0);
    fluid_settings_setint(s, "synth.threadsafe-api", 0);
    fluid_settings_setint(s, "synth.lock-memory", 0);
    fluid_settings_setint(s, "synth.cpu-cores", 1);
    /* Not synth.dynamic-sample-loading, though it would read only the
     * presets in use (-1 s, -120 MB with FluidR3_GM): in 2.3 it changes the
     * sound, e.g. TimGM6mb's snare clicks at every note-off. */
    fluid_synth_t *sy = new_fluid_synth(s);
    if (!sy) {
        delete_fluid_settings(s);
        return musc_error(MUSC_ERR_INTERNAL, "FluidSynth: cannot create a synth: %s",
                          fluid_last_message);
    }
    fluid_last_message[0] = 0;
    if (fluid_synth_sfload(sy, c->soundfont, 1) == FLUID_FAILED) {
        delete_fluid_synth(sy);
        delete_fluid_settings(s);
        return musc_error(MUSC_ERR_FORMAT, "SoundFont '%s' could not be loaded (not a valid "
                          "SF2/SF3 file?)%s%s", c->soundfont,
                          fluid_last_message[0] ? ": " : "", fluid_last_message);
    }
    *ps = s;
    *psy = sy;
    return MUSC_OK;
}

static void set_program(fluid_synth_t *sy, int chan, int program, int is_drum)
{
    fluid_synth_set_channel_type(sy, chan, is_drum ? CHANNEL_TYPE_DRUM : CHANNEL_TYPE_MELODIC);
    fluid_synth_bank_select(sy, chan, is_drum ? 128 : 0);
    program &= 127;
    if (fluid_synth_program_change(sy, chan, program) != FLUID_OK ||
        !fluid_synth_get_channel_preset(sy, chan))
        fluid_synth_program_change(sy, chan, 0); /* SoundFont lacks it: first preset */
}

/* Play one system-exclusive message, as musc_render documents: a universal
 * master volume sets the synth's gain (FluidSynth 2.3 ignores it); the
 * rest goes to fluid_synth_sysex(), and a message it handled (GM, GS or XG
 * system on, tuning) is followed by the tracks' programs again, since a
 * reset sets every channel back to program 0. Malformed messages (a data
 * byte >= 0x80, nothing but F7) are skipped. */
static void apply_sysex(const render_ctx *c, const synth_job *job, fluid_synth_t *sy,
                        const musc_raw_event *r)
{
    size_t n = r->size;
    const uint8_t *d = r->data;
    if (n && d[n - 1] == 0xF7)
        n--; /* the end-of-exclusive status is not part of the message */
    if (n == 0 || n > INT32_MAX)
        return;
    for (size_t i = 0; i < n; i++)
        if (d[i] & 0x80)
            return;
    if (n >= 6 && d[0] == 0x7F && d[2] == 0x04 && d[3] == 0x01) {
        /* F0 7F <device> 04 01 <lsb> <msb> F7: master volume, 14 bits */
        double v = (double)(d[4] | d[5] << 7) / 16383.0;
        fluid_synth_set_gain(sy, (float)(c->opt->gain * v));
        return;
    }
    int handled = 0;
    if (fluid_synth_sysex(sy, (const char *)d, (int)n, NULL, NULL, &handled, 0) == FLUID_OK &&
        handled)
        for (size_t i = 0; i < job->n; i++) {
            const musc_track *t = &c->music->tracks[job->tracks[i]];
            set_program(sy, job->chans[i], t->program, t->is_drum);
        }
}

static void apply_event(const render_ctx *c, const synth_job *job, fluid_synth_t *sy,
                        const synth_event *e, uint16_t *held)
{
    int ch = e->chan;
    switch (e->kind) {
    case EV_SYSEX:
        apply_sysex(c, job, sy, &c->music->raw_events[e->raw]);
        break;
    case EV_CC:
        fluid_synth_cc(sy, ch, e->a, e->b);
        break;
    case EV_BEND:
        fluid_synth_pitch_bend(sy, ch, e->a + 8192);
        break;
    case EV_CHANPRESS:
        fluid_synth_channel_pressure(sy, ch, e->b);
        break;
    case EV_KEYPRESS:
        fluid_synth_key_pressure(sy, ch, e->a, e->b);
        break;
    case EV_ON:
        held[ch * 128 + e->a]++;
        fluid_synth_noteon(sy, ch, e->a, e->b);
        break;
    case EV_OFF:
        if (held[ch * 128 + e->a] > 0 && --held[ch * 128 + e->a] == 0)
            fluid_synth_noteoff(sy, ch, e->a);
        break;
    case EV_RELEASE_PEDALS:
        fluid_synth_cc(sy, ch, 64, 0);
        fluid_synth_cc(sy, ch, 66, 0);
        break;
    }
}

static float peak_of(const float *x, size_t n)
{
    float p = 0;
    for (size_t i = 0; i < n; i++) {
        float v = fabsf(x[i]);
        p = v > p ? v : p;
    }
    return p;
}

/* Render one synth's tracks into a fresh *out (n_frames = score + tail).
 * A fresh synth of job->n_channels channels may be handed in (*s0, *sy0,
 * then owned here and deleted); else one is made. */
static musc_status render_synth(const render_ctx *c, const synth_job *job, musc_audio *out,
                                fluid_settings_t *s0, fluid_synth_t *sy0)
{
    memset(out, 0, sizeof *out);
    event_list l = {0};
    uint16_t *held = NULL;
    float *buf = NULL;
    fluid_settings_t *s = s0;
    fluid_synth_t *sy = sy0;
    musc_status st = MUSC_OK;

    for (size_t i = 0; i < job->n; i++)
        if (add_track_events(c, &l, &c->music->tracks[job->tracks[i]], job->chans[i])) {
            st = musc_error(MUSC_ERR_NOMEM, "out of memory for synth events");
            goto done;
        }
    if (add_sysex_events(c, &l)) {
        st = musc_error(MUSC_ERR_NOMEM, "out of memory for synth events");
        goto done;
    }
    qsort(l.ev, l.n, sizeof *l.ev, cmp_event);
    held = calloc((size_t)job->n_channels * 128, sizeof *held);
    buf = audio_alloc(c->max_frames * 2);
    if (!held || !buf) {
        st = musc_error(MUSC_ERR_NOMEM, "out of memory for %zu frames of audio", c->max_frames);
        goto done;
    }
    if (!sy && (st = make_synth(c, job->n_channels, &s, &sy)) != MUSC_OK)
        goto done;
    for (size_t i = 0; i < job->n; i++) {
        const musc_track *t = &c->music->tracks[job->tracks[i]];
        set_program(sy, job->chans[i], t->program, t->is_drum);
    }

    size_t pos = 0, next = 0, reported = 0;
    while (pos < c->score_frames || next < l.n) {
        size_t target = next < l.n ? (size_t)l.ev[next].frame : c->score_frames;
        if (target > c->max_frames)
            target = c->max_frames;
        while (pos < target) {
            size_t n = target - pos < CHUNK_FRAMES ? target - pos : CHUNK_FRAMES;
            fluid_synth_write_float(sy, (int)n, buf + 2 * pos, 0, 2, buf + 2 * pos, 1, 2);
            pos += n;
        }
        if (pos - reported >= (size_t)c->opt->sample_rate) {
            progress_add(c->progress, (double)(pos - reported));
            reported = pos;
        }
        if (next >= l.n)
            break;
        while (next < l.n && (size_t)l.ev[next].frame <= pos)
            apply_event(c, job, sy, &l.ev[next++], held);
    }
    progress_add(c->progress, (double)(pos > reported ? pos - reported : 0));

    /* The tail: release and reverb, until a 50 ms stretch is silent with no
     * voice left, or the bound. */
    float threshold = (float)pow(10.0, c->opt->silence_db / 20.0);
    size_t chunk = (size_t)c->opt->sample_rate / 20;
    while (pos < c->max_frames) {
        size_t n = c->max_frames - pos < chunk ? c->max_frames - pos : chunk;
        fluid_synth_write_float(sy, (int)n, buf + 2 * pos, 0, 2, buf + 2 * pos, 1, 2);
        float p = peak_of(buf + 2 * pos, 2 * n);
        pos += n;
        if (fluid_synth_get_active_voice_count(sy) == 0 && p < threshold)
            break;
    }
    /* Not shrunk to `pos`: realloc would copy it (glibc does not remap an
     * aligned block; perf: 10% of a stems render), for the few MB of tail
     * bound it would give back. The buffer holds max_frames frames. */
    out->samples = buf;
    buf = NULL;
    out->n_frames = pos;
    out->channels = 2;
    out->sample_rate = c->opt->sample_rate;
done:
    if (sy)
        delete_fluid_synth(sy);
    if (s)
        delete_fluid_settings(s);
    free(buf);
    free(held);
    free(l.ev);
    return st;
}

/* ---- setting up a render ------------------------------------------------- */

static int tempos_sorted(const musc_music *m)
{
    for (size_t i = 1; i < m->n_tempos; i++)
        if (m->tempos[i].time < m->tempos[i - 1].time)
            return 0;
    return 1;
}

static musc_status check_music(const musc_music *m)
{
    if (!m)
        return musc_error(MUSC_ERR_ARG, "no music to render");
    if (m->resolution < 1)
        return musc_error(MUSC_ERR_INVALID, "resolution = %d, expected >= 1", m->resolution);
    for (size_t i = 0; i < m->n_tempos; i++)
        if (!(m->tempos[i].qpm > 0) || !isfinite(m->tempos[i].qpm))
            return musc_error(MUSC_ERR_INVALID, "tempos[%zu].qpm = %g, expected > 0", i,
                              m->tempos[i].qpm);
    for (size_t ti = 0; ti < m->n_tracks; ti++) {
        const musc_track *t = &m->tracks[ti];
        for (size_t i = 0; i < t->n_notes; i++) {
            const musc_note *n = &t->notes[i];
            if (n->pitch < 0 || n->pitch > 127)
                return musc_error(MUSC_ERR_INVALID, "tracks[%zu].notes[%zu].pitch = %d, expected 0..127",
                                  ti, i, n->pitch);
            if (n->time < 0 || n->duration < 0)
                return musc_error(MUSC_ERR_INVALID, "tracks[%zu].notes[%zu] has a negative time or "
                                  "duration", ti, i);
        }
        for (size_t i = 0; i < t->n_chords; i++)
            for (size_t k = 0; k < t->chords[i].n_pitches; k++)
                if (t->chords[i].pitches[k] < 0 || t->chords[i].pitches[k] > 127)
                    return musc_error(MUSC_ERR_INVALID, "tracks[%zu].chords[%zu].pitches[%zu] = %d, "
                                      "expected 0..127", ti, i, k, t->chords[i].pitches[k]);
    }
    return MUSC_OK;
}

/* Last tick any note sounds. */
static int64_t last_tick(const musc_music *m)
{
    int64_t e = 0;
    for (size_t ti = 0; ti < m->n_tracks; ti++) {
        const musc_track *t = &m->tracks[ti];
        for (size_t i = 0; i < t->n_notes; i++)
            if (t->notes[i].velocity > 0) {
                int64_t x = end_of(t->notes[i].time, t->notes[i].duration);
                e = x > e ? x : e;
            }
        for (size_t i = 0; i < t->n_chords; i++) {
            if (t->chords[i].velocity <= 0)
                continue;
            int64_t x = end_of(t->chords[i].time, t->chords[i].duration);
            e = x > e ? x : e;
        }
    }
    return e;
}

typedef struct prepared {
    musc_music *sorted_copy; /* owned when the input's tempos were unsorted */
    render_ctx ctx;
    progress_state progress;
    char *soundfont;
    size_t n_notes;
} prepared;

static void prepared_free(prepared *p)
{
    free(p->ctx.tempo);
    musc_music_free(p->sorted_copy);
    free(p->soundfont);
    pthread_mutex_destroy(&p->progress.lock);
}

static musc_status prepare(const musc_music *music, const musc_render_options *options,
                           const musc_render_options *defaults, prepared *p)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->progress.lock, NULL);
    const musc_render_options *o = options ? options : defaults;
    musc_status st;
    if ((st = check_options(o)) != MUSC_OK || (st = check_music(music)) != MUSC_OK)
        return st;
    pthread_once(&fluid_log_once, fluid_log_install);
    if (!tempos_sorted(music)) {
        p->sorted_copy = musc_music_copy(music);
        if (!p->sorted_copy)
            return musc_error(MUSC_ERR_NOMEM, "out of memory copying the score");
        musc_music_sort(p->sorted_copy);
        music = p->sorted_copy;
    }
    render_ctx *c = &p->ctx;
    c->music = music;
    c->opt = o;
    c->start = o->start;
    c->end = o->end >= 0 ? o->end : last_tick(music);
    if (c->end <= c->start)
        c->end = c->start + 1; /* empty window; caught below as "no notes" */
    for (size_t ti = 0; ti < music->n_tracks; ti++)
        p->n_notes += track_notes_in_window(c, &music->tracks[ti]);
    if (p->n_notes == 0) {
        if (o->start > 0 || o->end >= 0)
            return musc_error(MUSC_ERR_ARG, "nothing to render: no notes between ticks %lld and %lld",
                              (long long)c->start, (long long)c->end);
        return musc_error(MUSC_ERR_ARG, "nothing to render: the score has no notes");
    }
    c->sec0 = musc_music_ticks_to_seconds(music, c->start);
    if (!(c->tempo = tempo_states(music)))
        return musc_error(MUSC_ERR_NOMEM, "out of memory for the tempo map");
    double seconds = musc_music_ticks_to_seconds(music, c->end) - c->sec0;
    if (!(seconds >= 0) || seconds > MAX_RENDER_SECONDS)
        return musc_error(MUSC_ERR_RANGE, "the score lasts %.0f s; musc renders at most %.0f s",
                          seconds, MAX_RENDER_SECONDS);
    c->score_frames = (size_t)llround(seconds * o->sample_rate);
    c->max_frames = c->score_frames + (size_t)ceil(o->max_tail * o->sample_rate) + 64;
    if ((st = musc_soundfont_find(o->soundfont, &p->soundfont)) != MUSC_OK)
        return st;
    c->soundfont = p->soundfont;
    if ((st = musc_soundfont_check(p->soundfont)) != MUSC_OK)
        return st;
    p->progress.fn = o->progress;
    p->progress.user = o->progress_user;
    c->progress = &p->progress;
    return MUSC_OK;
}

static void fill_info(const prepared *p, size_t n_frames, int n_synths, musc_render_info *info)
{
    if (!info)
        return;
    memset(info, 0, sizeof *info);
    info->score_frames = p->ctx.score_frames;
    info->score_seconds = (double)p->ctx.score_frames / p->ctx.opt->sample_rate;
    info->tail_frames = n_frames > p->ctx.score_frames ? n_frames - p->ctx.score_frames : 0;
    info->n_notes = p->n_notes;
    info->n_synths = n_synths;
    snprintf(info->soundfont, sizeof info->soundfont, "%s", p->soundfont);
}

/* ---- running synths on threads ------------------------------------------- */

typedef struct job_pool {
    const render_ctx *ctx;
    const synth_job *jobs;
    musc_audio *outs;
    size_t n, next;
    pthread_mutex_t lock;
    musc_status status;
    char message[1024];
    /* the synth that loaded the SoundFont first, still unused: the first
     * job of its channel count renders on it instead of loading again */
    fluid_settings_t *spare_settings;
    fluid_synth_t *spare;
    int spare_channels;
} job_pool;

static void *job_worker(void *arg)
{
    job_pool *pool = arg;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        size_t i = pool->next++;
        int failed = pool->status != MUSC_OK;
        fluid_settings_t *s = NULL;
        fluid_synth_t *sy = NULL;
        if (i < pool->n && !failed && pool->spare &&
            pool->jobs[i].n_channels == pool->spare_channels) {
            s = pool->spare_settings;
            sy = pool->spare;
            pool->spare = NULL;
            pool->spare_settings = NULL;
        }
        pthread_mutex_unlock(&pool->lock);
        if (i >= pool->n || failed)
            break;
        musc_status st = render_synth(pool->ctx, &pool->jobs[i], &pool->outs[i], s, sy);
        if (st != MUSC_OK) {
            pthread_mutex_lock(&pool->lock);
            if (pool->status == MUSC_OK) {
                pool->status = st;
                snprintf(pool->message, sizeof pool->message, "%s", musc_errmsg());
            }
            pthread_mutex_unlock(&pool->lock);
        }
    }
    return NULL;
}

static int cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* Render every job (outs[i] for jobs[i]) on up to `threads` threads, this
 * one included. On error every output is cleared and the first error's
 * message is re-raised on this thread. */
static musc_status run_jobs(const render_ctx *c, const synth_job *jobs, size_t n, int threads,
                            musc_audio *outs)
{
    memset(outs, 0, n * sizeof *outs);
    /* FluidSynth shares sample data between synths through a process-wide
     * cache, but only while some synth holds it: a holder loaded first
     * makes every worker's load a cache hit instead of another read of the
     * whole SoundFont (about 1 s and 150 MB each for FluidR3_GM). */
    fluid_settings_t *hold_settings = NULL;
    fluid_synth_t *holder = NULL;
    if (n > 1) {
        musc_status st = make_synth(c, 16, &hold_settings, &holder);
        if (st != MUSC_OK)
            return st;
    }
    job_pool pool = {.ctx = c, .jobs = jobs, .outs = outs, .n = n, .status = MUSC_OK};
    pthread_mutex_init(&pool.lock, NULL);
    if ((size_t)threads > n)
        threads = (int)n;
    if (holder && threads > 1) {
        /* On several threads the holder renders the first job of its
         * channel count (saving that job's load, 0.1 s for FluidR3_GM):
         * while it plays, the other threads' synths load, and they keep
         * the cache alive for later jobs. On one thread it only holds. */
        pool.spare = holder;
        pool.spare_settings = hold_settings;
        pool.spare_channels = 16;
        holder = NULL;
        hold_settings = NULL;
    }
    pthread_t *th = threads > 1 ? calloc((size_t)threads, sizeof *th) : NULL;
    int started = 0;
    if (th)
        for (; started < threads - 1; started++)
            if (pthread_create(&th[started], NULL, job_worker, &pool) != 0)
                break;
    job_worker(&pool);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    pthread_mutex_destroy(&pool.lock);
    if (pool.spare) {
        delete_fluid_synth(pool.spare);
        delete_fluid_settings(pool.spare_settings);
    }
    if (holder) {
        delete_fluid_synth(holder);
        delete_fluid_settings(hold_settings);
    }
    if (pool.status == MUSC_OK)
        return MUSC_OK;
    for (size_t i = 0; i < n; i++)
        musc_audio_clear(&outs[i]);
    return musc_error(pool.status, "%s", pool.message);
}

/* Pad `a` with silence to `frames` (a missing buffer becomes silence).
 * A buffer from render_synth() holds `capacity` frames: padding within it
 * copies nothing. */
static musc_status pad_to(musc_audio *a, size_t frames, size_t capacity, int sample_rate)
{
    if (a->samples && a->n_frames == frames)
        return MUSC_OK;
    if (!a->samples || frames > capacity) {
        float *q = audio_alloc(frames * 2);
        if (!q)
            return musc_error(MUSC_ERR_NOMEM, "out of memory for %zu frames", frames);
        if (a->samples)
            memcpy(q, a->samples, a->n_frames * 2 * sizeof *q);
        else
            a->n_frames = 0;
        free(a->samples);
        a->samples = q;
    }
    memset(a->samples + 2 * a->n_frames, 0, (frames - a->n_frames) * 2 * sizeof *a->samples);
    a->n_frames = frames;
    a->channels = 2;
    a->sample_rate = sample_rate;
    return MUSC_OK;
}

/* *mix = the sum of parts[0..n), in index order (so the result does not
 * depend on which thread finished first), as long as the longest. */
static musc_status sum_parts(const musc_audio *parts, size_t n, int sample_rate, musc_audio *mix)
{
    size_t frames = 0;
    for (size_t i = 0; i < n; i++)
        frames = parts[i].n_frames > frames ? parts[i].n_frames : frames;
    mix->samples = audio_alloc(frames * 2);
    if (!mix->samples)
        return musc_error(MUSC_ERR_NOMEM, "out of memory for the mix");
    memset(mix->samples, 0, (frames ? frames : 1) * 2 * sizeof *mix->samples);
    mix->n_frames = frames;
    mix->channels = 2;
    mix->sample_rate = sample_rate;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < 2 * parts[i].n_frames; k++)
            mix->samples[k] += parts[i].samples[k];
    return MUSC_OK;
}

/* ---- the mix --------------------------------------------------------------- */

typedef struct synth_plan {
    size_t n_synths;
    synth_job *jobs;
    size_t *tracks; /* job k's tracks are tracks[first[k] .. first[k] + jobs[k].n) */
    int *chans;
    int *load;      /* notes per synth, to balance */
    int *drums, *melodic;
} synth_plan;

static void plan_free(synth_plan *p)
{
    free(p->jobs);
    free(p->tracks);
    free(p->chans);
    free(p->load);
    free(p->drums);
    free(p->melodic);
}

/* Share the tracks that have notes among S synths: S is at least what the
 * channel limits need and, for speed, up to `threads`. Tracks go, largest
 * first, to the least loaded synth with a free channel of their kind
 * (drums on channel 10 of each 16, melodic tracks on the others). */
static musc_status plan_synths(const render_ctx *c, int threads, synth_plan *p)
{
    memset(p, 0, sizeof *p);
    const musc_music *m = c->music;
    size_t nt = m->n_tracks, active = 0, n_drums = 0, n_melodic = 0;
    size_t *order = malloc((nt ? nt : 1) * sizeof *order);
    size_t *notes = malloc((nt ? nt : 1) * sizeof *notes);
    if (!order || !notes) {
        free(order);
        free(notes);
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < nt; i++) {
        notes[i] = track_notes_in_window(c, &m->tracks[i]);
        if (notes[i]) {
            order[active++] = i;
            if (m->tracks[i].is_drum)
                n_drums++;
            else
                n_melodic++;
        }
    }
    /* largest first (insertion sort is fine: stable, and tracks are few) */
    for (size_t i = 1; i < active; i++)
        for (size_t j = i; j > 0 && notes[order[j]] > notes[order[j - 1]]; j--) {
            size_t t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
        }
    size_t need = (n_drums + DRUM_SLOTS - 1) / DRUM_SLOTS;
    size_t need_m = (n_melodic + MELODIC_SLOTS - 1) / MELODIC_SLOTS;
    size_t S = need > need_m ? need : need_m;
    if (S < 1)
        S = 1;
    size_t want = (size_t)threads < active ? (size_t)threads : active;
    if (want > S)
        S = want;
    p->n_synths = S;
    p->jobs = calloc(S, sizeof *p->jobs);
    p->tracks = malloc((active ? active : 1) * sizeof *p->tracks);
    p->chans = malloc((active ? active : 1) * sizeof *p->chans);
    p->load = calloc(S, sizeof *p->load);
    p->drums = calloc(S, sizeof *p->drums);
    p->melodic = calloc(S, sizeof *p->melodic);
    size_t *assign = malloc((nt ? nt : 1) * sizeof *assign); /* by track: synth, or S */
    int *chan_of = malloc((nt ? nt : 1) * sizeof *chan_of);
    musc_status st = MUSC_OK;
    if (!p->jobs || !p->tracks || !p->chans || !p->load || !p->drums || !p->melodic || !assign ||
        !chan_of) {
        st = musc_error(MUSC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nt; i++)
        assign[i] = S;
    for (size_t a = 0; a < active; a++) {
        const musc_track *t = &m->tracks[order[a]];
        size_t best = S;
        for (size_t s = 0; s < S; s++) {
            int free_slot = t->is_drum ? p->drums[s] < DRUM_SLOTS : p->melodic[s] < MELODIC_SLOTS;
            if (free_slot && (best == S || p->load[s] < p->load[best]))
                best = s;
        }
        int ch;
        if (t->is_drum) {
            ch = p->drums[best]++ * 16 + 9;
        } else {
            int k = p->melodic[best]++, r = k % 15;
            ch = (k / 15) * 16 + (r >= 9 ? r + 1 : r);
        }
        p->load[best] += (int)notes[order[a]];
        assign[order[a]] = best;
        chan_of[order[a]] = ch;
    }
    /* Lay the tracks out synth by synth, in score order within each. */
    size_t at = 0;
    for (size_t s = 0; s < S; s++) {
        p->jobs[s].tracks = p->tracks + at;
        p->jobs[s].chans = p->chans + at;
        int max_chan = 0;
        for (size_t i = 0; i < nt; i++)
            if (assign[i] == s) {
                p->tracks[at] = i;
                p->chans[at++] = chan_of[i];
                p->jobs[s].n++;
                max_chan = chan_of[i] > max_chan ? chan_of[i] : max_chan;
            }
        p->jobs[s].n_channels = (max_chan / 16 + 1) * 16;
    }
done:
    free(order);
    free(notes);
    free(assign);
    free(chan_of);
    if (st != MUSC_OK)
        plan_free(p);
    return st;
}

static int thread_count(const musc_render_options *o)
{
    return o->threads > 0 ? o->threads : cpu_count();
}

/* Synths for the mix: as many as threads, except that with the automatic
 * thread count a short score stays on one synth, where loading the
 * SoundFont presets again would cost more than the split saves. */
static int mix_threads(const render_ctx *c)
{
    if (c->opt->threads > 0)
        return c->opt->threads;
    if (c->score_frames < (size_t)c->opt->sample_rate * AUTO_SPLIT_SECONDS)
        return 1;
    return cpu_count();
}

musc_status musc_render(const musc_music *music, const musc_render_options *options,
                        musc_audio *out, musc_render_info *info)
{
    memset(out, 0, sizeof *out);
    musc_render_options defaults = musc_render_options_default();
    prepared p;
    musc_status st = prepare(music, options, &defaults, &p);
    if (st != MUSC_OK) {
        prepared_free(&p);
        return st;
    }
    const render_ctx *c = &p.ctx;
    int threads = mix_threads(c);
    synth_plan plan;
    musc_audio *parts = NULL;
    if ((st = plan_synths(c, threads, &plan)) != MUSC_OK)
        goto done;
    parts = calloc(plan.n_synths, sizeof *parts);
    if (!parts) {
        st = musc_error(MUSC_ERR_NOMEM, "out of memory");
        goto done_plan;
    }
    p.progress.total = (double)c->score_frames * (double)plan.n_synths;
    if ((st = run_jobs(c, plan.jobs, plan.n_synths, threads, parts)) != MUSC_OK)
        goto done_plan;
    /* Sum into the longest part (the others in index order: the same
     * plan always gives the same bits, whichever thread finished first). */
    size_t longest = 0;
    for (size_t i = 1; i < plan.n_synths; i++)
        if (parts[i].n_frames > parts[longest].n_frames)
            longest = i;
    *out = parts[longest];
    memset(&parts[longest], 0, sizeof parts[longest]);
    for (size_t i = 0; i < plan.n_synths; i++) {
        for (size_t k = 0; k < 2 * parts[i].n_frames; k++)
            out->samples[k] += parts[i].samples[k];
        musc_audio_clear(&parts[i]);
    }
    for (size_t i = 0; i < plan.n_synths; i++)
        musc_audio_clear(&parts[i]);
    if (st == MUSC_OK)
        fill_info(&p, out->n_frames, (int)plan.n_synths, info);
done_plan:
    free(parts);
    plan_free(&plan);
done:
    if (st != MUSC_OK)
        musc_audio_clear(out);
    prepared_free(&p);
    return st;
}

/* ---- stems --------------------------------------------------------------- */

musc_status musc_render_stems(const musc_music *music, const musc_render_options *options,
                              musc_audio *stems, musc_audio *mix, musc_render_info *info)
{
    if (mix)
        memset(mix, 0, sizeof *mix);
    if (music && stems)
        memset(stems, 0, music->n_tracks * sizeof *stems);
    musc_render_options defaults = musc_render_options_default();
    prepared p;
    musc_status st = prepare(music, options, &defaults, &p);
    if (st != MUSC_OK) {
        prepared_free(&p);
        return st;
    }
    const render_ctx *c = &p.ctx;
    size_t nt = c->music->n_tracks, n_jobs = 0;
    synth_job *jobs = malloc((nt ? nt : 1) * sizeof *jobs);
    size_t *index = malloc((nt ? nt : 1) * sizeof *index);
    musc_audio *outs = calloc(nt ? nt : 1, sizeof *outs);
    static const int melodic_chan = 0, drum_chan = 9;
    if (!jobs || !index || !outs) {
        st = musc_error(MUSC_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t *load = malloc((nt ? nt : 1) * sizeof *load);
    if (!load) {
        st = musc_error(MUSC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nt; i++) {
        index[i] = i;
        size_t notes = track_notes_in_window(c, &c->music->tracks[i]);
        if (notes == 0)
            continue; /* a silent stem */
        /* largest first (stable): with fewer threads than stems, the last
         * stems to start are the short ones, so the threads finish close
         * together (POP909 001 on 2 threads: 985 notes beside 264 + 307,
         * not 264 + 985 beside 307) */
        size_t k = n_jobs++;
        for (; k > 0 && load[k - 1] < notes; k--) {
            jobs[k] = jobs[k - 1];
            load[k] = load[k - 1];
        }
        load[k] = notes;
        jobs[k].tracks = &index[i];
        jobs[k].chans = c->music->tracks[i].is_drum ? &drum_chan : &melodic_chan;
        jobs[k].n = 1;
        jobs[k].n_channels = 16;
    }
    free(load);
    p.progress.total = (double)c->score_frames * (double)n_jobs;
    if ((st = run_jobs(c, jobs, n_jobs, thread_count(c->opt), outs)) != MUSC_OK)
        goto done;
    for (size_t k = 0; k < n_jobs; k++) {
        stems[*jobs[k].tracks] = outs[k];
        memset(&outs[k], 0, sizeof outs[k]);
    }
    size_t frames = 0;
    for (size_t i = 0; i < nt; i++)
        frames = stems[i].n_frames > frames ? stems[i].n_frames : frames;
    for (size_t i = 0; i < nt && st == MUSC_OK; i++)
        st = pad_to(&stems[i], frames, c->max_frames, c->opt->sample_rate);
    if (st == MUSC_OK && mix)
        st = sum_parts(stems, nt, c->opt->sample_rate, mix);
    if (st == MUSC_OK)
        fill_info(&p, frames, (int)n_jobs, info);
done:
    if (st != MUSC_OK) {
        for (size_t i = 0; i < nt; i++)
            musc_audio_clear(&stems[i]);
        if (mix)
            musc_audio_clear(mix);
    }
    free(jobs);
    free(index);
    free(outs);
    prepared_free(&p);
    return st;
}
