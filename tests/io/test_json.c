/*
 * MusPy JSON: round trips through text and gzip, reading what MusPy writes,
 * writing what MusPy reads (checked field by field with jansson), and every
 * kind of bad input failing with a message that says where.
 */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/json_gzip.h"
#include "musc/musc.h"

/* ---- helpers ----------------------------------------------------------- */

/* A music that uses every field the model has, extras included, with text
 * that needs escaping and non-ASCII text. */
static musc_music *full_music(void)
{
    musc_music *m = musc_music_new(480);
    assert_non_null(m);
    assert_int_equal(musc_set_string(&m->metadata.title, "Sérénade \"No. 1\"\n\ttab\x01"), 0);
    assert_int_equal(musc_music_add_creator(m, "Ann"), 0);
    assert_int_equal(musc_music_add_creator(m, "李 Bo"), 0);
    assert_int_equal(musc_set_string(&m->metadata.copyright, "(c) 2026 \\ musc"), 0);
    assert_int_equal(musc_set_string(&m->metadata.collection, "tests"), 0);
    assert_int_equal(musc_set_string(&m->metadata.source_filename, "full.mid"), 0);
    assert_int_equal(musc_set_string(&m->metadata.source_format, "midi"), 0);
    assert_int_equal(musc_music_add_tempo(m, 0, 120.0), 0);
    assert_int_equal(musc_music_add_tempo(m, 960, 133.33333333333334), 0);
    assert_int_equal(musc_music_add_tempo(m, 1920, 0.1), 0);
    assert_int_equal(musc_music_add_key_signature(m, 0, -3, MUSC_MODE_MINOR, 0), 0);
    assert_int_equal(musc_music_add_key_signature(m, 480, 2, MUSC_MODE_MAJOR, 2), 0);
    assert_int_equal(musc_music_add_key_signature(m, 960, 1, MUSC_MODE_NONE, -1), 0);
    assert_int_equal(musc_music_add_key_signature(m, 1000, -7, MUSC_MODE_MAJOR, 11), 0);
    assert_int_equal(musc_music_add_time_signature(m, 0, 6, 8), 0);
    assert_int_equal(musc_music_add_time_signature(m, 1440, 255, 1 << 30), 0);
    assert_int_equal(musc_music_add_lyric(m, 10, "la"), 0);
    assert_int_equal(musc_music_add_lyric(m, 20, ""), 0);
    assert_int_equal(musc_music_add_annotation(m, 0, MUSC_ANN_TEXT, "text"), 0);
    assert_int_equal(musc_music_add_annotation(m, 1, MUSC_ANN_MARKER, "Verse"), 0);
    assert_int_equal(musc_music_add_annotation(m, 2, MUSC_ANN_CUE, "Go"), 0);
    assert_int_equal(musc_music_add_annotation(m, 3, MUSC_ANN_CHORD, "Am7"), 0);
    assert_int_equal(musc_music_add_annotation(m, 4, MUSC_ANN_OTHER, "plain other"), 0);
    assert_int_equal(musc_music_add_annotation(m, 5, MUSC_ANN_OTHER, "{\"key\":\"C\",\"n\":[1,2.5]}"), 0);
    assert_int_equal(musc_music_add_annotation(m, 6, MUSC_ANN_OTHER, "{ \"not\": \"canonical\" }"), 0);
    assert_int_equal(musc_music_add_annotation(m, 7, MUSC_ANN_OTHER, "42"), 0);
    assert_int_equal(musc_music_add_annotation(m, 8, MUSC_ANN_TEXT, "{\"as\":\"text\"}"), 0);
    const uint8_t sysex[] = {0x7e, 0x7f, 0x09, 0x01, 0xf7};
    const uint8_t seq[] = {0x00, 0x01};
    assert_int_equal(musc_music_add_raw_event(m, 0, MUSC_RAW_SYSEX, sysex, sizeof sysex, 1), 0);
    assert_int_equal(musc_music_add_raw_event(m, 5, 0x00, seq, sizeof seq, 0), 0);
    assert_int_equal(musc_music_add_raw_event(m, 6, 0x7f, NULL, 0, 2), 0);

    musc_track *t = musc_music_add_track(m, 40, 0, "Violin");
    assert_non_null(t);
    t->channel = 3;
    assert_int_equal(musc_set_string(&t->instrument_name, "Solo violin"), 0);
    assert_int_equal(musc_track_add_note(t, 0, 480, 60, 100), 0);
    assert_int_equal(musc_track_add_note(t, 480, 0, 0, 0), 0);
    assert_int_equal(musc_track_add_note(t, 4000000000000LL, 1, 127, 127), 0);
    const int16_t triad[] = {60, 64, 67};
    assert_int_equal(musc_track_add_chord(t, 960, 480, triad, 3, 80), 0);
    assert_int_equal(musc_track_add_chord(t, 1440, 10, NULL, 0, 64), 0);
    assert_int_equal(musc_track_add_lyric(t, 0, "Ah"), 0);
    assert_int_equal(musc_track_add_lyric(t, 0, "Oh"), 0);
    t->lyrics[t->n_lyrics - 1].verse = 1; /* a second verse round-trips */
    assert_int_equal(musc_track_add_annotation(t, 0, MUSC_ANN_MARKER, "Intro"), 0);
    assert_int_equal(musc_track_add_control(t, 0, 64, 127), 0);
    assert_int_equal(musc_track_add_control(t, 240, 7, 0), 0);
    assert_int_equal(musc_track_add_pitch_bend(t, 10, -8192), 0);
    assert_int_equal(musc_track_add_pitch_bend(t, 20, 8191), 0);
    assert_int_equal(musc_track_add_pressure(t, 30, -1, 50), 0);
    assert_int_equal(musc_track_add_pressure(t, 40, 61, 0), 0);

    t = musc_music_add_track(m, 0, 1, NULL); /* drums, no name, channel chosen on write */
    assert_non_null(t);
    assert_int_equal(musc_track_add_note(t, 0, 12, 36, 90), 0);
    t = musc_music_add_track(m, 127, 0, ""); /* empty track with an empty name */
    assert_non_null(t);
    t->channel = 15;
    return m;
}

