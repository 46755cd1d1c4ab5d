/*
 * musc example -o OUT: write a short multitrack piece that musc composes
 * itself, so the toolkit can be tried (and `make demo` run) with no input
 * files. The piece loops I-V-vi-IV in C major and ends on I: piano chords,
 * a bass line, a melody that wanders over the scale (the --seed picks it)
 * and a drum pattern on channel 10, with a tempo, a time and a key
 * signature and a title. Same seed, same piece, on every machine: the
 * random numbers come from our own splitmix64, not rand().
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "options.h"

#define RES 480             /* ticks per quarter */
#define EIGHTH (RES / 2)
#define BAR (4 * RES)       /* 4/4 */
#define QPM 100.0 /* 600000 us per quarter: exact in a MIDI file */

static const char *const example_help =
    "usage: musc example -o OUT [--bars N] [--seed S] [--force] [--json] [--quiet]\n"
    "\n"
    "Write a short multitrack piece composed by musc: a I-V-vi-IV loop in\n"
    "C major at 100 qpm in 4/4 with piano chords, a bass line, a melody and\n"
    "drums (channel 10). The format follows OUT's extension (.mid, .json, ...).\n"
    "\n"
    "options:\n"
    "  -o, --output OUT  the file to write (required)\n"
    "  --bars N          length in bars, 1-1000 (default 8); the last bar\n"
    "                    is a final C major chord\n"
    "  --seed S          seed for the melody and drum variations, 0 or more\n"
    "                    (default 1); the same seed gives the same piece\n"
    "  -f, --force       replace OUT if it exists\n"
    "  --json            print a JSON summary of what was written\n"
    "  -q, --quiet       print nothing but errors\n"
    "  -h, --help        show this help\n"
    "\n"
    "exit status: 0 ok, 1 could not write OUT, 2 bad usage\n";

/* splitmix64: tiny, well mixed, and identical everywhere. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static int random_below(uint64_t *state, int n)
{
    return (int)(next_random(state) % (uint64_t)n);
}

/* One chord of the progression: its bass root and a close piano voicing
 * around middle C chosen for smooth voice leading. */
typedef struct chord {
    int bass_root;    /* MIDI pitch in octave 2 */
    int voicing[3];   /* piano notes */
    int tones[3];     /* pitch classes of the triad, for the melody */
} chord;

static const chord progression[4] = {
    {36, {60, 64, 67}, {0, 4, 7}},  /* I   C  */
    {43, {59, 62, 67}, {7, 11, 2}}, /* V   G  */
    {45, {60, 64, 69}, {9, 0, 4}},  /* vi  Am */
    {41, {60, 65, 69}, {5, 9, 0}},  /* IV  F  */
};

static const int c_major[7] = {0, 2, 4, 5, 7, 9, 11};

/* Melody rhythms for one bar, in eighths, each summing to 8 (0 ends). */
static const int rhythms[6][6] = {
    {2, 2, 2, 2}, {1, 1, 2, 2, 2}, {3, 1, 2, 2}, {2, 1, 1, 4}, {2, 2, 1, 1, 2}, {4, 2, 2},
};

/* Scale-step index (octaves included: step 7 = C one octave up) to pitch,
 * with step 0 = C5 (72). */
static int step_pitch(int step)
{
    int octave = step >= 0 ? step / 7 : -((-step + 6) / 7);
    return 72 + 12 * octave + c_major[step - 7 * octave];
}

/* The scale step nearest to `step` whose pitch is a tone of chord `c`. */
static int nearest_chord_step(int step, const chord *c)
{
    for (int d = 0; d < 7; d++)
        for (int sign = -1; sign <= 1; sign += 2) {
            int s = step + sign * d;
            int pc = step_pitch(s) % 12;
            if (pc == c->tones[0] || pc == c->tones[1] || pc == c->tones[2])
                return s;
        }
    return step;
}

#define TRY(expr)                                                                  \
    do {                                                                           \
        if ((expr) != MUSC_OK)                                                     \
            return MUSC_ERR_NOMEM;                                                 \
    } while (0)

static musc_status add_piano(musc_track *t, int bars)
{
    for (int b = 0; b < bars; b++) {
        int last = b == bars - 1;
        const chord *c = &progression[last ? 0 : b % 4];
        int64_t start = (int64_t)b * BAR;
        for (int half = 0; half < (last ? 1 : 2); half++)
            for (int i = 0; i < 3; i++)
                TRY(musc_track_add_note(t, start + half * 2 * RES, last ? BAR : 2 * RES,
                                        c->voicing[i], half ? 62 : 72));
    }
    return MUSC_OK;
}

static musc_status add_bass(musc_track *t, int bars)
{
    /* root (dotted quarter), root (eighth), fifth (quarter), octave (quarter) */
    static const int slot[4] = {0, 3, 4, 6}, len[4] = {3, 1, 2, 2}, up[4] = {0, 0, 7, 12};
    for (int b = 0; b < bars; b++) {
        int64_t start = (int64_t)b * BAR;
        if (b == bars - 1) {
            TRY(musc_track_add_note(t, start, BAR, progression[0].bass_root, 90));
            continue;
        }
        int root = progression[b % 4].bass_root;
        for (int i = 0; i < 4; i++)
            TRY(musc_track_add_note(t, start + slot[i] * EIGHTH, len[i] * EIGHTH, root + up[i],
                                    i == 0 ? 96 : 84));
    }
    return MUSC_OK;
}

