/*
 * The MIDI writer: every model field written and read back equal, the byte
 * layout the header promises (format 1, meta track first, drums on channel
 * 10, note-off as 0x80, running status), the ordering rules that keep
 * zero-length and repeated notes distinct, the errors, and a read -> write ->
 * read round trip over every POP909 and Nottingham MIDI file.
 */
#include "test_support.h"
#include "musc/musc.h"


#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------- */

static uint8_t *write_ok(const musc_music *m, size_t *size)
{
    uint8_t *data = NULL;
    musc_status rc = musc_midi_write_mem(m, &data, size);
    if (rc)
        fail_msg("musc_midi_write_mem: %s: %s", musc_strerror(rc), musc_errmsg());
    assert_non_null(data);
    return data;
}

static musc_music *read_ok(const uint8_t *data, size_t size)
{
    musc_music *m = NULL;
    musc_status rc = musc_midi_read_mem(data, size, NULL, &m, NULL);
    if (rc)
        fail_msg("musc_midi_read_mem: %s: %s", musc_strerror(rc), musc_errmsg());
    assert_non_null(m);
    return m;
}

/* Write, read back, and require the result to equal `expected`. Returns the
 * music read back (caller frees). */
static musc_music *round_trip_equal(const musc_music *written, const musc_music *expected,
                                    const char *seed_name)
{
    size_t size;
    uint8_t *data = write_ok(written, &size);
    if (seed_name) { /* seeds for the MIDI fuzz targets */
        test_save_seed("midi", seed_name, data, size);
        test_save_seed("midi_write", seed_name, data, size);
    }
    musc_music *back = read_ok(data, size);
    free(data);
    char diff[512];
    if (!musc_music_diff(expected, back, diff, sizeof diff))
        fail_msg("read back differs: %s", diff);
    return back;
}

/* Key roots as MusPy derives them from fifths and mode. */
static int key_root(int fifths, int mode)
{
    return ((fifths * 7 + (mode == MUSC_MODE_MINOR ? 9 : 0)) % 12 + 12) % 12;
}

