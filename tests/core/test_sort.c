/*
 * musc_music_sort / musc_track_sort: notes by (time, pitch, duration,
 * velocity), every other list by time, and stability (equal keys keep their
 * stored order) for lists whose elements carry more than the key.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

static void notes_sort_by_full_key(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 10, 5, 60, 64);
    musc_track_add_note(t, 0, 5, 62, 64);
    musc_track_add_note(t, 10, 5, 55, 64);
    musc_track_add_note(t, 10, 3, 60, 64);
    musc_track_add_note(t, 10, 3, 60, 20);
    musc_track_add_note(t, 0, 1, 62, 64);
    musc_music_sort(m);
    const int64_t want[][4] = {{0, 62, 1, 64}, {0, 62, 5, 64}, {10, 55, 5, 64},
                               {10, 60, 3, 20}, {10, 60, 3, 64}, {10, 60, 5, 64}};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(t->notes[i].time, want[i][0]);
        assert_int_equal(t->notes[i].pitch, want[i][1]);
        assert_int_equal(t->notes[i].duration, want[i][2]);
        assert_int_equal(t->notes[i].velocity, want[i][3]);
    }
    musc_music_free(m);
}

/* Many equal times: the merge sort must keep stored order among them. */
static void time_sort_is_stable(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    const int n = 1000;
    for (int i = 0; i < n; i++) {
        int64_t time = (int64_t)((i * 7919) % 13); /* scrambled, many ties */
        musc_track_add_control(t, time, 7, i % 128);
        musc_track_add_pitch_bend(t, time, i);
        char txt[16];
        snprintf(txt, sizeof txt, "%d", i);
        musc_music_add_lyric(m, time, txt);
        musc_music_add_tempo(m, time, 60.0 + i);
    }
    musc_music_sort(m);
    for (size_t i = 1; i < (size_t)n; i++) {
        assert_true(t->pitch_bends[i - 1].time <= t->pitch_bends[i].time);
        if (t->pitch_bends[i - 1].time == t->pitch_bends[i].time)
            assert_true(t->pitch_bends[i - 1].value < t->pitch_bends[i].value);
        assert_true(m->tempos[i - 1].time <= m->tempos[i].time);
        if (m->tempos[i - 1].time == m->tempos[i].time)
            assert_true(m->tempos[i - 1].qpm < m->tempos[i].qpm);
        if (m->lyrics[i - 1].time == m->lyrics[i].time)
            assert_true(atoi(m->lyrics[i - 1].text) < atoi(m->lyrics[i].text));
        assert_true(t->controls[i - 1].time <= t->controls[i].time);
    }
    musc_music_free(m);
}

static void every_list_is_sorted(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    for (int64_t time = 5; time >= 0; time--) {
        musc_music_add_tempo(m, time, 100);
        musc_music_add_key_signature(m, time, 0, 0, 0);
        musc_music_add_time_signature(m, time, 4, 4);
        musc_music_add_lyric(m, time, "l");
        musc_music_add_annotation(m, time, 0, "a");
        musc_music_add_raw_event(m, time, 0x7f, (const uint8_t *)"r", 1, 0);
    }
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    for (int64_t time = 5; time >= 0; time--) {
        int16_t p[] = {60};
        musc_track_add_chord(t, time, 1, p, 1, 64);
        musc_track_add_lyric(t, time, "l");
        musc_track_add_annotation(t, time, 0, "a");
        musc_track_add_control(t, time, 1, 1);
        musc_track_add_pitch_bend(t, time, 0);
        musc_track_add_pressure(t, time, -1, 0);
    }
    musc_music_sort(m);
    for (size_t i = 0; i < 6; i++) {
        int64_t w = (int64_t)i;
        assert_int_equal(m->tempos[i].time, w);
        assert_int_equal(m->key_signatures[i].time, w);
        assert_int_equal(m->time_signatures[i].time, w);
        assert_int_equal(m->lyrics[i].time, w);
        assert_int_equal(m->annotations[i].time, w);
        assert_int_equal(m->raw_events[i].time, w);
        assert_int_equal(t->chords[i].time, w);
        assert_int_equal(t->lyrics[i].time, w);
        assert_int_equal(t->annotations[i].time, w);
        assert_int_equal(t->controls[i].time, w);
        assert_int_equal(t->pitch_bends[i].time, w);
        assert_int_equal(t->pressures[i].time, w);
    }
    musc_music_free(m);
}

/* Sorting is in place: owned pointers move with their elements. */
static void owned_pointers_travel(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    int16_t a[] = {1}, b[] = {2, 3};
    musc_track_add_chord(t, 9, 1, a, 1, 64);
    musc_track_add_chord(t, 1, 1, b, 2, 64);
    musc_track_sort(t);
    assert_int_equal(t->chords[0].n_pitches, 2);
    assert_int_equal(t->chords[0].pitches[1], 3);
    assert_int_equal(t->chords[1].pitches[0], 1);
    musc_music_free(m);
}

static void sorted_and_empty_lists(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music_sort(m); /* nothing at all */
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 1, 60, 64);
    musc_track_add_note(t, 1, 1, 60, 64);
    musc_music *before = musc_music_copy(m);
    musc_music_sort(m);
    assert_true(musc_music_equal(m, before));
    musc_music_free(m);
    musc_music_free(before);
}

/* Big random input against a check of the order. */
static void large_random_notes(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    uint32_t x = 12345;
    for (int i = 0; i < 20000; i++) {
        x = x * 1103515245u + 12345u;
        musc_track_add_note(t, (x >> 8) % 500, (x >> 4) % 3, (x >> 16) % 128, 64);
    }
    musc_music_sort(m);
    for (size_t i = 1; i < t->n_notes; i++) {
        const musc_note *p = &t->notes[i - 1], *q = &t->notes[i];
        assert_true(p->time < q->time || (p->time == q->time && p->pitch < q->pitch) ||
                    (p->time == q->time && p->pitch == q->pitch && p->duration <= q->duration));
    }
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(notes_sort_by_full_key),
        cmocka_unit_test(time_sort_is_stable),
        cmocka_unit_test(every_list_is_sorted),
        cmocka_unit_test(owned_pointers_travel),
        cmocka_unit_test(sorted_and_empty_lists),
        cmocka_unit_test(large_random_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