static void assert_same(const musc_music *a, const musc_music *b)
{
    char diff[512];
    if (!musc_music_diff(a, b, diff, sizeof diff))
        fail_msg("models differ: %s", diff);
    /* fields musc_music_diff does not look at */
    assert_string_equal(a->metadata.schema_version, b->metadata.schema_version);
    assert_string_equal(a->metadata.source_filename ? a->metadata.source_filename : "-",
                        b->metadata.source_filename ? b->metadata.source_filename : "-");
    assert_string_equal(a->metadata.source_format ? a->metadata.source_format : "-",
                        b->metadata.source_format ? b->metadata.source_format : "-");
    for (size_t i = 0; i < a->n_tracks; i++)
        assert_int_equal(a->tracks[i].channel, b->tracks[i].channel);
    for (size_t i = 0; i < a->n_raw_events; i++)
        assert_int_equal(a->raw_events[i].track, b->raw_events[i].track);
}

static musc_music *read_str(const char *json)
{
    musc_music *m = NULL;
    musc_status rc = musc_json_read_mem((const uint8_t *)json, strlen(json), NULL, &m, NULL);
    if (rc)
        fail_msg("read failed (%d): %s", rc, musc_errmsg());
    return m;
}

/* Expect reading `json` to fail with `code` and a message containing each
 * of the NULL-terminated fragments. */
static void expect_error(const char *json, size_t size, int strict, musc_status code, ...)
{
    musc_read_options o = musc_read_options_default();
    o.strict = strict;
    musc_music *m = (musc_music *)1;
    musc_status rc = musc_json_read_mem((const uint8_t *)json, size, &o, &m, NULL);
    if (rc != code)
        fail_msg("expected status %d, got %d (%s) for: %.200s", code, rc, musc_errmsg(), json);
    assert_null(m);
    va_list ap;
    va_start(ap, code);
    const char *frag;
    while ((frag = va_arg(ap, const char *)))
        if (!strstr(musc_errmsg(), frag))
            fail_msg("message \"%s\" lacks \"%s\"", musc_errmsg(), frag);
    va_end(ap);
}

#define EXPECT_ERROR(json, ...) expect_error((json), strlen(json), 0, MUSC_ERR_FORMAT, __VA_ARGS__, (const char *)NULL)

static uint8_t *gzip_bytes(const void *data, size_t size, size_t *out_size)
{
    uint8_t *gz;
    assert_int_equal(musc_gzip_compress(data, size, &gz, out_size), 0);
    return gz;
}

/* ---- round trips ------------------------------------------------------- */

static void round_trip_keeps_every_field(void **state)
{
    (void)state;
    musc_music *m = full_music();
    for (int flags = 0; flags <= MUSC_JSON_INDENT; flags += MUSC_JSON_INDENT) {
        uint8_t *text;
        size_t size;
        assert_int_equal(musc_json_write_mem_flags(m, flags, &text, &size), 0);
        assert_int_equal(strlen((char *)text), size);
        test_save_seed("json", flags ? "full_indent.json" : "full.json", text, size);
        musc_music *back = NULL;
        if (musc_json_read_mem(text, size, NULL, &back, NULL))
            fail_msg("%s\n%s", musc_errmsg(), text);
        assert_same(m, back);
        /* writing what was read gives the same bytes: the output is stable */
        uint8_t *again;
        size_t again_size;
        assert_int_equal(musc_json_write_mem_flags(back, flags, &again, &again_size), 0);
        assert_int_equal(again_size, size);
        assert_memory_equal(again, text, size);
        free(again);
        musc_music_free(back);
        free(text);
    }
    musc_music_free(m);
}

static void indent_flag_puts_each_note_on_its_own_line(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, "P");
    musc_track_add_note(t, 0, 24, 60, 64);
    musc_track_add_note(t, 24, 24, 62, 64);
    uint8_t *text;
    size_t size;
    assert_int_equal(musc_json_write_mem_flags(m, MUSC_JSON_INDENT, &text, &size), 0);
    assert_non_null(strstr((char *)text,
                           "\n        {\"time\": 0, \"pitch\": 60, \"duration\": 24, \"velocity\": 64},\n"
                           "        {\"time\": 24, \"pitch\": 62, \"duration\": 24, \"velocity\": 64}\n"));
    assert_int_equal(text[size - 1], '\n');
    free(text);
    assert_int_equal(musc_json_write_mem(m, &text, &size), 0);
    assert_null(memchr(text, '\n', size));
    assert_null(memchr(text, ' ', size));
    free(text);
    musc_music_free(m);
}