/* A music with every field a MIDI file can carry. */
static musc_music *full_music(void)
{
    musc_music *m = musc_music_new(480);
    assert_non_null(m);
    assert_int_equal(musc_set_string(&m->metadata.title, "Everything \xc3\xa9t\xc3\xa9"), 0);
    assert_int_equal(musc_set_string(&m->metadata.copyright, "(c) 2026 musc"), 0);
    /* tempos whose microseconds per quarter are whole numbers read back exactly */
    assert_int_equal(musc_music_add_tempo(m, 0, 120), 0);
    assert_int_equal(musc_music_add_tempo(m, 1920, 100), 0);
    assert_int_equal(musc_music_add_tempo(m, 1920, 75), 0); /* two at one tick keep their order */
    assert_int_equal(musc_music_add_tempo(m, 5000, 150), 0);
    assert_int_equal(musc_music_add_time_signature(m, 0, 4, 4), 0);
    assert_int_equal(musc_music_add_time_signature(m, 1920, 6, 8), 0);
    assert_int_equal(musc_music_add_time_signature(m, 3360, 7, 16), 0);
    assert_int_equal(musc_music_add_time_signature(m, 4000, 3, 2), 0);
    assert_int_equal(musc_music_add_key_signature(m, 0, -3, MUSC_MODE_MINOR,
                                                  key_root(-3, MUSC_MODE_MINOR)), 0);
    assert_int_equal(musc_music_add_key_signature(m, 1920, 7, MUSC_MODE_MAJOR,
                                                  key_root(7, MUSC_MODE_MAJOR)), 0);
    assert_int_equal(musc_music_add_key_signature(m, 2400, -7, MUSC_MODE_MAJOR,
                                                  key_root(-7, MUSC_MODE_MAJOR)), 0);
    assert_int_equal(musc_music_add_lyric(m, 0, "Hel"), 0);
    assert_int_equal(musc_music_add_lyric(m, 240, "lo"), 0);
    assert_int_equal(musc_music_add_lyric(m, 240, "w\xc3\xb6rld"), 0);
    assert_int_equal(musc_music_add_annotation(m, 0, MUSC_ANN_TEXT, "some text"), 0);
    assert_int_equal(musc_music_add_annotation(m, 480, MUSC_ANN_MARKER, "Verse"), 0);
    assert_int_equal(musc_music_add_annotation(m, 960, MUSC_ANN_CUE, "door slams"), 0);
    static const uint8_t gm_on[] = {0x7E, 0x7F, 0x09, 0x01, 0xF7};
    static const uint8_t escape[] = {0xF3, 0x01};
    static const uint8_t seqspec[] = {0x00, 0x00, 0x41, 0x01, 0x02};
    static const uint8_t smpte[] = {0x60, 0x00, 0x03, 0x00, 0x00};
    assert_int_equal(musc_music_add_raw_event(m, 0, 0x54, smpte, sizeof smpte, 0), 0);
    assert_int_equal(musc_music_add_raw_event(m, 0, MUSC_RAW_SYSEX, gm_on, sizeof gm_on, 0), 0);
    assert_int_equal(musc_music_add_raw_event(m, 100, MUSC_RAW_ESCAPE, escape, sizeof escape, 0),
                     0);
    assert_int_equal(musc_music_add_raw_event(m, 300, 0x7F, seqspec, sizeof seqspec, 0), 0);

    musc_track *t = musc_music_add_track(m, 0, 0, "Piano");
    assert_non_null(t);
    assert_int_equal(musc_set_string(&t->instrument_name, "Acoustic Grand"), 0);
    assert_int_equal(musc_track_add_note(t, 0, 480, 60, 100), 0);
    assert_int_equal(musc_track_add_note(t, 0, 480, 64, 90), 0);
    assert_int_equal(musc_track_add_note(t, 0, 960, 67, 80), 0);
    assert_int_equal(musc_track_add_note(t, 480, 480, 60, 1), 0);
    assert_int_equal(musc_track_add_note(t, 960, 100000, 127, 127), 0);
    assert_int_equal(musc_track_add_note(t, 1000, 5, 0, 64), 0);
    assert_int_equal(musc_track_add_control(t, 0, 7, 100), 0);
    assert_int_equal(musc_track_add_control(t, 0, 64, 127), 0);
    assert_int_equal(musc_track_add_control(t, 470, 64, 0), 0);
    assert_int_equal(musc_track_add_pitch_bend(t, 10, -8192), 0);
    assert_int_equal(musc_track_add_pitch_bend(t, 20, 8191), 0);
    assert_int_equal(musc_track_add_pitch_bend(t, 30, 0), 0);
    assert_int_equal(musc_track_add_pressure(t, 40, -1, 33), 0);
    assert_int_equal(musc_track_add_pressure(t, 40, 60, 44), 0);

    t = musc_music_add_track(m, 73, 0, "Flute");
    assert_non_null(t);
    assert_int_equal(musc_track_add_note(t, 240, 240, 72, 70), 0);
    assert_int_equal(musc_track_add_note(t, 480, 240, 74, 71), 0);

    t = musc_music_add_track(m, 0, 1, "Drums");
    assert_non_null(t);
    assert_int_equal(musc_track_add_note(t, 0, 10, 36, 127), 0);
    assert_int_equal(musc_track_add_note(t, 0, 10, 42, 90), 0);
    assert_int_equal(musc_track_add_control(t, 0, 10, 64), 0);
    musc_music_sort(m);
    return m;
}

/* Where the MTrk chunk number `k` (0-based) starts, or NULL. */
static const uint8_t *find_track(const uint8_t *d, size_t size, int k, uint32_t *len)
{
    size_t pos = 14;
    for (int i = 0; pos + 8 <= size; i++) {
        uint32_t n = (uint32_t)d[pos + 4] << 24 | (uint32_t)d[pos + 5] << 16 |
                     (uint32_t)d[pos + 6] << 8 | d[pos + 7];
        if (i == k) {
            *len = n;
            return d + pos + 8;
        }
        pos += 8 + n;
    }
    return NULL;
}

