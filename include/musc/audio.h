/*
 * Audio: rendering a score through a General MIDI SoundFont (libfluidsynth),
 * audio files (libsndfile), loudness (EBU R128, libebur128) and an
 * expressive performance model.
 *
 * Rendering drives FluidSynth's C API event by event from the object model:
 * no temporary MIDI file, no subprocess. Each track gets its own MIDI
 * channel in one synth of up to 256 channels (drum tracks on channel 10 of a
 * group of 16, bank 128; melodic tracks elsewhere), so controls and bends
 * never leak between tracks; scores with more tracks than one synth holds,
 * or rendered on several threads, use several synths, summed. Times come from the tempo map.
 * After the last note the tail (release, reverb) is rendered until it falls
 * silent, up to a bound.
 *
 * System-exclusive messages (music->raw_events of type MUSC_RAW_SYSEX) are
 * played at their times on every synth, before other events at the same
 * time: a universal master volume (F0 7F dev 04 01 lsb msb F7) scales the
 * synth's gain by (msb*128 + lsb)/16383 (FluidSynth 2.3 ignores it itself);
 * everything else goes to fluid_synth_sysex(), which acts on GM system on,
 * MIDI tuning and, by its settings, GS/XG messages, and after any message
 * it handled the tracks' programs are set again (a reset would leave
 * program 0). Messages it does not know, empty ones and malformed ones (a
 * data byte >= 0x80) are skipped; F7 escape packets are not played.
 *
 * FluidSynth logs through a process-wide handler; musc installs one that
 * keeps the last warning for its own error messages instead of printing.
 *
 * Audio lives in a musc_audio: interleaved float samples, nominally in
 * [-1, 1]. Renders, stems and files use the same struct.
 */
#ifndef MUSC_AUDIO_H
#define MUSC_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "musc/music.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct musc_audio {
    float *samples;  /* n_frames * channels interleaved samples, malloc'd, owned */
    size_t n_frames;
    int channels;    /* 2 for renders */
    int sample_rate; /* frames per second */
} musc_audio;

/* Free the samples an audio holds and zero it. NULL is a no-op. */
void musc_audio_clear(musc_audio *audio);

/* ---- SoundFonts ---------------------------------------------------------- */

/* Where musc looks for a General MIDI SoundFont when none is named. */
#define MUSC_SOUNDFONT_ENV "MUSC_SOUNDFONT"
#define MUSC_SOUNDFONT_FLUIDR3 "/usr/share/sounds/sf2/FluidR3_GM.sf2"
#define MUSC_SOUNDFONT_TIMGM6MB "/usr/share/sounds/sf2/TimGM6mb.sf2"

/* Choose a SoundFont: `explicit_path` if not NULL (it must exist), else
 * $MUSC_SOUNDFONT if set and non-empty (it must exist), else FluidR3_GM.sf2
 * (Debian fluid-soundfont-gm), else TimGM6mb.sf2 (timgm6mb-soundfont). On
 * success *path is a malloc'd copy the caller frees. MUSC_ERR_NOTFOUND with
 * a message saying which were tried and how to install one; MUSC_ERR_NOMEM. */
musc_status musc_soundfont_find(const char *explicit_path, char **path);

/* Check that a file has the RIFF structure of a SoundFont 2 (SF2 or SF3):
 * the 'sfbk' header, INFO, sdta and pdta lists within the file, and the nine
 * preset-data chunks with whole records. Catches truncated and foreign
 * files before FluidSynth sees them. MUSC_ERR_IO (cannot open),
 * MUSC_ERR_FORMAT (naming the byte offset and what was expected). */
musc_status musc_soundfont_check(const char *path);

/* ---- rendering ----------------------------------------------------------- */

/* Progress callback: `done` of `total` units (frames) are rendered. Called
 * from the rendering thread(s), one call at a time. */
typedef void (*musc_progress_fn)(double done, double total, void *user);

