/*
 * musc_transpose: pitched notes, chords and key pressures move, drums do
 * not; out-of-range pitches are an error that changes nothing, or are
 * dropped on request; key signatures follow with a sensible spelling.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

static musc_music *piece(void)
{
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, "piano");
    musc_track_add_note(t, 0, 24, 60, 80);
    musc_track_add_note(t, 24, 24, 120, 80);
    int16_t p[] = {60, 64, 67};
    musc_track_add_chord(t, 0, 24, p, 3, 70);
    musc_track_add_pressure(t, 0, 60, 10);
    musc_track_add_pressure(t, 0, -1, 20);
    musc_track_add_pitch_bend(t, 0, 300);
    t = musc_music_add_track(m, 0, 1, "drums");
    musc_track_add_note(t, 0, 6, 36, 100);
    musc_track_add_note(t, 0, 6, 127, 100);
    musc_music_add_key_signature(m, 0, 0, MUSC_MODE_MAJOR, 0);
    return m;
}

static void pitched_tracks_move_drums_stay(void **state)
{
    (void)state;
    musc_music *m = piece();
    assert_int_equal(musc_transpose(m, 5, 0), MUSC_OK);
    musc_track *t = &m->tracks[0];
    assert_int_equal(t->notes[0].pitch, 65);
    assert_int_equal(t->notes[1].pitch, 125);
    assert_int_equal(t->chords[0].pitches[0], 65);
    assert_int_equal(t->chords[0].pitches[2], 72);
    assert_int_equal(t->pressures[0].pitch, 65);
    assert_int_equal(t->pressures[1].pitch, -1); /* channel pressure has no key */
    assert_int_equal(t->pitch_bends[0].value, 300);
    assert_int_equal(m->tracks[1].notes[0].pitch, 36);
    assert_int_equal(m->tracks[1].notes[1].pitch, 127);
    /* and back down restores the original */
    musc_music *orig = piece();
    assert_int_equal(musc_transpose(m, -5, 0), MUSC_OK);
    assert_true(musc_music_equal(m, orig));
    musc_music_free(orig);
    musc_music_free(m);
}

static void out_of_range_is_error_and_unchanged(void **state)
{
    (void)state;
    musc_music *m = piece(), *before = piece();
    assert_int_equal(musc_transpose(m, 8, 0), MUSC_ERR_RANGE); /* 120 + 8 */
    assert_non_null(strstr(musc_errmsg(), "tracks[0].notes[1].pitch 120 +8"));
    assert_true(musc_music_equal(m, before));
    assert_int_equal(musc_transpose(m, -61, 0), MUSC_ERR_RANGE); /* 60 - 61 */
    assert_non_null(strstr(musc_errmsg(), "tracks[0].notes[0]"));
    assert_true(musc_music_equal(m, before));
    /* huge shifts cannot overflow into range */
    assert_int_equal(musc_transpose(m, INT32_MAX, 0), MUSC_ERR_RANGE);
    assert_int_equal(musc_transpose(m, INT32_MIN, 0), MUSC_ERR_RANGE);
    assert_true(musc_music_equal(m, before));
    musc_music_free(m);
    musc_music_free(before);
}

static void chord_pitch_out_of_range_is_error(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    int16_t p[] = {2, 20};
    musc_track_add_chord(t, 0, 4, p, 2, 64);
    assert_int_equal(musc_transpose(m, -3, 0), MUSC_ERR_RANGE);
    assert_non_null(strstr(musc_errmsg(), "tracks[0].chords[0].pitches[0]"));
    assert_int_equal(m->tracks[0].chords[0].pitches[0], 2);
    musc_music_free(m);
}