static uint32_t get_vlq(const uint8_t **p)
{
    uint32_t v = 0;
    do
        v = v << 7 | (**p & 0x7F);
    while (*(*p)++ & 0x80);
    return v;
}

/* Nonzero when a track's events are all meta or sysex events. */
static int only_meta_events(const uint8_t *p, uint32_t len)
{
    const uint8_t *end = p + len;
    while (p < end) {
        get_vlq(&p);
        if (*p == 0xFF)
            p += 2;
        else if (*p == 0xF0 || *p == 0xF7)
            p += 1;
        else
            return 0;
        uint32_t n = get_vlq(&p);
        p += n;
    }
    return p == end;
}

/* ---- model fields -------------------------------------------------------- */

static void every_field_reads_back_equal(void **state)
{
    (void)state;
    musc_music *m = full_music();
    musc_music *back = round_trip_equal(m, m, "full");
    /* fields musc_music_equal leaves out */
    assert_int_equal(back->tracks[0].channel, 0);
    assert_int_equal(back->tracks[1].channel, 1);
    assert_int_equal(back->tracks[2].channel, 9);
    musc_music_free(back);
    musc_music_free(m);
}

static void header_and_meta_track_layout(void **state)
{
    (void)state;
    musc_music *m = full_music();
    size_t size;
    uint8_t *d = write_ok(m, &size);
    assert_memory_equal(d, "MThd\0\0\0\6\0\1\0\4", 12); /* format 1, 1 + 3 tracks */
    assert_int_equal(d[12] << 8 | d[13], 480);
    uint32_t len = 0;
    const uint8_t *t0 = find_track(d, size, 0, &len);
    assert_non_null(t0);
    /* the title is the meta track's name, at tick 0, first */
    assert_memory_equal(t0, "\0\xff\x03", 3);
    /* the meta track carries meta and sysex events only */
    assert_true(only_meta_events(t0, len));
    /* 6/8: 36 MIDI clocks per (dotted-quarter) click, 8 32nds per quarter */
    assert_non_null(memmem(t0, len, "\xff\x58\x04\x06\x03\x24\x08", 7));
    assert_non_null(memmem(t0, len, "\xff\x58\x04\x04\x02\x18\x08", 7));
    /* the last track chunk ends exactly at the end of the file */
    const uint8_t *t3 = find_track(d, size, 3, &len);
    assert_non_null(t3);
    assert_int_equal((size_t)(t3 - d) + len, size);
    assert_memory_equal(t3 + len - 3, "\xff\x2f\x00", 3);
    free(d);
    musc_music_free(m);
}

static void chords_are_written_as_notes(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    static const int16_t triad[] = {60, 64, 67};
    assert_int_equal(musc_track_add_chord(t, 0, 24, triad, 3, 80), 0);
    assert_int_equal(musc_track_add_note(t, 24, 24, 62, 70), 0);
    t = musc_music_add_track(m, 1, 0, NULL); /* chords only */
    assert_int_equal(musc_track_add_chord(t, 48, 0, triad, 2, 90), 0);
    assert_int_equal(musc_track_add_chord(t, 12, 12, triad + 1, 2, 91), 0);
    musc_music *want = musc_music_new(24);
    t = musc_music_add_track(want, 0, 0, NULL);
    for (int i = 0; i < 3; i++)
        assert_int_equal(musc_track_add_note(t, 0, 24, triad[i], 80), 0);
    assert_int_equal(musc_track_add_note(t, 24, 24, 62, 70), 0);
    t = musc_music_add_track(want, 1, 0, NULL);
    assert_int_equal(musc_track_add_note(t, 12, 12, 64, 91), 0);
    assert_int_equal(musc_track_add_note(t, 12, 12, 67, 91), 0);
    assert_int_equal(musc_track_add_note(t, 48, 0, 60, 90), 0);
    assert_int_equal(musc_track_add_note(t, 48, 0, 64, 90), 0);
    musc_music_free(round_trip_equal(m, want, NULL));
    musc_music_free(want);
    musc_music_free(m);
}

