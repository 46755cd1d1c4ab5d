/*
 * musc render IN -o OUT: play a score through a General MIDI SoundFont into
 * an audio file (.wav .flac .ogg .aiff, by extension). Optionally one stem
 * per track beside it (the stems add up to OUT), loudness normalization to
 * a target with a true-peak ceiling, a window of beats, and an expressive
 * performance of the score before rendering. The loudness of what was
 * written is always reported.
 *
 * Every output path is checked before the render starts, so a long render
 * never ends in "file exists".
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "commands.h"
#include "musc/musc.h"

static const char *const render_help =
    "usage: musc render IN -o OUT.wav|.flac|.ogg [--soundfont SF2] [--sample-rate HZ]\n"
    "                   [--gain G] [--reverb on|off] [--chorus on|off] [--stems DIR]\n"
    "                   [--normalize [LUFS]] [--ceiling DBTP] [--start BEAT] [--end BEAT]\n"
    "                   [--tail SECONDS] [--threads N] [--perform [AMOUNT]] [--seed N]\n"
    "                   [--force] [--quiet] [--json]\n"
    "\n"
    "Render a score (any format musc reads) with FluidSynth and a General MIDI\n"
    "SoundFont. The format of OUT follows its extension: .wav (16-bit), .flac,\n"
    ".ogg (Vorbis), .aiff, or .f32.wav (32-bit float WAV).\n"
    "\n"
    "options:\n"
    "  -o, --output OUT      the audio file to write (required)\n"
    "  --soundfont SF2       SoundFont (.sf2/.sf3); default $MUSC_SOUNDFONT, else\n"
    "                        " MUSC_SOUNDFONT_FLUIDR3 ",\n"
    "                        else " MUSC_SOUNDFONT_TIMGM6MB "\n"
    "  --sample-rate HZ      frames per second (44100)\n"
    "  --gain G              FluidSynth's master gain, as fluidsynth -g (0.2)\n"
    "  --reverb on|off       FluidSynth's reverb (on)\n"
    "  --chorus on|off       FluidSynth's chorus (off)\n"
    "  --stems DIR           also write one file per track into DIR (created if\n"
    "                        missing), NN-NAME.EXT; the stems sum to OUT\n"
    "  --normalize [LUFS]    scale to this integrated loudness (EBU R128; -14 if\n"
    "                        no value), limiting true peaks to --ceiling\n"
    "  --ceiling DBTP        true-peak ceiling for --normalize (-1)\n"
    "  --start BEAT          render from this beat (quarter notes from 0)\n"
    "  --end BEAT            cut notes at this beat\n"
    "  --tail SECONDS        longest release/reverb tail after the last note (8)\n"
    "  --threads N           threads for stems (0 = one per core)\n"
    "  --perform [AMOUNT]    play an expressive performance of the score (amount\n"
    "                        0..2, 1 if no value; see musc perform)\n"
    "  --seed N              seed of the performance (1)\n"
    "  -f, --force           replace existing output files\n"
    "  -q, --quiet           print nothing but errors\n"
    "  --json                print a JSON summary on stdout\n"
    "  -h, --help            show this help\n"
    "\n"
    "Progress is shown on a terminal. exit status: 0 ok, 1 failed, 2 bad usage\n";

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("musc render: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n(musc render --help shows the options)\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

static int fail(int status)
{
    const char *m = musc_errmsg();
    fprintf(stderr, "musc render: %s\n", m && *m ? m : musc_strerror(status));
    return EXIT_INPUT;
}

static int parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_number(const char *option, const char *text, double lo, double hi, double *out)
{
    if (parse_double(text, out) || *out < lo || *out > hi) {
        usage_error("%s expects a number in %g..%g, got '%s'", option, lo, hi, text);
        return -1;
    }
    return 0;
}

static int parse_onoff(const char *option, const char *text, int *out)
{
    if (!strcmp(text, "on") || !strcmp(text, "1") || !strcmp(text, "yes"))
        *out = 1;
    else if (!strcmp(text, "off") || !strcmp(text, "0") || !strcmp(text, "no"))
        *out = 0;
    else {
        usage_error("%s expects on or off, got '%s'", option, text);
        return -1;
    }
    return 0;
}

/* An option with an optional value also takes it as the next word when that
 * word is a number ("--normalize -23"), which getopt alone would not. */
static const char *optional_value(int argc, char **argv)
{
    if (optarg)
        return optarg;
    double v;
    if (optind < argc && parse_double(argv[optind], &v) == 0)
        return argv[optind++];
    return NULL;
}