typedef struct musc_render_options {
    const char *soundfont;  /* SF2/SF3 path; NULL = musc_soundfont_find() */
    int sample_rate;        /* frames per second, 8000..192000 (44100) */
    double gain;            /* FluidSynth's synth.gain, as `fluidsynth -g` (0.2) */
    int reverb;             /* nonzero: FluidSynth's reverb on (1) */
    int chorus;             /* nonzero: FluidSynth's chorus on (0) */
    int64_t start;          /* first tick rendered (0) */
    int64_t end;            /* tick where notes are cut, < 0 = score end (-1) */
    double max_tail;        /* seconds rendered after the last note at most (8) */
    double silence_db;      /* tail ends when 50 ms peak below this dBFS (-90) */
    int polyphony;          /* voices per synth (1024) */
    int threads;            /* synths rendered in parallel: 0 = one per core
                               (the mix of a score under 20 s uses one). The
                               output is deterministic for a given split, but
                               splits differ in the last bits (FluidSynth
                               reuses voice state), so with 0 they follow
                               the core count; set 1 for bits that match on
                               every machine */
    musc_progress_fn progress; /* NULL = none */
    void *progress_user;
} musc_render_options;

/* The defaults shown in the struct comments. */
musc_render_options musc_render_options_default(void);

/* What a render did, for reports. */
typedef struct musc_render_info {
    double score_seconds;   /* start..last note end (or `end`) by the tempo map */
    size_t score_frames;    /* score_seconds in frames */
    size_t tail_frames;     /* frames rendered after that */
    size_t n_notes;         /* notes (and chord pitches) played */
    int n_synths;           /* FluidSynth instances used */
    char soundfont[1024];   /* the SoundFont used */
} musc_render_info;

/* Render a score to interleaved stereo float audio. `options` and `info` may
 * be NULL. On success *out holds new samples the caller frees with
 * musc_audio_clear() (any previous content is overwritten, not freed).
 * Errors: MUSC_ERR_NOTFOUND (no SoundFont), MUSC_ERR_IO (SoundFont
 * unreadable), MUSC_ERR_FORMAT (SoundFont corrupt), MUSC_ERR_ARG (bad option, or nothing to play:
 * no notes in the range), MUSC_ERR_INVALID (times or pitches out of range),
 * MUSC_ERR_NOMEM, MUSC_ERR_INTERNAL (FluidSynth refused to start). */
musc_status musc_render(const musc_music *music, const musc_render_options *options,
                        musc_audio *out, musc_render_info *info);

/* Render each track alone (in parallel, options->threads) into stems[i],
 * i < music->n_tracks, all of the same length, and their sum into *mix (if
 * not NULL). `stems` is an array of n_tracks musc_audio the caller provides
 * and later clears. A track without notes gives a silent stem. Errors as
 * musc_render; on error nothing needs freeing. */
musc_status musc_render_stems(const musc_music *music, const musc_render_options *options,
                              musc_audio *stems, musc_audio *mix, musc_render_info *info);

/* ---- loudness ------------------------------------------------------------ */

typedef struct musc_loudness {
    double integrated;  /* LUFS (EBU R128 / ITU-R BS.1770); -HUGE_VAL if silent */
    double range;       /* loudness range, LU */
    double sample_peak; /* dBFS, -HUGE_VAL if silent */
    double true_peak;   /* dBTP (4x oversampled), -HUGE_VAL if silent; NAN if not measured */
} musc_loudness;

#define MUSC_LOUDNESS_TRUE_PEAK 1 /* also measure the true peak (about 3x the work) */

/* Measure loudness: integrated, range and sample peak always, the true peak
 * when `flags` has MUSC_LOUDNESS_TRUE_PEAK. MUSC_ERR_ARG (no channels, rate
 * out of range), MUSC_ERR_NOMEM. */
musc_status musc_audio_loudness(const musc_audio *audio, int flags, musc_loudness *out);

typedef struct musc_normalize_report {
    musc_loudness before, after;
    double gain_db;          /* static gain applied */
    double limiter_db;       /* deepest limiter gain reduction (<= 0) */
} musc_normalize_report;

/* Scale `audio` to `target_lufs` integrated loudness, then limit its true
 * peak to `ceiling_dbtp` (e.g. -1) with a look-ahead limiter, adjusting the
 * gain until the result reaches the target (within 0.1 LU where the ceiling
 * allows). The same gain curve is applied to each of `n_also` audios in
 * `also` (stems of the same length), so stems keep summing to the mix.
 * `report` may be NULL. Errors: MUSC_ERR_RANGE (silent audio), MUSC_ERR_ARG
 * (lengths differ, bad target), MUSC_ERR_NOMEM. */