static void drop_removes_only_what_leaves(void **state)
{
    (void)state;
    musc_music *m = piece();
    int16_t q[] = {125, 126};
    musc_track_add_chord(&m->tracks[0], 48, 24, q, 2, 70); /* all of it leaves */
    musc_track_add_pressure(&m->tracks[0], 48, 125, 1);
    assert_int_equal(musc_transpose(m, 5, 1), MUSC_OK);
    musc_track *t = &m->tracks[0];
    assert_int_equal(t->n_notes, 2); /* 60 -> 65 and 120 -> 125 both fit */
    assert_int_equal(musc_transpose(m, 5, 1), MUSC_OK);
    assert_int_equal(t->n_notes, 1);
    assert_int_equal(t->notes[0].pitch, 70);
    assert_int_equal(t->n_chords, 1); /* the all-out chord is gone */
    assert_int_equal(t->chords[0].n_pitches, 3);
    assert_int_equal(t->n_pressures, 2); /* key 125 gone, channel pressure kept */
    assert_int_equal(t->pressures[1].pitch, -1);
    /* a chord partly out keeps the pitches that fit, in order */
    assert_int_equal(musc_transpose(m, 50, 1), MUSC_OK);
    assert_int_equal(t->n_notes, 1);
    assert_int_equal(t->notes[0].pitch, 120);
    assert_int_equal(t->chords[0].n_pitches, 3);
    assert_int_equal(musc_transpose(m, 5, 1), MUSC_OK);
    assert_int_equal(t->n_notes, 1);
    assert_int_equal(t->notes[0].pitch, 125);
    assert_int_equal(t->n_chords, 1);
    assert_int_equal(t->chords[0].n_pitches, 1); /* 125 .. 132: only 120+5 left */
    assert_int_equal(t->chords[0].pitches[0], 125);
    assert_int_equal(m->tracks[1].n_notes, 2); /* drums untouched */
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    musc_music_free(m);
}

static int fifths_after(int fifths, int root, int s, int *new_root)
{
    musc_music *m = musc_music_new(24);
    musc_music_add_key_signature(m, 0, fifths, MUSC_MODE_MAJOR, root);
    assert_int_equal(musc_transpose(m, s, 0), MUSC_OK);
    int f = m->key_signatures[0].fifths;
    *new_root = m->key_signatures[0].root;
    musc_music_free(m);
    return f;
}

static void key_signatures_follow(void **state)
{
    (void)state;
    int r;
    assert_int_equal(fifths_after(0, 0, 2, &r), 2); /* C -> D */
    assert_int_equal(r, 2);
    assert_int_equal(fifths_after(0, 0, 1, &r), -5); /* C -> Db, not C# */
    assert_int_equal(r, 1);
    assert_int_equal(fifths_after(0, 0, -1, &r), 5); /* C -> B, not Cb */
    assert_int_equal(r, 11);
}

static void key_spelling_rules(void **state)
{
    (void)state;
    int r;
    assert_int_equal(fifths_after(-1, 5, 3, &r), -4); /* F -> Ab */
    assert_int_equal(r, 8);
    /* F# / Gb: six either way, keep the original side */
    assert_int_equal(fifths_after(1, 7, -1, &r), 6); /* G -> F# */
    assert_int_equal(fifths_after(-1, 5, 1, &r), -6); /* F -> Gb */
    assert_int_equal(fifths_after(0, 0, 6, &r), 6);  /* C -> F# (no side: sharps) */
    /* whole octaves keep even an extreme spelling */
    assert_int_equal(fifths_after(7, 1, 12, &r), 7);
    assert_int_equal(r, 1);
    assert_int_equal(fifths_after(-7, 11, -24, &r), -7);
    /* unknown root stays unknown, fifths still move */
    assert_int_equal(fifths_after(0, -1, 7, &r), 1);
    assert_int_equal(r, -1);
    /* negative shifts wrap the root */
    assert_int_equal(fifths_after(2, 2, -5, &r), 3); /* D -> A */
    assert_int_equal(r, 9);
}

static char *moved(const char *symbol, int s, int key_fifths)
{
    musc_music *m = musc_music_new(24);
    if (key_fifths != 99)
        musc_music_add_key_signature(m, 0, key_fifths, MUSC_MODE_MAJOR, -1);
    musc_music_add_annotation(m, 0, MUSC_ANN_CHORD, symbol);
    assert_int_equal(musc_transpose(m, s, 0), MUSC_OK);
    static char buf[64];
    snprintf(buf, sizeof buf, "%s", m->annotations[0].text ? m->annotations[0].text : "(null)");
    musc_music_free(m);
    return buf;
}

/* Chord symbols follow: roots and bass notes move and are respelled after
 * the new key; the quality text is kept; other annotations are untouched. */
