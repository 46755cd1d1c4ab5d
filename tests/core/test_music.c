/*
 * The object model's life cycle: new, free, deep copy (equal and fully
 * independent), every add_* function, remove_track and set_string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

/* A music with at least one element in every list. */
static musc_music *full_music(void)
{
    musc_music *m = musc_music_new(480);
    assert_non_null(m);
    assert_int_equal(musc_set_string(&m->metadata.title, "Title"), MUSC_OK);
    assert_int_equal(musc_set_string(&m->metadata.copyright, "(c) me"), MUSC_OK);
    assert_int_equal(musc_set_string(&m->metadata.collection, "coll"), MUSC_OK);
    assert_int_equal(musc_set_string(&m->metadata.source_filename, "a.mid"), MUSC_OK);
    assert_int_equal(musc_set_string(&m->metadata.source_format, "midi"), MUSC_OK);
    assert_int_equal(musc_music_add_creator(m, "Bach"), MUSC_OK);
    assert_int_equal(musc_music_add_creator(m, "Anna"), MUSC_OK);
    assert_int_equal(musc_music_add_tempo(m, 0, 100.5), MUSC_OK);
    assert_int_equal(musc_music_add_key_signature(m, 0, -3, MUSC_MODE_MINOR, 0), MUSC_OK);
    assert_int_equal(musc_music_add_time_signature(m, 0, 6, 8), MUSC_OK);
    assert_int_equal(musc_music_add_lyric(m, 5, "la"), MUSC_OK);
    assert_int_equal(musc_music_add_annotation(m, 6, MUSC_ANN_MARKER, "verse"), MUSC_OK);
    const uint8_t data[] = {0x41, 0x10, 0x42, 0x12};
    assert_int_equal(musc_music_add_raw_event(m, 7, MUSC_RAW_SYSEX, data, 4, 0), MUSC_OK);
    assert_int_equal(musc_music_add_raw_event(m, 8, 0x00, NULL, 0, 0), MUSC_OK);
    for (int k = 0; k < 2; k++) {
        musc_track *t = musc_music_add_track(m, 40 + k, k, k ? "drums" : "violin");
        assert_non_null(t);
        assert_int_equal(musc_set_string(&t->instrument_name, "inst"), MUSC_OK);
        assert_int_equal(musc_track_add_note(t, 0, 480, 60 + k, 90), MUSC_OK);
        assert_int_equal(musc_track_add_note(t, 480, 240, 62, 91), MUSC_OK);
        int16_t p[] = {60, 64, 67};
        assert_int_equal(musc_track_add_chord(t, 0, 960, p, 3, 70), MUSC_OK);
        assert_int_equal(musc_track_add_chord(t, 960, 0, NULL, 0, 70), MUSC_OK);
        assert_int_equal(musc_track_add_lyric(t, 0, "do"), MUSC_OK);
        assert_int_equal(musc_track_add_lyric(t, 1, NULL), MUSC_OK);
        assert_int_equal(musc_track_add_annotation(t, 2, MUSC_ANN_CHORD, "Am7"), MUSC_OK);
        assert_int_equal(musc_track_add_control(t, 3, 64, 127), MUSC_OK);
        assert_int_equal(musc_track_add_pitch_bend(t, 4, -8192), MUSC_OK);
        assert_int_equal(musc_track_add_pressure(t, 5, 60, 33), MUSC_OK);
    }
    return m;
}

static void new_music_has_defaults(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(0);
    assert_non_null(m);
    assert_int_equal(m->resolution, MUSC_DEFAULT_RESOLUTION);
    assert_string_equal(m->metadata.schema_version, "0.2");
    assert_null(m->metadata.title);
    assert_int_equal(m->n_tracks, 0);
    assert_int_equal(m->n_tempos, 0);
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    musc_music_free(m);
    m = musc_music_new(-5);
    assert_int_equal(m->resolution, MUSC_DEFAULT_RESOLUTION);
    musc_music_free(m);
    m = musc_music_new(960);
    assert_int_equal(m->resolution, 960);
    musc_music_free(m);
    musc_music_free(NULL); /* no-op */
}