static void gzip_round_trip_and_detection(void **state)
{
    (void)state;
    musc_music *m = full_music();
    char *gz_path = test_tmp_path("json_rt.json.gz");
    char *plain_path = test_tmp_path("json_rt_forced.json");
    char *nogz_path = test_tmp_path("json_rt_plain.json.gz");
    unlink(gz_path);
    unlink(plain_path);
    unlink(nogz_path);

    /* default options: compression chosen by the .gz extension */
    assert_int_equal(musc_json_write(m, gz_path, NULL), 0);
    size_t size;
    char *raw = test_read_file(gz_path, &size);
    assert_non_null(raw);
    assert_true(size > 2 && (uint8_t)raw[0] == 0x1f && (uint8_t)raw[1] == 0x8b);
    test_save_seed("json", "full.json.gz", raw, size);
    free(raw);
    musc_music *back = NULL;
    assert_int_equal(musc_json_read(gz_path, NULL, &back, NULL), 0);
    assert_same(m, back);
    musc_music_free(back);

    /* compress = 1 on a .json name: still detected by content */
    musc_write_options o = musc_write_options_default();
    o.compress = 1;
    assert_int_equal(musc_json_write(m, plain_path, &o), 0);
    raw = test_read_file(plain_path, &size);
    assert_true((uint8_t)raw[0] == 0x1f);
    free(raw);
    assert_int_equal(musc_read(plain_path, NULL, &back, NULL), 0);
    assert_same(m, back);
    musc_music_free(back);

    /* compress = 0 on a .gz name: plain text, which reads back too */
    o.compress = 0;
    assert_int_equal(musc_write(m, nogz_path, &o), 0);
    raw = test_read_file(nogz_path, &size);
    assert_int_equal(raw[0], '{');
    free(raw);
    assert_int_equal(musc_read(nogz_path, NULL, &back, NULL), 0);
    assert_same(m, back);
    musc_music_free(back);

    /* concatenated gzip members, as `cat a.gz b.gz` makes, are one text */
    const char *part1 = "{\"resolution\": 1", *part2 = "2}";
    size_t n1, n2;
    uint8_t *g1 = gzip_bytes(part1, strlen(part1), &n1), *g2 = gzip_bytes(part2, strlen(part2), &n2);
    uint8_t *both = malloc(n1 + n2 + 4);
    memcpy(both, g1, n1);
    memcpy(both + n1, g2, n2);
    memset(both + n1 + n2, 0, 4); /* zero padding after the last member is ignored */
    assert_int_equal(musc_json_read_mem(both, n1 + n2 + 4, NULL, &back, NULL), 0);
    assert_int_equal(back->resolution, 12);
    musc_music_free(back);
    free(both);
    free(g1);
    free(g2);

    unlink(gz_path);
    unlink(plain_path);
    unlink(nogz_path);
    free(gz_path);
    free(plain_path);
    free(nogz_path);
    musc_music_free(m);
}

/* ---- MusPy compatibility ------------------------------------------------ */

/* As MusPy's save_json writes it (json.dump: ", " and ": " separators, None
 * fields skipped), plus what other MusPy versions and readers put there. */
static const char MUSPY_JSON[] =
    "{\"metadata\": {\"schema_version\": \"0.2\", \"title\": \"Scarborough Fair\", "
    "\"creators\": [\"Trad.\"], \"source_filename\": \"fair.mid\", \"source_format\": \"midi\"}, "
    "\"resolution\": 480, "
    "\"tempos\": [{\"time\": 0, \"qpm\": 100.0}, {\"time\": 960, \"qpm\": 90}], "
    "\"key_signatures\": [{\"time\": 0, \"root\": 2, \"mode\": \"minor\", \"fifths\": -1, \"root_str\": \"D\"}, "
    "{\"time\": 480, \"root_str\": \"F#\", \"mode\": \"Major\"}, "
    "{\"time\": 960, \"root\": 9, \"mode\": \"minor\"}, "
    "{\"time\": 1000, \"fifths\": 3}], "
    "\"time_signatures\": [{\"time\": 0, \"numerator\": 3, \"denominator\": 4}], "
    "\"barlines\": [{\"time\": 0}, {\"time\": 1440}], \"beats\": [{\"time\": 0}], "
    "\"lyrics\": [{\"time\": 0, \"lyric\": \"Are\"}], "
    "\"annotations\": [{\"time\": 0, \"annotation\": \"Fine\", \"group\": \"marker\"}, "
    "{\"time\": 10, \"annotation\": {\"key\": \"d\", \"figure\": \"i\"}}, "
    "{\"time\": 20, \"annotation\": \"cc\", \"group\": \"control_change\"}, "
    "{\"time\": 30, \"annotation\": \"note\", \"group\": null}], "
    "\"tracks\": [{\"program\": 73, \"is_drum\": false, \"name\": \"Flute\", "
    "\"notes\": [{\"time\": 0, \"pitch\": 62, \"duration\": 480, \"velocity\": 80, \"pitch_str\": \"D4\"}, "
    "{\"time\": 480, \"pitch\": 62, \"duration\": 240.0}], "
    "\"chords\": [{\"time\": 0, \"pitches\": [50, 57], \"duration\": 960, \"pitches_str\": [\"D3\", \"A3\"]}], "
    "\"lyrics\": [{\"time\": 0, \"lyric\": \"fair\"}], "
    "\"annotations\": [{\"time\": 5, \"annotation\": \"Am\", \"group\": \"chord\"}]}, "
    "{\"program\": 0, \"is_drum\": true}, {}]}";