static void track_text_reads_back_as_music_text(void **state)
{
    (void)state;
    /* the reader gathers lyrics and text events of every MIDI track into the
     * music's lists (midi.h), so a track's own go there after a round trip */
    musc_music *m = musc_music_new(96);
    musc_track *t = musc_music_add_track(m, 0, 0, "Voice");
    assert_int_equal(musc_track_add_note(t, 0, 96, 60, 80), 0);
    assert_int_equal(musc_track_add_lyric(t, 0, "Ah"), 0);
    assert_int_equal(musc_track_add_annotation(t, 96, MUSC_ANN_MARKER, "end"), 0);
    musc_music *want = musc_music_copy(m);
    musc_track_clear(&want->tracks[0]);
    t = &want->tracks[0];
    assert_int_equal(musc_set_string(&t->name, "Voice"), 0);
    assert_int_equal(musc_track_add_note(t, 0, 96, 60, 80), 0);
    assert_int_equal(musc_music_add_lyric(want, 0, "Ah"), 0);
    assert_int_equal(musc_music_add_annotation(want, 96, MUSC_ANN_MARKER, "end"), 0);
    musc_music_free(round_trip_equal(m, want, NULL));
    musc_music_free(want);
    musc_music_free(m);
}

static void lossy_fields_follow_the_documented_rules(void **state)
{
    (void)state;
    /* velocity 0 cannot be a note-on: it becomes 1; a key without a mode goes
     * out as major; chord annotations go out as text events */
    musc_music *m = musc_music_new(24);
    assert_int_equal(musc_music_add_key_signature(m, 0, 2, MUSC_MODE_NONE, -1), 0);
    assert_int_equal(musc_music_add_annotation(m, 0, MUSC_ANN_CHORD, "Am7"), 0);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    assert_int_equal(musc_track_add_note(t, 0, 24, 60, 0), 0);
    size_t size;
    uint8_t *d = write_ok(m, &size);
    musc_music *back = read_ok(d, size);
    free(d);
    assert_int_equal(back->n_key_signatures, 1);
    assert_int_equal(back->key_signatures[0].fifths, 2);
    assert_int_equal(back->key_signatures[0].mode, MUSC_MODE_MAJOR);
    assert_int_equal(back->n_annotations, 1);
    assert_int_equal(back->annotations[0].kind, MUSC_ANN_TEXT);
    assert_string_equal(back->annotations[0].text, "Am7");
    assert_int_equal(back->n_tracks, 1);
    assert_int_equal(back->tracks[0].n_notes, 1);
    assert_int_equal(back->tracks[0].notes[0].velocity, 1);
    assert_int_equal(back->tracks[0].notes[0].duration, 24);
    musc_music_free(back);
    musc_music_free(m);
}

static void raw_events_of_owned_types_are_dropped(void **state)
{
    (void)state;
    /* raw tempos and signatures are unusable ones or SMPTE tempos: writing
     * them would make the file invalid or change its timing */
    musc_music *m = musc_music_new(24);
    static const uint8_t sysex[] = {0x43, 0x10, 0xF7};
    assert_int_equal(musc_music_add_raw_event(m, 4, MUSC_RAW_SYSEX, sysex, 3, 0), 0);
    musc_music *want = musc_music_copy(m);
    static const uint8_t usable[] = {0x07, 0xA1, 0x20}, zero[] = {0, 0, 0}, eot[] = {0};
    static const uint8_t tsig[] = {4, 9, 24, 8}, ksig[] = {9, 0};
    assert_int_equal(musc_music_add_raw_event(m, 0, 0x51, zero, 3, 0), 0);
    assert_int_equal(musc_music_add_raw_event(m, 5, 0x51, usable, 3, 0), 0);
    assert_int_equal(musc_music_add_raw_event(m, 6, 0x2F, eot, 0, 0), 0);
    assert_int_equal(musc_music_add_raw_event(m, 7, 0x58, tsig, 4, 0), 0);
    assert_int_equal(musc_music_add_raw_event(m, 8, 0x59, ksig, 2, 0), 0);
    musc_music_free(round_trip_equal(m, want, NULL));
    musc_music_free(want);
    musc_music_free(m);
}