/* ---- progress on a terminal ---------------------------------------------- */

static void show_progress(double done, double total, void *user)
{
    int *last = user;
    int pct = total > 0 ? (int)(100 * done / total) : 0;
    if (pct != *last) {
        *last = pct;
        fprintf(stderr, "\rrendering %3d%%", pct);
        fflush(stderr);
    }
}

/* ---- stems --------------------------------------------------------------- */

static const char *extension_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *f32 = strstr(base, ".f32.wav");
    if (f32 && !f32[8])
        return f32;
    const char *dot = strrchr(base, '.');
    return dot ? dot : ".wav";
}

/* DIR/NN-name.EXT with the name reduced to [A-Za-z0-9_-]. */
static char *stem_path(const char *dir, size_t index, const musc_track *t, const char *ext)
{
    char name[64];
    const char *src = t->name && *t->name ? t->name : t->is_drum ? "drums" : "track";
    size_t k = 0;
    for (const char *p = src; *p && k < sizeof name - 1; p++) {
        unsigned char c = (unsigned char)*p;
        name[k++] = isalnum(c) || c == '-' || c == '_' ? (char)tolower(c) : '_';
    }
    name[k] = 0;
    size_t n = strlen(dir) + strlen(name) + strlen(ext) + 32;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/%02zu-%s%s", dir, index + 1, name, ext);
    return path;
}

/* ---- writing the outputs ------------------------------------------------- */

/* One output file: loudness first (the mix, unless normalizing measured
 * it), then the write. Files go out in parallel: each is a float-to-PCM
 * conversion and a write of tens of MB, independent of the others. */
typedef struct out_job {
    const musc_audio *audio;
    const char *path;
    int force;
    musc_loudness *loud;
    musc_status status;
    char message[512];
} out_job;

typedef struct out_pool {
    out_job *jobs;
    size_t n, next;
    pthread_mutex_t lock;
} out_pool;

static void *out_worker(void *arg)
{
    out_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->n)
            return NULL;
        out_job *j = &p->jobs[i];
        j->status = j->loud ? musc_audio_loudness(j->audio, 0, j->loud) : MUSC_OK;
        if (j->status == MUSC_OK)
            j->status = musc_audio_write(j->audio, j->path, j->force);
        if (j->status != MUSC_OK)
            snprintf(j->message, sizeof j->message, "%s", musc_errmsg());
    }
}

/* Run the jobs on up to `threads` threads (this one included); returns the
 * first failed job's status with its message raised on this thread. */
static musc_status write_outputs(out_job *jobs, size_t n, int threads)
{
    out_pool pool = {jobs, n, 0, PTHREAD_MUTEX_INITIALIZER};
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > n)
        threads = (int)n;
    pthread_t th[64];
    int started = 0;
    for (; started < threads - 1 && started < 64; started++)
        if (pthread_create(&th[started], NULL, out_worker, &pool) != 0)
            break;
    out_worker(&pool);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    for (size_t i = 0; i < n; i++)
        if (jobs[i].status != MUSC_OK)
            return musc_error(jobs[i].status, "%s", jobs[i].message);
    return MUSC_OK;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static json_t *number_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