static void reads_muspy_json(void **state)
{
    (void)state;
    test_save_seed("json", "muspy.json", MUSPY_JSON, sizeof MUSPY_JSON - 1);
    musc_music *m = read_str(MUSPY_JSON);
    assert_string_equal(m->metadata.schema_version, "0.2");
    assert_string_equal(m->metadata.title, "Scarborough Fair");
    assert_int_equal(m->metadata.n_creators, 1);
    assert_string_equal(m->metadata.creators[0], "Trad.");
    assert_null(m->metadata.copyright);
    assert_string_equal(m->metadata.source_format, "midi");
    assert_int_equal(m->resolution, 480);
    assert_int_equal(m->n_tempos, 2);
    assert_true(m->tempos[0].qpm == 100.0 && m->tempos[1].qpm == 90.0);
    assert_int_equal(m->tempos[1].time, 960);

    assert_int_equal(m->n_key_signatures, 4);
    const musc_key_signature *k = m->key_signatures;
    assert_int_equal(k[0].root, 2);
    assert_int_equal(k[0].mode, MUSC_MODE_MINOR);
    assert_int_equal(k[0].fifths, -1);
    assert_int_equal(k[1].root, 6); /* from root_str */
    assert_int_equal(k[1].mode, MUSC_MODE_MAJOR);
    assert_int_equal(k[1].fifths, 6); /* derived */
    assert_int_equal(k[2].fifths, 0); /* A minor */
    assert_int_equal(k[3].root, -1);
    assert_int_equal(k[3].mode, MUSC_MODE_NONE);
    assert_int_equal(k[3].fifths, 3);

    assert_int_equal(m->n_time_signatures, 1);
    assert_int_equal(m->time_signatures[0].numerator, 3);
    assert_int_equal(m->n_lyrics, 1);
    assert_string_equal(m->lyrics[0].text, "Are");
    assert_int_equal(m->n_annotations, 4);
    assert_int_equal(m->annotations[0].kind, MUSC_ANN_MARKER);
    assert_string_equal(m->annotations[0].text, "Fine");
    assert_int_equal(m->annotations[1].kind, MUSC_ANN_OTHER);
    assert_string_equal(m->annotations[1].text, "{\"key\":\"d\",\"figure\":\"i\"}");
    assert_int_equal(m->annotations[2].kind, MUSC_ANN_OTHER);
    assert_string_equal(m->annotations[2].text, "cc");
    assert_int_equal(m->annotations[3].kind, MUSC_ANN_OTHER);

    assert_int_equal(m->n_tracks, 3);
    const musc_track *t = &m->tracks[0];
    assert_int_equal(t->program, 73);
    assert_false(t->is_drum);
    assert_string_equal(t->name, "Flute");
    assert_int_equal(t->channel, -1);
    assert_int_equal(t->n_notes, 2);
    assert_int_equal(t->notes[0].velocity, 80);
    assert_int_equal(t->notes[1].velocity, MUSC_DEFAULT_VELOCITY);
    assert_int_equal(t->notes[1].duration, 240);
    assert_int_equal(t->n_chords, 1);
    assert_int_equal(t->chords[0].n_pitches, 2);
    assert_int_equal(t->chords[0].pitches[1], 57);
    assert_int_equal(t->chords[0].velocity, MUSC_DEFAULT_VELOCITY);
    assert_int_equal(t->n_lyrics, 1);
    assert_int_equal(t->annotations[0].kind, MUSC_ANN_CHORD);
    assert_true(m->tracks[1].is_drum);
    assert_null(m->tracks[1].name);
    assert_int_equal(m->tracks[2].program, 0); /* MusPy's defaults */
    assert_false(m->tracks[2].is_drum);

    /* the dict annotation goes back out as a dict, not a string */
    uint8_t *text;
    size_t size;
    assert_int_equal(musc_json_write_mem(m, &text, &size), 0);
    assert_non_null(strstr((char *)text, "\"annotation\":{\"key\":\"d\",\"figure\":\"i\"}"));
    free(text);
    musc_music_free(m);
}

static void empty_object_gives_muspy_defaults(void **state)
{
    (void)state;
    musc_music *m = read_str(" {} ");
    assert_int_equal(m->resolution, MUSC_DEFAULT_RESOLUTION);
    assert_string_equal(m->metadata.schema_version, "0.2");
    assert_int_equal(m->n_tracks, 0);
    assert_int_equal(m->n_tempos, 0);
    musc_music_free(m);
    m = read_str("{\"metadata\": {\"title\": null}, \"resolution\": null, \"tracks\": null}");
    assert_int_equal(m->resolution, MUSC_DEFAULT_RESOLUTION);
    assert_null(m->metadata.title);
    musc_music_free(m);
}

static json_t *get_path(json_t *root, const char *a, size_t i, const char *b)
{
    json_t *v = json_object_get(root, a);
    if (b) {
        v = json_array_get(v, i);
        v = json_object_get(v, b);
    }
    return v;
}