static musc_status add_melody(musc_track *t, int bars, uint64_t *rng)
{
    int step = 2; /* E5 */
    for (int b = 0; b < bars; b++) {
        int64_t start = (int64_t)b * BAR;
        if (b == bars - 1) {
            TRY(musc_track_add_note(t, start, BAR, 72, 90));
            break;
        }
        const chord *c = &progression[b % 4];
        const int *r = rhythms[random_below(rng, 6)];
        int at = 0;
        for (int i = 0; r[i]; at += r[i], i++) {
            step += random_below(rng, 5) - 2;
            if (at % 4 == 0) /* beats 1 and 3 land on a chord tone */
                step = nearest_chord_step(step, c);
            if (step < -3) /* stay within G4..C6 */
                step += 2;
            if (step > 7)
                step -= 2;
            TRY(musc_track_add_note(t, start + at * EIGHTH, r[i] * EIGHTH,
                                    step_pitch(step), at % 4 == 0 ? 100 : 84));
        }
    }
    return MUSC_OK;
}

enum { KICK = 36, SNARE = 38, HIHAT = 42, CRASH = 49 };

static musc_status add_drums(musc_track *t, int bars, uint64_t *rng)
{
    for (int b = 0; b < bars; b++) {
        int64_t start = (int64_t)b * BAR;
        if (b == 0 || b == bars - 1)
            TRY(musc_track_add_note(t, start, EIGHTH, CRASH, 100));
        if (b == bars - 1) {
            TRY(musc_track_add_note(t, start, EIGHTH, KICK, 110));
            break;
        }
        for (int e = 0; e < 8; e++) {
            int64_t at = start + e * EIGHTH;
            if (e == 0 || e == 4 || (e == 5 && random_below(rng, 3) == 0))
                TRY(musc_track_add_note(t, at, EIGHTH, KICK, e == 0 ? 110 : 96));
            if (e == 2 || e == 6)
                TRY(musc_track_add_note(t, at, EIGHTH, SNARE, 100));
            if (!(b == 0 && e == 0))
                TRY(musc_track_add_note(t, at, EIGHTH, HIHAT, e % 2 ? 56 : 76));
        }
    }
    return MUSC_OK;
}

static musc_status compose(musc_music *m, int bars, uint64_t seed)
{
    uint64_t rng = seed;
    TRY(musc_set_string(&m->metadata.title, "musc example"));
    TRY(musc_music_add_creator(m, "musc"));
    TRY(musc_music_add_tempo(m, 0, QPM));
    TRY(musc_music_add_time_signature(m, 0, 4, 4));
    TRY(musc_music_add_key_signature(m, 0, 0, MUSC_MODE_MAJOR, 0));

    static const struct {
        const char *name;
        int program, is_drum, channel;
    } parts[4] = {{"Piano", 0, 0, 0}, {"Bass", 33, 0, 1}, {"Melody", 73, 0, 2}, {"Drums", 0, 1, 9}};
    for (int i = 0; i < 4; i++) {
        musc_track *t = musc_music_add_track(m, parts[i].program, parts[i].is_drum, parts[i].name);
        if (!t)
            return MUSC_ERR_NOMEM;
        t->channel = parts[i].channel;
    }
    TRY(add_piano(&m->tracks[0], bars));
    TRY(add_bass(&m->tracks[1], bars));
    TRY(add_melody(&m->tracks[2], bars, &rng));
    TRY(add_drums(&m->tracks[3], bars, &rng));
    musc_music_sort(m);
    return musc_music_validate(m);
}

int cmd_example(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"bars", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 's'},   {"force", no_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'j'},         {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    long bars = 8, seed = 1;
    int json = 0, quiet = 0;
    musc_write_options wopt = musc_write_options_default();
    cli_getopt_reset();
    for (int c; (c = getopt_long(argc, argv, ":o:fqh", longopts, NULL)) != -1;) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'b':
            if (cli_parse_long("example", "--bars", optarg, 1, 1000, &bars))
                return EXIT_USAGE;
            break;
        case 's':
            if (cli_parse_long("example", "--seed", optarg, 0, LONG_MAX, &seed))
                return EXIT_USAGE;
            break;
        case 'f': wopt.overwrite = 1; break;
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(example_help, stdout); return EXIT_OK;
        default: return cli_bad_option("example", argv, c);
        }
    }
    if (optind < argc)
        return cli_usage_error("example", "unexpected argument '%s' (the output goes after -o)",
                               argv[optind]);
    if (!out)
        return cli_usage_error("example", "needs -o OUT, the file to write");
    if (musc_format_from_path(out) == MUSC_FORMAT_UNKNOWN)
        return cli_usage_error("example", "cannot tell the format of '%s' from its extension "
                                          "(use .mid, .json, ...)", out);

    musc_music *m = musc_music_new(RES);
    if (!m)
        return cli_fail("example", MUSC_ERR_NOMEM);
    int st = compose(m, (int)bars, (uint64_t)seed);
    if (st == MUSC_OK)
        st = musc_write(m, out, &wopt);
    if (st) {
        musc_music_free(m);
        return cli_fail("example", st);
    }
    int rc = EXIT_OK;
    if (json) {
        json_t *o = json_pack("{s:o, s:s, s:i, s:I, s:i, s:I, s:I, s:I}", "output",
                              cli_json_string(out), "format",
                              musc_format_name(musc_format_from_path(out)), "bars", (int)bars,
                              "seed", (json_int_t)seed, "resolution", m->resolution, "n_tracks",
                              (json_int_t)m->n_tracks, "n_notes",
                              (json_int_t)musc_music_note_count(m), "end_time",
                              (json_int_t)musc_music_end_time(m));
        if (cli_print_json(o)) {
            fprintf(stderr, "musc example: cannot print the JSON summary\n");
            rc = EXIT_INPUT;
        }
    } else if (!quiet) {
        fprintf(stderr, "musc example: wrote %s (%zu tracks, %zu notes, %ld bars)\n", out,
                m->n_tracks, musc_music_note_count(m), bars);
    }
    musc_music_free(m);
    return rc;
}