static void empty_music_round_trips(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(0);
    size_t size;
    uint8_t *d = write_ok(m, &size);
    /* header + a meta track holding only its end */
    assert_int_equal(size, 14 + 8 + 4);
    free(d);
    musc_music_free(round_trip_equal(m, m, NULL));
    musc_music_free(m);
}

/* ---- channels ------------------------------------------------------------ */

static void drums_go_on_channel_10(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 1, "Kit");
    t->channel = 3; /* a wrong hint must not move drums off channel 10 */
    assert_int_equal(musc_track_add_note(t, 0, 6, 36, 100), 0);
    assert_int_equal(musc_track_add_note(t, 12, 6, 38, 100), 0);
    t = musc_music_add_track(m, 0, 0, "Bass");
    t->channel = 9; /* ... nor a pitched track onto it */
    assert_int_equal(musc_track_add_note(t, 0, 24, 40, 100), 0);
    size_t size;
    uint8_t *d = write_ok(m, &size);
    uint32_t len = 0;
    const uint8_t *t1 = find_track(d, size, 1, &len);
    assert_non_null(memmem(t1, len, "\xc9\x00", 2));
    assert_non_null(memmem(t1, len, "\x99\x24\x64", 3));
    assert_non_null(memmem(t1, len, "\x89\x24\x40", 3));
    const uint8_t *t2 = find_track(d, size, 2, &len);
    assert_null(memmem(t2, len, "\x99", 1));
    assert_non_null(memmem(t2, len, "\x90\x28\x64", 3));
    musc_music *back = read_ok(d, size);
    free(d);
    assert_int_equal(back->n_tracks, 2);
    assert_true(back->tracks[0].is_drum);
    assert_int_equal(back->tracks[0].channel, 9);
    assert_false(back->tracks[1].is_drum);
    assert_int_equal(back->tracks[1].channel, 0);
    musc_music_free(back);
    musc_music_free(m);
}

static void channel_hints_are_kept_and_free_channels_used(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    int hints[] = {-1, 5, -1, 0, -1};
    for (int i = 0; i < 5; i++) {
        musc_track *t = musc_music_add_track(m, i, 0, NULL);
        t->channel = hints[i];
        assert_int_equal(musc_track_add_note(t, i, 1, 60, 100), 0);
    }
    musc_music *back = round_trip_equal(m, m, NULL);
    int want[] = {1, 5, 2, 0, 3}; /* hints first; the rest take the lowest free */
    for (int i = 0; i < 5; i++)
        assert_int_equal(back->tracks[i].channel, want[i]);
    musc_music_free(back);
    musc_music_free(m);
}

static void more_than_16_tracks(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    for (int i = 0; i < 40; i++) {
        musc_track *t = musc_music_add_track(m, i, i == 20, NULL);
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        assert_int_equal(musc_set_string(&t->name, name), 0);
        assert_int_equal(musc_track_add_note(t, 0, 24, 40 + i, 100), 0);
        assert_int_equal(musc_track_add_control(t, 0, 7, i), 0);
    }
    musc_music *back = round_trip_equal(m, m, NULL);
    assert_int_equal(back->n_tracks, 40);
    for (int i = 0; i < 40; i++) {
        if (i == 20)
            assert_int_equal(back->tracks[i].channel, 9);
        else
            assert_int_not_equal(back->tracks[i].channel, 9);
    }
    musc_music_free(back);
    musc_music_free(m);
}

/* ---- note order ---------------------------------------------------------- */

static void zero_length_notes_survive(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    /* alone; beside a longer note of the same pitch starting with it; at the
     * end of another note of the same pitch; two at one tick; at tick 0 */
    assert_int_equal(musc_track_add_note(t, 0, 0, 50, 10), 0);
    assert_int_equal(musc_track_add_note(t, 0, 24, 60, 20), 0);
    assert_int_equal(musc_track_add_note(t, 24, 0, 60, 30), 0);
    assert_int_equal(musc_track_add_note(t, 24, 0, 60, 31), 0);
    assert_int_equal(musc_track_add_note(t, 48, 0, 62, 40), 0);
    assert_int_equal(musc_track_add_note(t, 48, 12, 62, 41), 0);
    assert_int_equal(musc_track_add_note(t, 100, 0, 70, 50), 0);
    musc_music_sort(m);
    musc_music_free(round_trip_equal(m, m, "zero_length"));
    musc_music_free(m);
}