static void writes_muspy_field_names_and_types(void **state)
{
    (void)state;
    musc_music *m = full_music();
    uint8_t *text;
    size_t size;
    assert_int_equal(musc_json_write_mem(m, &text, &size), 0);
    json_error_t err;
    json_t *root = json_loadb((char *)text, size, 0, &err);
    assert_non_null(root);

    json_t *md = json_object_get(root, "metadata");
    assert_string_equal(json_string_value(json_object_get(md, "schema_version")), "0.2");
    assert_true(json_is_array(json_object_get(md, "creators")));
    assert_true(json_is_string(json_object_get(md, "source_format")));
    assert_int_equal(json_integer_value(json_object_get(root, "resolution")), 480);
    /* qpm is a float even when integral; time an integer */
    json_t *tempo = json_array_get(json_object_get(root, "tempos"), 0);
    assert_true(json_is_real(json_object_get(tempo, "qpm")));
    assert_true(json_is_integer(json_object_get(tempo, "time")));
    assert_non_null(strstr((char *)text, "{\"time\":0,\"qpm\":120.0}"));
    assert_non_null(strstr((char *)text, "\"qpm\":133.33333333333334}"));
    assert_non_null(strstr((char *)text, "\"qpm\":0.1}"));

    json_t *key = json_array_get(json_object_get(root, "key_signatures"), 0);
    assert_int_equal(json_integer_value(json_object_get(key, "root")), 0);
    assert_string_equal(json_string_value(json_object_get(key, "mode")), "minor");
    assert_int_equal(json_integer_value(json_object_get(key, "fifths")), -3);
    assert_string_equal(json_string_value(json_object_get(key, "root_str")), "C");
    key = json_array_get(json_object_get(root, "key_signatures"), 2);
    assert_null(json_object_get(key, "mode")); /* none: skipped like MusPy's None */
    assert_null(json_object_get(key, "root"));
    key = json_array_get(json_object_get(root, "key_signatures"), 3);
    assert_string_equal(json_string_value(json_object_get(key, "root_str")), "Cb");

    json_t *ts = json_array_get(json_object_get(root, "time_signatures"), 0);
    assert_int_equal(json_integer_value(json_object_get(ts, "numerator")), 6);
    assert_int_equal(json_integer_value(json_object_get(ts, "denominator")), 8);
    assert_string_equal(json_string_value(get_path(root, "lyrics", 0, "lyric")), "la");
    assert_string_equal(json_string_value(get_path(root, "annotations", 1, "group")), "marker");
    assert_string_equal(json_string_value(get_path(root, "annotations", 3, "group")), "chord");
    assert_null(get_path(root, "annotations", 4, "group"));
    assert_true(json_is_object(get_path(root, "annotations", 5, "annotation")));
    assert_true(json_is_string(get_path(root, "annotations", 6, "annotation")));
    assert_true(json_is_integer(get_path(root, "annotations", 7, "annotation")));
    assert_true(json_is_string(get_path(root, "annotations", 8, "annotation")));

    json_t *tracks = json_object_get(root, "tracks");
    assert_int_equal(json_array_size(tracks), 3);
    json_t *t0 = json_array_get(tracks, 0), *t1 = json_array_get(tracks, 1);
    assert_int_equal(json_integer_value(json_object_get(t0, "program")), 40);
    assert_true(json_is_false(json_object_get(t0, "is_drum")));
    assert_true(json_is_true(json_object_get(t1, "is_drum")));
    assert_string_equal(json_string_value(json_object_get(t0, "name")), "Violin");
    assert_null(json_object_get(t1, "name"));
    json_t *note = json_array_get(json_object_get(t0, "notes"), 0);
    assert_int_equal(json_object_size(note), 4);
    assert_int_equal(json_integer_value(json_object_get(note, "time")), 0);
    assert_int_equal(json_integer_value(json_object_get(note, "pitch")), 60);
    assert_int_equal(json_integer_value(json_object_get(note, "duration")), 480);
    assert_int_equal(json_integer_value(json_object_get(note, "velocity")), 100);
    json_t *chord = json_array_get(json_object_get(t0, "chords"), 0);
    assert_int_equal(json_array_size(json_object_get(chord, "pitches")), 3);
    assert_int_equal(json_integer_value(json_object_get(chord, "velocity")), 80);
    assert_int_equal(json_integer_value(json_object_get(t0, "musc_channel")), 3);
    assert_null(json_object_get(t1, "musc_channel"));
    assert_int_equal(json_array_size(json_object_get(t0, "musc_controls")), 2);
    json_t *pressure = json_array_get(json_object_get(t0, "musc_pressures"), 0);
    assert_null(json_object_get(pressure, "pitch")); /* channel pressure */
    assert_string_equal(json_string_value(get_path(root, "musc_raw_events", 0, "data")),
                        "7e7f0901f7");
    assert_int_equal(json_integer_value(get_path(root, "musc_raw_events", 0, "type")), 0xF0);
    /* empty lists are left out, as MusPy does */
    assert_null(json_object_get(json_array_get(tracks, 2), "notes"));
    assert_null(json_object_get(json_array_get(tracks, 1), "musc_controls"));

    /* keys in MusPy's attribute order, musc extras last */
    const char *order[] = {"\"metadata\"", "\"resolution\"", "\"tempos\"", "\"key_signatures\"",
                           "\"time_signatures\"", "\"lyrics\"", "\"annotations\"", "\"tracks\"",
                           "\"musc_raw_events\""};
    const char *prev = (char *)text;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const char *at = strstr(prev, order[i]);
        if (!at)
            fail_msg("%s missing or out of order", order[i]);
        prev = at;
    }
    assert_non_null(strstr((char *)text, "{\"time\":0,\"pitch\":60,\"duration\":480,\"velocity\":100}"));
    assert_non_null(strstr((char *)text, "{\"time\":0,\"root\":0,\"mode\":\"minor\",\"fifths\":-3,\"root_str\":\"C\"}"));
    json_decref(root);
    free(text);

    /* a plain music carries no musc_* keys at all */
    musc_music *plain = musc_music_new(24);
    musc_track *t = musc_music_add_track(plain, 0, 0, NULL);
    musc_track_add_note(t, 0, 1, 60, 64);
    assert_int_equal(musc_json_write_mem(plain, &text, &size), 0);
    assert_null(strstr((char *)text, "musc_"));
    assert_string_equal((char *)text,
                        "{\"metadata\":{\"schema_version\":\"0.2\"},\"resolution\":24,\"tracks\":[{"
                        "\"program\":0,\"is_drum\":false,\"notes\":[{\"time\":0,\"pitch\":60,"
                        "\"duration\":1,\"velocity\":64}]}]}");
    free(text);
    musc_music_free(plain);
    musc_music_free(m);
}

/* ---- bad input ---------------------------------------------------------- */

static void syntax_error_names_line_and_column(void **state)
{
    (void)state;
    const char *bad = "{\n  \"resolution\": 24,\n  \"tracks\": [}\n";
    test_save_seed("json", "syntax_error.json", bad, strlen(bad));
    EXPECT_ERROR(bad, "line 3", "column");
    EXPECT_ERROR("", "line");
    EXPECT_ERROR("not json", "syntax error");
    EXPECT_ERROR("{\"resolution\": 24} trailing", "syntax error");
    EXPECT_ERROR("{\"title\": \"a\\u0000b\"}", "syntax error"); /* NUL cannot live in C text */
    EXPECT_ERROR("[1, 2]", "expected an object");
    EXPECT_ERROR("{\"resolution\": 99999999999999999999999}", "syntax error");
}