static void add_functions_store_values(void **state)
{
    (void)state;
    musc_music *m = full_music();
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    assert_int_equal(m->metadata.n_creators, 2);
    assert_string_equal(m->metadata.creators[1], "Anna");
    assert_int_equal(m->n_tempos, 1);
    assert_true(m->tempos[0].qpm == 100.5);
    assert_int_equal(m->key_signatures[0].fifths, -3);
    assert_int_equal(m->key_signatures[0].mode, MUSC_MODE_MINOR);
    assert_int_equal(m->time_signatures[0].numerator, 6);
    assert_int_equal(m->time_signatures[0].denominator, 8);
    assert_string_equal(m->lyrics[0].text, "la");
    assert_int_equal(m->annotations[0].kind, MUSC_ANN_MARKER);
    assert_int_equal(m->raw_events[0].size, 4);
    assert_memory_equal(m->raw_events[0].data, "\x41\x10\x42\x12", 4);
    assert_null(m->raw_events[1].data);
    assert_int_equal(m->n_tracks, 2);
    musc_track *t = &m->tracks[1];
    assert_int_equal(t->program, 41);
    assert_int_equal(t->is_drum, 1);
    assert_int_equal(t->channel, -1);
    assert_string_equal(t->name, "drums");
    assert_int_equal(t->notes[0].pitch, 61);
    assert_int_equal(t->notes[1].duration, 240);
    assert_int_equal(t->chords[0].n_pitches, 3);
    assert_int_equal(t->chords[0].pitches[2], 67);
    assert_int_equal(t->chords[1].n_pitches, 0);
    assert_null(t->chords[1].pitches);
    assert_null(t->lyrics[1].text);
    assert_string_equal(t->annotations[0].text, "Am7");
    assert_int_equal(t->controls[0].number, 64);
    assert_int_equal(t->pitch_bends[0].value, -8192);
    assert_int_equal(t->pressures[0].pitch, 60);
    assert_int_equal(t->pressures[0].value, 33);
    assert_int_equal(musc_music_note_count(m), 4);
    musc_music_free(m);
}

static void many_appends_grow(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(musc_track_add_note(t, i, 1, i % 128, 64), MUSC_OK);
    assert_int_equal(t->n_notes, 10000);
    assert_true(t->cap_notes >= 10000);
    assert_int_equal(t->notes[9999].time, 9999);
    for (int i = 0; i < 100; i++)
        assert_non_null(musc_music_add_track(m, i, 0, "x"));
    assert_int_equal(m->n_tracks, 101);
    assert_int_equal(m->tracks[0].n_notes, 10000); /* survived the tracks' realloc */
    musc_music_free(m);
}

static void null_buffers_with_counts_are_rejected(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    assert_int_equal(musc_track_add_chord(t, 0, 1, NULL, 2, 64), MUSC_ERR_ARG);
    assert_int_equal(t->n_chords, 0);
    assert_int_equal(musc_music_add_raw_event(m, 0, MUSC_RAW_SYSEX, NULL, 3, 0), MUSC_ERR_ARG);
    assert_int_equal(m->n_raw_events, 0);
    musc_music_free(m);
}

static void copy_is_deep_and_equal(void **state)
{
    (void)state;
    musc_music *m = full_music();
    musc_music *c = musc_music_copy(m);
    assert_non_null(c);
    char buf[256];
    assert_true(musc_music_diff(m, c, buf, sizeof buf));
    assert_string_equal(buf, "");
    /* every owned buffer is a new allocation */
    assert_ptr_not_equal(c->metadata.title, m->metadata.title);
    assert_ptr_not_equal(c->metadata.creators, m->metadata.creators);
    assert_ptr_not_equal(c->metadata.creators[0], m->metadata.creators[0]);
    assert_string_equal(c->metadata.source_filename, "a.mid");
    assert_ptr_not_equal(c->tempos, m->tempos);
    assert_ptr_not_equal(c->lyrics[0].text, m->lyrics[0].text);
    assert_ptr_not_equal(c->raw_events[0].data, m->raw_events[0].data);
    assert_ptr_not_equal(c->tracks, m->tracks);
    assert_ptr_not_equal(c->tracks[0].notes, m->tracks[0].notes);
    assert_ptr_not_equal(c->tracks[0].chords[0].pitches, m->tracks[0].chords[0].pitches);
    assert_ptr_not_equal(c->tracks[0].name, m->tracks[0].name);
    assert_ptr_not_equal(c->tracks[0].annotations[0].text, m->tracks[0].annotations[0].text);
    assert_int_equal(c->tracks[0].channel, m->tracks[0].channel);
    /* independence: editing the copy leaves the original alone */
    c->tracks[0].notes[0].pitch = 10;
    c->tracks[0].chords[0].pitches[0] = 11;
    c->raw_events[0].data[0] = 0;
    c->lyrics[0].text[0] = 'X';
    musc_set_string(&c->tracks[1].name, "renamed");
    assert_int_equal(m->tracks[0].notes[0].pitch, 60);
    assert_int_equal(m->tracks[0].chords[0].pitches[0], 60);
    assert_int_equal(m->raw_events[0].data[0], 0x41);
    assert_string_equal(m->lyrics[0].text, "la");
    assert_string_equal(m->tracks[1].name, "drums");
    assert_false(musc_music_equal(m, c));
    /* and freeing the original leaves the copy usable */
    musc_music_free(m);
    assert_int_equal(musc_music_validate(c), MUSC_OK);
    musc_music_free(c);
}