static void chord_symbols_follow(void **state)
{
    (void)state;
    assert_string_equal(moved("Am7", 2, 99), "Bm7");
    assert_string_equal(moved("C", 1, 99), "Db");      /* no key: usual names */
    assert_string_equal(moved("C", 6, 99), "F#");
    assert_string_equal(moved("C/E", 2, 0), "D/F#");   /* C -> D major: sharps */
    assert_string_equal(moved("F#m7b5/C#", 1, 2), "Gm7b5/D");
    assert_string_equal(moved("G7", 3, 0), "Bb7");     /* C -> Eb major: flats */
    assert_string_equal(moved("Bbmaj7(#11)", -1, -2), "Amaj7(#11)");
    assert_string_equal(moved("C#", 2, 99), "Eb");
    assert_string_equal(moved("B\xe2\x99\xad" "7", 2, 99), "C7"); /* Unicode flat */
    assert_string_equal(moved("Dm/F", 12, 99), "Dm/F"); /* octaves: untouched */
    assert_string_equal(moved("N.C.", 5, 99), "N.C.");  /* no root: kept */
    assert_string_equal(moved("Em/x", 5, 99), "Am/x");  /* slash without a note */
    assert_string_equal(moved("Db", 1, 99), "D");

    musc_music *m = musc_music_new(24);
    musc_music_add_annotation(m, 0, MUSC_ANN_TEXT, "C");
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_annotation(t, 0, MUSC_ANN_CHORD, "E7");
    musc_track_add_annotation(t, 0, MUSC_ANN_CHORD, NULL);
    t = musc_music_add_track(m, 0, 1, NULL);
    musc_track_add_annotation(t, 0, MUSC_ANN_CHORD, "E7");
    assert_int_equal(musc_transpose(m, 5, 0), MUSC_OK);
    assert_string_equal(m->annotations[0].text, "C"); /* plain text: kept */
    assert_string_equal(m->tracks[0].annotations[0].text, "A7");
    assert_null(m->tracks[0].annotations[1].text);
    assert_string_equal(m->tracks[1].annotations[0].text, "E7"); /* drum track */
    /* a failed transposition leaves the symbols alone too */
    musc_track_add_note(&m->tracks[0], 0, 1, 127, 64);
    assert_int_equal(musc_transpose(m, 5, 0), MUSC_ERR_RANGE);
    assert_string_equal(m->tracks[0].annotations[0].text, "A7");
    musc_music_free(m);
}

/* The key in force at each symbol's time decides its spelling. */
static void chord_spelling_follows_key_changes(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music_add_key_signature(m, 0, 0, MUSC_MODE_MAJOR, 0);   /* C -> D: sharps */
    musc_music_add_key_signature(m, 96, -2, MUSC_MODE_MAJOR, 10); /* Bb -> C: usual */
    musc_music_add_key_signature(m, 192, -3, MUSC_MODE_MAJOR, 3); /* Eb -> F: flats */
    musc_music_add_annotation(m, 0, MUSC_ANN_CHORD, "F");
    musc_music_add_annotation(m, 96, MUSC_ANN_CHORD, "Bb");
    musc_music_add_annotation(m, 200, MUSC_ANN_CHORD, "Ab");
    assert_int_equal(musc_transpose(m, 2, 0), MUSC_OK);
    assert_string_equal(m->annotations[0].text, "G");
    assert_string_equal(m->annotations[1].text, "C");
    assert_string_equal(m->annotations[2].text, "Bb");
    musc_set_string(&m->annotations[0].text, "F");
    assert_int_equal(musc_transpose(m, 1, 0), MUSC_OK); /* D -> Eb: flats */
    assert_string_equal(m->annotations[0].text, "Gb");
    musc_music_free(m);
}

static void zero_and_null(void **state)
{
    (void)state;
    musc_music *m = piece(), *before = piece();
    assert_int_equal(musc_transpose(m, 0, 0), MUSC_OK);
    assert_true(musc_music_equal(m, before));
    assert_int_equal(musc_transpose(NULL, 1, 0), MUSC_ERR_ARG);
    musc_music_free(m);
    musc_music_free(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pitched_tracks_move_drums_stay),
        cmocka_unit_test(out_of_range_is_error_and_unchanged),
        cmocka_unit_test(chord_pitch_out_of_range_is_error),
        cmocka_unit_test(drop_removes_only_what_leaves),
        cmocka_unit_test(key_signatures_follow),
        cmocka_unit_test(key_spelling_rules),
        cmocka_unit_test(chord_symbols_follow),
        cmocka_unit_test(chord_spelling_follows_key_changes),
        cmocka_unit_test(zero_and_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