static void strict_json_details(void **state)
{
    (void)state;
    /* a UTF-8 byte order mark is skipped; escapes decode to UTF-8 */
    musc_music *m = read_str("\xef\xbb\xbf{\"metadata\": {\"title\": \"caf\\u00e9 \\ud83c\\udfb5 \\\"q\\\" \\/\"}}");
    assert_string_equal(m->metadata.title, "caf\xc3\xa9 \xf0\x9f\x8e\xb5 \"q\" /");
    musc_music_free(m);
    /* unknown keys are skipped whatever they hold; a repeated value keeps the last */
    m = read_str("{\"resolution\": 12, \"x\": {\"y\": [1, {\"z\": null}], \"w\": \"s\"}, "
                 "\"beats\": [{\"time\": 0}], \"resolution\": 96}");
    assert_int_equal(m->resolution, 96);
    musc_music_free(m);
    /* a non-string annotation becomes compact JSON text */
    m = read_str("{\"annotations\": [{\"time\": 0, \"annotation\": [1, {\"a\": true}, -2.5, \"s\"]}]}");
    assert_string_equal(m->annotations[0].text, "[1,{\"a\":true},-2.5,\"s\"]");
    musc_music_free(m);
    /* MusPy's schema file spells the chord list "pitch" */
    m = read_str("{\"tracks\": [{\"chords\": [{\"time\": 0, \"duration\": 1, \"pitch\": [60, 64]}]}]}");
    assert_int_equal(m->tracks[0].chords[0].n_pitches, 2);
    musc_music_free(m);

    EXPECT_ERROR("{\"metadata\": {\"title\": \"a\xff\"}}", "line 1", "UTF-8");
    EXPECT_ERROR("{\"metadata\": {\"title\": \"\\ud800\"}}", "surrogate");
    EXPECT_ERROR("{\"metadata\": {\"title\": \"tab\there\"}}", "control character");
    EXPECT_ERROR("{\"resolution\": 012}", "leading zero");
    EXPECT_ERROR("{\"resolution\": 1.}", "invalid number");
    EXPECT_ERROR("{\"resolution\": 1e999}", "overflow");
    EXPECT_ERROR("{\"resolution\": 24,}", "expected a string key");
    EXPECT_ERROR("{\"tracks\": [{},]}", "expected a value");
    EXPECT_ERROR("{\"resolution\" 24}", "expected ':'");
    EXPECT_ERROR("{\"tracks\": [], \"tracks\": []}", "tracks: appears twice");
    EXPECT_ERROR("{\"tracks\": [{\"notes\": [], \"notes\": []}]}", "tracks[0].notes: appears twice");
    /* nesting is bounded, so hostile input cannot exhaust the stack */
    size_t depth = 5000;
    char *deep = malloc(2 * depth + 64);
    size_t n = (size_t)sprintf(deep, "{\"x\": ");
    memset(deep + n, '[', depth);
    memset(deep + n + depth, ']', depth);
    strcpy(deep + n + 2 * depth, "}");
    EXPECT_ERROR(deep, "nesting too deep");
    free(deep);
}

static void wrong_type_names_the_field_path(void **state)
{
    (void)state;
    const char *bad = "{\"tracks\": [{}, {\"notes\": [{\"time\": 0, \"pitch\": 60, \"duration\": 1},"
                      " {\"time\": 0, \"pitch\": \"C4\", \"duration\": 1}]}]}";
    test_save_seed("json", "wrong_type.json", bad, strlen(bad));
    EXPECT_ERROR(bad, "tracks[1].notes[1].pitch: expected an integer 0..127, got a string");
    EXPECT_ERROR("{\"resolution\": \"24\"}", "resolution: expected an integer");
    EXPECT_ERROR("{\"resolution\": 0}", "resolution: expected an integer >= 1, got 0");
    EXPECT_ERROR("{\"tracks\": {}}", "tracks: expected a list, got an object");
    EXPECT_ERROR("{\"tracks\": [7]}", "tracks[0]: expected an object, got 7");
    EXPECT_ERROR("{\"metadata\": []}", "metadata: expected an object");
    EXPECT_ERROR("{\"metadata\": {\"title\": 5}}", "metadata.title: expected a string, got 5");
    EXPECT_ERROR("{\"metadata\": {\"creators\": [\"a\", 1]}}", "metadata.creators[1]: expected a string");
    EXPECT_ERROR("{\"tracks\": [{\"is_drum\": \"yes\"}]}", "tracks[0].is_drum: expected true or false");
    EXPECT_ERROR("{\"tracks\": [{\"notes\": [{\"time\": 0.5, \"pitch\": 1, \"duration\": 1}]}]}",
                 "tracks[0].notes[0].time: expected an integer >= 0, got 0.5");
    EXPECT_ERROR("{\"tempos\": [{\"time\": 0, \"qpm\": \"fast\"}]}", "tempos[0].qpm: expected a number > 0");
    EXPECT_ERROR("{\"tempos\": [{\"time\": 0, \"qpm\": 0}]}", "tempos[0].qpm: expected a number > 0, got 0");
    EXPECT_ERROR("{\"lyrics\": [{\"time\": 0, \"lyric\": [\"x\"]}]}", "lyrics[0].lyric: expected a string");
    EXPECT_ERROR("{\"annotations\": [{\"time\": 0, \"annotation\": \"x\", \"group\": 3}]}",
                 "annotations[0].group: expected a string");
    EXPECT_ERROR("{\"tracks\": [{\"chords\": [{\"time\": 0, \"duration\": 1, \"pitches\": [1, 128]}]}]}",
                 "tracks[0].chords[0].pitches[1]: expected an integer 0..127, got 128");
    EXPECT_ERROR("{\"musc_raw_events\": [{\"time\": 0, \"type\": 240, \"data\": \"f0f\"}]}",
                 "musc_raw_events[0].data: expected a hex string of even length");
    EXPECT_ERROR("{\"musc_raw_events\": [{\"time\": 0, \"type\": 240, \"data\": \"zz\"}]}",
                 "musc_raw_events[0].data: expected hex digits");
    EXPECT_ERROR("{\"musc_raw_events\": [{\"time\": 0, \"type\": 200}]}", "musc_raw_events[0].type");
    EXPECT_ERROR("{\"tracks\": [{\"musc_pitch_bends\": [{\"time\": 0, \"value\": 8192}]}]}",
                 "tracks[0].musc_pitch_bends[0].value: expected an integer -8192..8191, got 8192");
}