static void copy_of_empty_music(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music *c = musc_music_copy(m);
    assert_non_null(c);
    assert_true(musc_music_equal(m, c));
    assert_null(c->tracks);
    musc_music_free(m);
    musc_music_free(c);
}

static void track_copy_and_clear(void **state)
{
    (void)state;
    musc_music *m = full_music();
    musc_track t;
    assert_int_equal(musc_track_copy(&t, &m->tracks[0]), MUSC_OK);
    assert_int_equal(t.n_notes, 2);
    assert_ptr_not_equal(t.notes, m->tracks[0].notes);
    assert_string_equal(t.name, "violin");
    assert_string_equal(t.instrument_name, "inst");
    musc_track_clear(&t);
    assert_null(t.notes);
    assert_int_equal(t.n_notes, 0);
    assert_null(t.name);
    musc_track_clear(&t); /* clearing twice is harmless */
    musc_track_clear(NULL);
    musc_music_free(m);
}

static void remove_track_shifts_the_rest(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music_add_track(m, 1, 0, "a");
    musc_music_add_track(m, 2, 0, "b");
    musc_music_add_track(m, 3, 0, "c");
    musc_track_add_note(&m->tracks[1], 0, 1, 60, 64);
    assert_int_equal(musc_music_remove_track(m, 1), MUSC_OK);
    assert_int_equal(m->n_tracks, 2);
    assert_string_equal(m->tracks[0].name, "a");
    assert_string_equal(m->tracks[1].name, "c");
    assert_int_equal(musc_music_remove_track(m, 1), MUSC_OK); /* the last one */
    assert_int_equal(m->n_tracks, 1);
    assert_int_equal(musc_music_remove_track(m, 1), MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "track index 1 out of range"));
    assert_int_equal(musc_music_remove_track(m, 0), MUSC_OK);
    assert_int_equal(m->n_tracks, 0);
    assert_int_equal(musc_music_remove_track(m, 0), MUSC_ERR_ARG);
    musc_music_free(m);
}

static void set_string_copies_and_clears(void **state)
{
    (void)state;
    char *field = NULL;
    char src[] = "hello";
    assert_int_equal(musc_set_string(&field, src), MUSC_OK);
    assert_ptr_not_equal(field, src);
    src[0] = 'j';
    assert_string_equal(field, "hello");
    assert_int_equal(musc_set_string(&field, "ünïcødé"), MUSC_OK);
    assert_string_equal(field, "ünïcødé");
    assert_int_equal(musc_set_string(&field, ""), MUSC_OK);
    assert_string_equal(field, "");
    assert_int_equal(musc_set_string(&field, NULL), MUSC_OK);
    assert_null(field);
    /* setting a field from its own value must not read freed memory */
    musc_set_string(&field, "self");
    assert_int_equal(musc_set_string(&field, field), MUSC_OK);
    assert_string_equal(field, "self");
    free(field);
}

/* Users may replace an array by one from malloc(), as music.h allows. */
static void user_replaced_arrays_are_owned(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_note *notes = malloc(3 * sizeof *notes);
    for (int i = 0; i < 3; i++)
        notes[i] = (musc_note){.time = i, .duration = 1, .pitch = 60, .velocity = 64};
    t->notes = notes;
    t->n_notes = t->cap_notes = 3;
    assert_int_equal(musc_track_add_note(t, 3, 1, 60, 64), MUSC_OK); /* grows it */
    assert_int_equal(t->n_notes, 4);
    t->n_notes = 2; /* shrink the count */
    musc_music *c = musc_music_copy(m);
    assert_int_equal(c->tracks[0].n_notes, 2);
    musc_music_free(c);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_music_has_defaults),
        cmocka_unit_test(add_functions_store_values),
        cmocka_unit_test(many_appends_grow),
        cmocka_unit_test(null_buffers_with_counts_are_rejected),
        cmocka_unit_test(copy_is_deep_and_equal),
        cmocka_unit_test(copy_of_empty_music),
        cmocka_unit_test(track_copy_and_clear),
        cmocka_unit_test(remove_track_shifts_the_rest),
        cmocka_unit_test(set_string_copies_and_clears),
        cmocka_unit_test(user_replaced_arrays_are_owned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