musc_status musc_audio_normalize(musc_audio *audio, double target_lufs, double ceiling_dbtp,
                                 musc_audio *also, size_t n_also,
                                 musc_normalize_report *report);

/* ---- files --------------------------------------------------------------- */

/* Write audio to `path`, the format chosen by extension: .wav (16-bit PCM),
 * .flac (16-bit), .ogg (Vorbis), .aiff (16-bit); .f32.wav writes 32-bit
 * float WAV. Written to a temporary file beside `path` and renamed into
 * place. MUSC_ERR_EXISTS when `path` exists and !overwrite; MUSC_ERR_IO
 * (cannot create or write, message names the path and reason);
 * MUSC_ERR_UNSUPPORTED (unknown extension); MUSC_ERR_ARG (empty audio). */
musc_status musc_audio_write(const musc_audio *audio, const char *path, int overwrite);

/* Check before a long render that `path` can be written: a known extension
 * (MUSC_ERR_UNSUPPORTED), not an existing file unless `overwrite`
 * (MUSC_ERR_EXISTS), and a writable directory (MUSC_ERR_IO). */
musc_status musc_audio_check_output(const char *path, int overwrite);

/* Read an audio file (anything libsndfile reads) into float samples. *out is
 * overwritten; the caller clears it. MUSC_ERR_IO, MUSC_ERR_FORMAT,
 * MUSC_ERR_NOMEM. */
musc_status musc_audio_read(const char *path, musc_audio *out);

/* ---- expressive performance --------------------------------------------- */

/* A performance of a score: what a player adds to the notation. Every
 * component scales with `amount` times its own factor; amount 0 leaves the
 * score exactly as it is. Randomness comes from `seed` alone (each note's
 * draws hash its track, index and the seed), so a seed reproduces a
 * performance on every machine. */
typedef struct musc_perform_options {
    double amount;       /* 0 = exact score, 1 = natural, up to 2 (1) */
    uint64_t seed;       /* (1) */
    double dynamics;     /* metrical accents, phrase arcs, velocity noise (1) */
    double timing;       /* micro-timing (ms jitter) and rubato at phrase ends (1) */
    double articulation; /* legato overlap, staccato shortening (1) */
    double chord_spread; /* roll simultaneous notes, lowest first (1) */
    int phrase_bars;     /* bars per phrase for arcs and rubato (4) */
    double hairpins;     /* velocity ramps across the tracks' hairpins (1) */
} musc_perform_options;

/* The defaults shown in the struct comments. */
musc_perform_options musc_perform_options_default(void);

/* Turn `music` into a performance of itself, in place:
 *  - dynamics: velocity accents on downbeats and strong beats (weaker off
 *    the beat), an arc over each phrase (rising to its middle, softer at the
 *    cadence), and a little noise;
 *  - timing: each onset (and its note) moves by a few milliseconds, a
 *    shared amount for notes struck together; each phrase slows over its
 *    last bar (rubato), which shifts everything after it, all tracks alike;
 *  - articulation: notes that end where the next begins overlap it slightly
 *    (legato), notes much shorter than the gap to the next get shorter
 *    (staccato);
 *  - chord spread: notes struck together roll upward by a few ms;
 *  - hairpins (track->hairpins, from MusicXML wedges and ABC): the velocity ramps
 *    linearly in onset time across each hairpin, from the level at its
 *    first note (the written velocity, i.e. the dynamic in force, or the
 *    level an earlier hairpin left held there) toward the written velocity
 *    of the first note at or after its end (the next dynamic mark) when
 *    that is louder for a crescendo (softer for a diminuendo); otherwise
 *    toward one dynamic level (16) up (down), a level that then holds for
 *    the following notes of the same written velocity until the next
 *    hairpin of the track starts (so a crescendo and a diminuendo with no
 *    marks swell and come back). Scaled by amount * hairpins.
 * Drum tracks get accents and timing but no articulation or spread. The
 * resolution is raised to at least 480 ticks per quarter (times scaled
 * exactly) so millisecond offsets survive. Velocities stay 1..127, onsets
 * >= 0, and the lists end sorted. Notes only: chords (musc_chord) keep
 * their times. MUSC_ERR_ARG (bad options), MUSC_ERR_INVALID, MUSC_ERR_NOMEM
 * (the music is then unchanged). */
musc_status musc_perform(musc_music *music, const musc_perform_options *options);

#ifdef __cplusplus
}
#endif
#endif