static void notes_at_equal_times_stay_distinct(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    /* back-to-back repeats of one pitch: the off at 12 must precede the on */
    for (int i = 0; i < 8; i++)
        assert_int_equal(musc_track_add_note(t, 12 * i, 12, 60, 60 + i), 0);
    /* one pitch started twice at one tick with different lengths and
     * velocities: the shorter must close first */
    assert_int_equal(musc_track_add_note(t, 200, 5, 72, 90), 0);
    assert_int_equal(musc_track_add_note(t, 200, 30, 72, 30), 0);
    /* a chord whose notes end at different times */
    assert_int_equal(musc_track_add_note(t, 300, 10, 48, 70), 0);
    assert_int_equal(musc_track_add_note(t, 300, 20, 52, 71), 0);
    assert_int_equal(musc_track_add_note(t, 300, 30, 55, 72), 0);
    musc_music_sort(m);
    musc_music_free(round_trip_equal(m, m, "equal_times"));

    /* the same notes stored out of order are written the same way */
    musc_music *shuffled = musc_music_copy(m);
    musc_track *s = &shuffled->tracks[0];
    for (size_t i = 0; i < s->n_notes / 2; i++) {
        musc_note x = s->notes[i];
        s->notes[i] = s->notes[s->n_notes - 1 - i];
        s->notes[s->n_notes - 1 - i] = x;
    }
    size_t a_size, b_size;
    uint8_t *a = write_ok(m, &a_size), *b = write_ok(shuffled, &b_size);
    assert_int_equal(a_size, b_size);
    assert_memory_equal(a, b, a_size);
    free(a);
    free(b);
    musc_music_free(shuffled);
    musc_music_free(m);
}

static void note_off_is_0x80_and_running_status_is_used(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    assert_int_equal(musc_track_add_note(t, 0, 24, 60, 100), 0);
    assert_int_equal(musc_track_add_note(t, 0, 24, 64, 100), 0);
    assert_int_equal(musc_track_add_note(t, 0, 24, 67, 100), 0);
    size_t size;
    uint8_t *d = write_ok(m, &size);
    uint32_t len = 0;
    const uint8_t *t1 = find_track(d, size, 1, &len);
    /* three note-ons share one status byte, then three offs share another */
    assert_non_null(memmem(t1, len, "\x00\x90\x3c\x64\x00\x40\x64\x00\x43\x64", 10));
    assert_non_null(memmem(t1, len, "\x18\x80\x3c\x40\x00\x40\x40\x00\x43\x40", 10));
    free(d);
    musc_music_free(m);
}

static void unsorted_lists_are_written_in_time_order(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    assert_int_equal(musc_music_add_tempo(m, 48, 100), 0);
    assert_int_equal(musc_music_add_tempo(m, 0, 120), 0);
    assert_int_equal(musc_music_add_lyric(m, 30, "b"), 0);
    assert_int_equal(musc_music_add_lyric(m, 10, "a"), 0);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    assert_int_equal(musc_track_add_note(t, 24, 24, 62, 100), 0);
    assert_int_equal(musc_track_add_note(t, 0, 24, 60, 100), 0);
    assert_int_equal(musc_track_add_control(t, 24, 64, 0), 0);
    assert_int_equal(musc_track_add_control(t, 0, 64, 127), 0);
    musc_music *sorted = musc_music_copy(m);
    musc_music_sort(sorted);
    musc_music_free(round_trip_equal(m, sorted, NULL));
    musc_music_free(sorted);
    musc_music_free(m);
}

/* ---- errors and files ---------------------------------------------------- */