static void out_of_range_values_are_format_errors(void **state)
{
    (void)state;
    const char *bad = "{\"tracks\": [{\"notes\": [{\"time\": 0, \"pitch\": 200, \"duration\": 1}]}]}";
    test_save_seed("json", "pitch200.json", bad, strlen(bad));
    EXPECT_ERROR(bad, "tracks[0].notes[0].pitch: expected an integer 0..127, got 200");
    EXPECT_ERROR("{\"tracks\": [{\"notes\": [{\"time\": -5, \"pitch\": 1, \"duration\": 1}]}]}",
                 "tracks[0].notes[0].time: expected an integer >= 0, got -5");
    EXPECT_ERROR("{\"tempos\": [{\"time\": -1, \"qpm\": 120}]}", "tempos[0].time");
    EXPECT_ERROR("{\"tracks\": [{\"notes\": [{\"time\": 0, \"pitch\": 1, \"duration\": -1}]}]}",
                 "tracks[0].notes[0].duration");
    EXPECT_ERROR("{\"tracks\": [{\"notes\": [{\"time\": 0, \"pitch\": 1, \"duration\": 1, \"velocity\": 128}]}]}",
                 "tracks[0].notes[0].velocity");
    EXPECT_ERROR("{\"tracks\": [{\"program\": 128}]}", "tracks[0].program");
    EXPECT_ERROR("{\"tracks\": [{\"musc_channel\": 16}]}", "tracks[0].musc_channel");
    EXPECT_ERROR("{\"key_signatures\": [{\"time\": 0, \"fifths\": 8}]}", "key_signatures[0].fifths");
    EXPECT_ERROR("{\"key_signatures\": [{\"time\": 0, \"root\": 12}]}", "key_signatures[0].root");
    EXPECT_ERROR("{\"time_signatures\": [{\"time\": 0, \"numerator\": 0, \"denominator\": 4}]}",
                 "time_signatures[0].numerator");
    EXPECT_ERROR("{\"tracks\": [{\"notes\": [{\"time\": 9223372036854775807, \"pitch\": 1, \"duration\": 1}]}]}",
                 "tracks[0].notes[0].duration", "largest");
    EXPECT_ERROR("{\"tracks\": [{\"notes\": [{\"pitch\": 1, \"duration\": 1}]}]}",
                 "tracks[0].notes[0].time: missing (required)");
    EXPECT_ERROR("{\"tracks\": [{\"notes\": [{\"time\": 0, \"pitch\": null, \"duration\": 1}]}]}",
                 "tracks[0].notes[0].pitch: missing");
    EXPECT_ERROR("{\"annotations\": [{\"time\": 0}]}", "annotations[0].annotation: missing");
}

static void strict_mode_refuses_what_repair_mode_notes(void **state)
{
    (void)state;
    const char *dorian = "{\"key_signatures\": [{\"time\": 0, \"root\": 2, \"mode\": \"dorian\"}]}";
    expect_error(dorian, strlen(dorian), 1, MUSC_ERR_FORMAT, "key_signatures[0].mode",
                 (const char *)NULL);
    musc_report rep = {0};
    musc_music *m = NULL;
    assert_int_equal(musc_json_read_mem((const uint8_t *)dorian, strlen(dorian), NULL, &m, &rep), 0);
    assert_int_equal(m->key_signatures[0].mode, MUSC_MODE_NONE);
    assert_int_equal(m->key_signatures[0].fifths, 2); /* D, major assumed */
    assert_int_equal(rep.n_repairs, 1);
    assert_non_null(strstr(rep.repairs[0].message, "key_signatures[0].mode"));
    musc_report_clear(&rep);
    musc_music_free(m);

    const char *bare = "{\"key_signatures\": [{\"time\": 0}]}";
    expect_error(bare, strlen(bare), 1, MUSC_ERR_FORMAT, "fifths", (const char *)NULL);
    assert_int_equal(musc_json_read_mem((const uint8_t *)bare, strlen(bare), NULL, &m, &rep), 0);
    assert_int_equal(m->key_signatures[0].fifths, 0);
    assert_int_equal(rep.n_repairs, 1);
    musc_report_clear(&rep);
    musc_music_free(m);
}