int cmd_render(int argc, char **argv)
{
    enum {
        O_SF = 1000, O_RATE, O_GAIN, O_REVERB, O_CHORUS, O_STEMS, O_NORMALIZE, O_CEILING,
        O_START, O_END, O_TAIL, O_THREADS, O_PERFORM, O_SEED, O_JSON
    };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},     {"soundfont", required_argument, NULL, O_SF},
        {"sample-rate", required_argument, NULL, O_RATE}, {"gain", required_argument, NULL, O_GAIN},
        {"reverb", required_argument, NULL, O_REVERB}, {"chorus", required_argument, NULL, O_CHORUS},
        {"stems", required_argument, NULL, O_STEMS},  {"normalize", optional_argument, NULL, O_NORMALIZE},
        {"ceiling", required_argument, NULL, O_CEILING}, {"start", required_argument, NULL, O_START},
        {"end", required_argument, NULL, O_END},      {"tail", required_argument, NULL, O_TAIL},
        {"threads", required_argument, NULL, O_THREADS}, {"perform", optional_argument, NULL, O_PERFORM},
        {"seed", required_argument, NULL, O_SEED},    {"force", no_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},            {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0}};
    musc_render_options ro = musc_render_options_default();
    const char *out = NULL, *stems_dir = NULL;
    int force = 0, quiet = 0, json = 0, normalize = 0, perform = 0;
    double target = -14, ceiling = -1, start_beat = 0, end_beat = -1, v;
    double perform_amount = 1, seed = 1;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":o:fqh", longopts, NULL)) != -1;) {
        switch (c) {
        case 'o': out = optarg; break;
        case O_SF: ro.soundfont = optarg; break;
        case O_RATE:
            if (parse_number("--sample-rate", optarg, 8000, 192000, &v))
                return EXIT_USAGE;
            ro.sample_rate = (int)v;
            break;
        case O_GAIN:
            if (parse_number("--gain", optarg, 0, 10, &ro.gain))
                return EXIT_USAGE;
            break;
        case O_REVERB:
            if (parse_onoff("--reverb", optarg, &ro.reverb))
                return EXIT_USAGE;
            break;
        case O_CHORUS:
            if (parse_onoff("--chorus", optarg, &ro.chorus))
                return EXIT_USAGE;
            break;
        case O_STEMS: stems_dir = optarg; break;
        case O_NORMALIZE: {
            normalize = 1;
            const char *t = optional_value(argc, argv);
            if (t && parse_number("--normalize", t, -70, 0, &target))
                return EXIT_USAGE;
            break;
        }
        case O_CEILING:
            if (parse_number("--ceiling", optarg, -20, 0, &ceiling))
                return EXIT_USAGE;
            break;
        case O_START:
            if (parse_number("--start", optarg, 0, 1e9, &start_beat))
                return EXIT_USAGE;
            break;
        case O_END:
            if (parse_number("--end", optarg, 0, 1e9, &end_beat))
                return EXIT_USAGE;
            break;
        case O_TAIL:
            if (parse_number("--tail", optarg, 0, 600, &ro.max_tail))
                return EXIT_USAGE;
            break;
        case O_THREADS:
            if (parse_number("--threads", optarg, 0, 256, &v))
                return EXIT_USAGE;
            ro.threads = (int)v;
            break;
        case O_PERFORM: {
            perform = 1;
            const char *t = optional_value(argc, argv);
            if (t && parse_number("--perform", t, 0, 2, &perform_amount))
                return EXIT_USAGE;
            break;
        }
        case O_SEED:
            if (parse_number("--seed", optarg, 0, 4294967295.0, &seed))
                return EXIT_USAGE;
            break;
        case 'f': force = 1; break;
        case 'q': quiet = 1; break;
        case O_JSON: json = 1; break;
        case 'h': fputs(render_help, stdout); return EXIT_OK;
        case ':': return usage_error("%s needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return usage_error("expects one input file, got %d", argc - optind);
    if (!out)
        return usage_error("needs -o OUT (a .wav, .flac or .ogg file)");
    if (end_beat >= 0 && end_beat <= start_beat)
        return usage_error("--end %g is not after --start %g", end_beat, start_beat);
    const char *in = argv[optind];

    /* Every output checked before any work. */
    musc_status st = musc_audio_check_output(out, force);
    if (st != MUSC_OK)
        return fail(st);
    musc_music *music = NULL;
    if ((st = musc_read(in, NULL, &music, NULL)) != MUSC_OK)
        return fail(st);
    int rc = EXIT_INPUT;
    size_t nt = music->n_tracks;
    char **stem_paths = NULL;
    musc_audio *stems = NULL;
    musc_audio mix = {0};
    json_t *stems_json = json_array();
    if (stems_dir) {
        if (mkdir(stems_dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "musc render: cannot create '%s': %s\n", stems_dir, strerror(errno));
            goto done;
        }
        stem_paths = calloc(nt ? nt : 1, sizeof *stem_paths);
        stems = calloc(nt ? nt : 1, sizeof *stems);
        if (!stem_paths || !stems) {
            fprintf(stderr, "musc render: out of memory\n");
            goto done;
        }
        for (size_t i = 0; i < nt; i++) {
            stem_paths[i] = stem_path(stems_dir, i, &music->tracks[i], extension_of(out));
            if (!stem_paths[i]) {
                fprintf(stderr, "musc render: out of memory\n");
                goto done;
            }
            if ((st = musc_audio_check_output(stem_paths[i], force)) != MUSC_OK) {
                fail(st);
                goto done;
            }
        }
    }
    if (perform) {
        musc_perform_options po = musc_perform_options_default();
        po.amount = perform_amount;
        po.seed = (uint64_t)seed;
        if ((st = musc_perform(music, &po)) != MUSC_OK) {
            fail(st);
            goto done;
        }
    }
    ro.start = llround(start_beat * music->resolution);
    ro.end = end_beat >= 0 ? llround(end_beat * music->resolution) : -1;
    int last_pct = -1;
    int show = !quiet && !json && isatty(STDERR_FILENO);
    if (show) {
        ro.progress = show_progress;
        ro.progress_user = &last_pct;
    }
    musc_render_info info;
    double t0 = now_seconds();
    st = stems ? musc_render_stems(music, &ro, stems, &mix, &info)
               : musc_render(music, &ro, &mix, &info);
    double render_seconds = now_seconds() - t0;
    if (show)
        fputs("\r              \r", stderr);
    if (st != MUSC_OK) {
        fail(st);
        goto done;
    }
    musc_normalize_report nr;
    musc_loudness loud;
    if (normalize) {
        if ((st = musc_audio_normalize(&mix, target, ceiling, stems, stems ? nt : 0, &nr)) != MUSC_OK) {
            fail(st);
            goto done;
        }
        loud = nr.after;
    }
    {
        size_t n_out = 1 + (stems ? nt : 0);
        out_job *jobs = calloc(n_out, sizeof *jobs);
        if (!jobs) {
            fprintf(stderr, "musc render: out of memory\n");
            goto done;
        }
        jobs[0] = (out_job){&mix, out, force, normalize ? NULL : &loud, MUSC_OK, ""};
        for (size_t i = 0; stems && i < nt; i++)
            jobs[1 + i] = (out_job){&stems[i], stem_paths[i], force, NULL, MUSC_OK, ""};
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        st = write_outputs(jobs, n_out, ro.threads > 0 ? ro.threads : cores > 0 ? (int)cores : 1);
        free(jobs);
        if (st != MUSC_OK) {
            fail(st);
            goto done;
        }
    }
    for (size_t i = 0; stems && i < nt; i++)
        json_array_append_new(stems_json, json_string(stem_paths[i]));
    double seconds = (double)mix.n_frames / mix.sample_rate;
    double speed = render_seconds > 0 ? seconds / render_seconds : 0;
    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:f, s:I, s:f, s:f, s:I, s:I, s:f, s:f}",
                              "input", in, "output", out, "soundfont", info.soundfont,
                              "sample_rate", mix.sample_rate, "seconds", seconds,
                              "frames", (json_int_t)mix.n_frames,
                              "score_seconds", info.score_seconds,
                              "tail_seconds", (double)info.tail_frames / mix.sample_rate,
                              "tracks", (json_int_t)nt, "notes", (json_int_t)info.n_notes,
                              "render_seconds", render_seconds, "realtime_factor", speed);
        json_t *l = json_object();
        json_object_set_new(l, "integrated_lufs", number_or_null(loud.integrated));
        json_object_set_new(l, "sample_peak_dbfs", number_or_null(loud.sample_peak));
        json_object_set_new(l, "true_peak_dbtp", number_or_null(loud.true_peak));
        json_object_set_new(l, "range_lu", number_or_null(loud.range));
        json_object_set_new(o, "loudness", l);
        if (normalize) {
            json_t *n = json_object();
            json_object_set_new(n, "target_lufs", json_real(target));
            json_object_set_new(n, "ceiling_dbtp", json_real(ceiling));
            json_object_set_new(n, "before_lufs", number_or_null(nr.before.integrated));
            json_object_set_new(n, "gain_db", json_real(nr.gain_db));
            json_object_set_new(n, "limiter_db", json_real(nr.limiter_db));
            json_object_set_new(o, "normalized", n);
        } else {
            json_object_set_new(o, "normalized", json_null());
        }
        json_object_set(o, "stems", stems_json);
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        if (text)
            puts(text);
        free(text);
        json_decref(o);
    } else if (!quiet) {
        printf("wrote %s: %.2f s at %d Hz, %zu notes, %.1f LUFS, peak %.1f dB%s", out, seconds,
               mix.sample_rate, info.n_notes, loud.integrated,
               normalize ? loud.true_peak : loud.sample_peak, normalize ? "TP" : "FS");
        if (normalize)
            printf(" (normalized from %.1f LUFS)", nr.before.integrated);
        printf("; rendered in %.2f s (%.0fx real time)\n", render_seconds, speed);
        if (stems)
            printf("wrote %zu stems in %s\n", nt, stems_dir);
    }
    rc = EXIT_OK;
done:
    for (size_t i = 0; stems && i < nt; i++)
        musc_audio_clear(&stems[i]);
    for (size_t i = 0; stem_paths && i < nt; i++)
        free(stem_paths[i]);
    free(stems);
    free(stem_paths);
    json_decref(stems_json);
    musc_audio_clear(&mix);
    musc_music_free(music);
    return rc;
}