static void invalid_music_is_rejected(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    assert_int_equal(musc_track_add_note(t, 0, 24, 130, 100), 0);
    uint8_t *d = (uint8_t *)"x";
    size_t size = 7;
    assert_int_equal(musc_midi_write_mem(m, &d, &size), MUSC_ERR_INVALID);
    assert_null(d);
    assert_int_equal(size, 0);
    assert_non_null(strstr(musc_errmsg(), "pitch"));
    char *path = test_tmp_path("midi_write_invalid.mid");
    unlink(path);
    assert_int_equal(musc_midi_write(m, path, NULL), MUSC_ERR_INVALID);
    assert_int_not_equal(access(path, F_OK), 0);
    free(path);
    assert_int_equal(musc_midi_write_mem(NULL, &d, &size), MUSC_ERR_ARG);
    assert_int_equal(musc_midi_write_mem(m, NULL, &size), MUSC_ERR_ARG);
    musc_music_free(m);
}

static void values_smf_cannot_store_are_refused(void **state)
{
    (void)state;
    uint8_t *d;
    size_t size;
    musc_music *m = musc_music_new(32768);
    assert_int_equal(musc_midi_write_mem(m, &d, &size), MUSC_ERR_RANGE);
    m->resolution = 32767;
    assert_int_equal(musc_midi_write_mem(m, &d, &size), MUSC_OK);
    free(d);

    assert_int_equal(musc_music_add_time_signature(m, 0, 3, 3), 0);
    assert_int_equal(musc_midi_write_mem(m, &d, &size), MUSC_ERR_RANGE);
    assert_non_null(strstr(musc_errmsg(), "time_signatures[0]"));
    m->time_signatures[0].denominator = 256;
    assert_int_equal(musc_midi_write_mem(m, &d, &size), MUSC_ERR_RANGE);
    m->time_signatures[0].denominator = 128;
    assert_int_equal(musc_midi_write_mem(m, &d, &size), MUSC_OK);
    free(d);

    assert_int_equal(musc_music_add_tempo(m, 0, 1.0), 0);
    assert_int_equal(musc_midi_write_mem(m, &d, &size), MUSC_ERR_RANGE);
    assert_non_null(strstr(musc_errmsg(), "tempos[0]"));
    m->tempos[0].qpm = 3.6; /* about 16.7 million microseconds: still fits */
    assert_int_equal(musc_midi_write_mem(m, &d, &size), MUSC_OK);
    free(d);

    /* the largest delta time is 2^28 - 1 ticks */
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    assert_int_equal(musc_track_add_note(t, 0x0FFFFFFF, 1, 60, 100), 0);
    assert_int_equal(musc_midi_write_mem(m, &d, &size), MUSC_OK);
    free(d);
    t->notes[0].time = 0x10000000;
    d = (uint8_t *)"x";
    assert_int_equal(musc_midi_write_mem(m, &d, &size), MUSC_ERR_RANGE);
    assert_null(d);
    musc_music_free(m);
}

static void existing_file_is_not_replaced_without_overwrite(void **state)
{
    (void)state;
    char *path = test_tmp_path("midi_write_overwrite.mid");
    unlink(path);
    musc_music *a = musc_music_new(24), *b = musc_music_new(48);
    assert_int_equal(musc_midi_write(a, path, NULL), MUSC_OK);
    musc_write_options opt = musc_write_options_default();
    assert_int_equal(musc_midi_write(b, path, NULL), MUSC_ERR_EXISTS);
    assert_int_equal(musc_midi_write(b, path, &opt), MUSC_ERR_EXISTS);
    musc_music *back = NULL;
    assert_int_equal(musc_midi_read(path, NULL, &back, NULL), MUSC_OK);
    assert_int_equal(back->resolution, 24);
    musc_music_free(back);
    opt.overwrite = 1;
    assert_int_equal(musc_midi_write(b, path, &opt), MUSC_OK);
    assert_int_equal(musc_midi_read(path, NULL, &back, NULL), MUSC_OK);
    assert_int_equal(back->resolution, 48);
    musc_music_free(back);
    /* musc_write picks this writer by extension */
    assert_int_equal(musc_write(a, path, &opt), MUSC_OK);
    assert_int_equal(musc_read(path, NULL, &back, NULL), MUSC_OK);
    assert_int_equal(back->resolution, 24);
    musc_music_free(back);
    unlink(path);
    free(path);
    musc_music_free(a);
    musc_music_free(b);
}