static void damaged_gzip_fails_cleanly(void **state)
{
    (void)state;
    musc_music *m = full_music();
    uint8_t *text, *gz;
    size_t size, gz_size;
    assert_int_equal(musc_json_write_mem(m, &text, &size), 0);
    gz = gzip_bytes(text, size, &gz_size);
    /* truncated anywhere after the magic: an error, never a crash */
    for (size_t cut = 2; cut < gz_size; cut += (cut < 40 ? 1 : 97)) {
        musc_music *back = (musc_music *)1;
        musc_status rc = musc_json_read_mem(gz, cut, NULL, &back, NULL);
        assert_int_equal(rc, MUSC_ERR_FORMAT);
        assert_null(back);
    }
    expect_error((char *)gz, gz_size - 5, 0, MUSC_ERR_FORMAT, "gzip", "truncated", (const char *)NULL);
    test_save_seed("json", "truncated.json.gz", gz, gz_size / 2);
    /* a flipped byte in the deflate data */
    gz[gz_size / 2] ^= 0x55;
    musc_music *back = NULL;
    assert_int_not_equal(musc_json_read_mem(gz, gz_size, NULL, &back, NULL), MUSC_OK);
    assert_null(back);
    gz[gz_size / 2] ^= 0x55;
    /* trailing garbage after the stream */
    uint8_t *longer = malloc(gz_size + 3);
    memcpy(longer, gz, gz_size);
    memcpy(longer + gz_size, "xyz", 3);
    expect_error((char *)longer, gz_size + 3, 0, MUSC_ERR_FORMAT, "trailing", (const char *)NULL);
    free(longer);
    /* gzip of something that is not JSON */
    size_t junk_size;
    uint8_t *junk = gzip_bytes("nope", 4, &junk_size);
    expect_error((char *)junk, junk_size, 0, MUSC_ERR_FORMAT, "syntax error", "decompressed",
                 (const char *)NULL);
    free(junk);
    free(gz);
    free(text);
    musc_music_free(m);
}

static void gzip_bomb_stops_at_the_limit(void **state)
{
    (void)state;
    /* 16 MiB of spaces compresses to about 16 KiB */
    size_t big = (size_t)16 << 20;
    uint8_t *spaces = malloc(big);
    memset(spaces, ' ', big);
    size_t gz_size;
    uint8_t *gz = gzip_bytes(spaces, big, &gz_size);
    free(spaces);
    assert_true(gz_size < big / 100);
    uint8_t *out = (uint8_t *)1;
    size_t out_size = 1;
    assert_int_equal(musc_gzip_decompress(gz, gz_size, (size_t)1 << 20, &out, &out_size),
                     MUSC_ERR_NOMEM);
    assert_non_null(strstr(musc_errmsg(), "limit"));
    assert_null(out);
    assert_int_equal(out_size, 0);
    /* exactly at the limit is fine; one byte less is not */
    assert_int_equal(musc_gzip_decompress(gz, gz_size, big, &out, &out_size), MUSC_OK);
    assert_int_equal(out_size, big);
    assert_int_equal(out[big], '\0');
    free(out);
    assert_int_equal(musc_gzip_decompress(gz, gz_size, big - 1, &out, &out_size), MUSC_ERR_NOMEM);
    free(gz);
}

static void refuses_to_overwrite_unless_asked(void **state)
{
    (void)state;
    musc_music *m = full_music();
    char *path = test_tmp_path("json_overwrite.json");
    unlink(path);
    assert_int_equal(musc_json_write(m, path, NULL), 0);
    size_t before_size;
    char *before = test_read_file(path, &before_size);
    musc_music *other = musc_music_new(96);
    assert_int_equal(musc_json_write(other, path, NULL), MUSC_ERR_EXISTS);
    assert_non_null(strstr(musc_errmsg(), "exists"));
    size_t after_size;
    char *after = test_read_file(path, &after_size);
    assert_int_equal(before_size, after_size);
    assert_memory_equal(before, after, before_size);
    free(after);
    musc_write_options o = musc_write_options_default();
    o.overwrite = 1;
    o.flags = MUSC_JSON_INDENT;
    assert_int_equal(musc_json_write(other, path, &o), 0);
    musc_music *back = NULL;
    assert_int_equal(musc_json_read(path, NULL, &back, NULL), 0);
    assert_int_equal(back->resolution, 96);
    musc_music_free(back);
    /* a missing file is an I/O error naming it */
    unlink(path);
    assert_int_equal(musc_json_read(path, NULL, &back, NULL), MUSC_ERR_IO);
    assert_non_null(strstr(musc_errmsg(), "json_overwrite.json"));
    free(before);
    free(path);
    musc_music_free(other);
    musc_music_free(m);
}

static void file_errors_name_the_file(void **state)
{
    (void)state;
    char *path = test_tmp_path("json_bad_file.json");
    const char *bad = "{\"resolution\": -3}";
    assert_int_equal(test_write_file(path, bad, strlen(bad)), 0);
    musc_music *m = NULL;
    assert_int_equal(musc_json_read(path, NULL, &m, NULL), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "json_bad_file.json: resolution"));
    unlink(path);
    free(path);
}

static void invalid_music_is_not_written(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 1, 130, 64);
    uint8_t *text = (uint8_t *)1;
    size_t size = 1;
    assert_int_equal(musc_json_write_mem(m, &text, &size), MUSC_ERR_INVALID);
    assert_null(text);
    assert_non_null(strstr(musc_errmsg(), "tracks[0].notes[0].pitch"));
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_keeps_every_field),
        cmocka_unit_test(indent_flag_puts_each_note_on_its_own_line),
        cmocka_unit_test(gzip_round_trip_and_detection),
        cmocka_unit_test(reads_muspy_json),
        cmocka_unit_test(empty_object_gives_muspy_defaults),
        cmocka_unit_test(writes_muspy_field_names_and_types),
        cmocka_unit_test(syntax_error_names_line_and_column),
        cmocka_unit_test(strict_json_details),
        cmocka_unit_test(wrong_type_names_the_field_path),
        cmocka_unit_test(out_of_range_values_are_format_errors),
        cmocka_unit_test(strict_mode_refuses_what_repair_mode_notes),
        cmocka_unit_test(damaged_gzip_fails_cleanly),
        cmocka_unit_test(gzip_bomb_stops_at_the_limit),
        cmocka_unit_test(refuses_to_overwrite_unless_asked),
        cmocka_unit_test(file_errors_name_the_file),
        cmocka_unit_test(invalid_music_is_not_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