/* ---- datasets ------------------------------------------------------------ */

static void add_glob(glob_t *g, const char *dir, const char *pattern, int *flags)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s/%s", dir, pattern);
    glob(buf, *flags, NULL, g);
    *flags |= GLOB_APPEND;
}

static void dataset_files_round_trip(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        print_message("SKIP: dataset round trip needs ../shared/data\n");
        skip();
    }
    glob_t g = {0};
    int flags = 0;
    add_glob(&g, data, "pop909/POP909/*/[0-9][0-9][0-9].mid", &flags);
    add_glob(&g, data, "nottingham/MIDI/*.mid", &flags);
    add_glob(&g, data, "nottingham/MIDI/*/*.mid", &flags);
    if (!g.gl_pathc) {
        print_message("SKIP: no POP909 or Nottingham MIDI files under %s\n", data);
        globfree(&g);
        skip();
    }
    size_t failures = 0, notes = 0;
    size_t files = 0;
    for (size_t i = 0; i < g.gl_pathc; i += SAMPLE) {
        const char *path = g.gl_pathv[i];
        files++;
        musc_music *a = NULL, *b = NULL;
        uint8_t *d1 = NULL, *d2 = NULL;
        size_t n1 = 0, n2 = 0;
        char diff[512] = "";
        const char *what = NULL;
        if (musc_midi_read(path, NULL, &a, NULL))
            what = "first read";
        else if (musc_midi_write_mem(a, &d1, &n1))
            what = "write";
        else if (musc_midi_read_mem(d1, n1, NULL, &b, NULL))
            what = "second read";
        else if (!musc_music_diff(a, b, diff, sizeof diff))
            what = "read -> write -> read";
        else if (musc_midi_write_mem(b, &d2, &n2))
            what = "second write";
        else if (n1 != n2 || memcmp(d1, d2, n1))
            what = "write is not idempotent";
        if (!what && files % 500 == 1) { /* a few real files as fuzzing seeds */
            char name[32];
            snprintf(name, sizeof name, "dataset_%zu", i);
            test_save_seed("midi_write", name, d1, n1);
        }
        if (what) {
            if (failures++ < 10)
                print_error("%s: %s failed: %s\n", path, what, diff[0] ? diff : musc_errmsg());
        } else {
            notes += musc_music_note_count(a);
        }
        musc_music_free(a);
        musc_music_free(b);
        free(d1);
        free(d2);
    }
    print_message("round trip: %zu of %zu files, %zu notes, %zu failures\n", files, g.gl_pathc,
                  notes, failures);
    globfree(&g);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_field_reads_back_equal),
        cmocka_unit_test(header_and_meta_track_layout),
        cmocka_unit_test(chords_are_written_as_notes),
        cmocka_unit_test(track_text_reads_back_as_music_text),
        cmocka_unit_test(lossy_fields_follow_the_documented_rules),
        cmocka_unit_test(raw_events_of_owned_types_are_dropped),
        cmocka_unit_test(empty_music_round_trips),
        cmocka_unit_test(drums_go_on_channel_10),
        cmocka_unit_test(channel_hints_are_kept_and_free_channels_used),
        cmocka_unit_test(more_than_16_tracks),
        cmocka_unit_test(zero_length_notes_survive),
        cmocka_unit_test(notes_at_equal_times_stay_distinct),
        cmocka_unit_test(note_off_is_0x80_and_running_status_is_used),
        cmocka_unit_test(unsorted_lists_are_written_in_time_order),
        cmocka_unit_test(invalid_music_is_rejected),
        cmocka_unit_test(values_smf_cannot_store_are_refused),
        cmocka_unit_test(existing_file_is_not_replaced_without_overwrite),
        cmocka_unit_test(dataset_files_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
