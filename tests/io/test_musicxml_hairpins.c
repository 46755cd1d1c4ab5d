/*
 * Hairpins (MusicXML <wedge>): the reader pairs starts and stops by number
 * (offsets, overlapping wedges, a missing stop, a stop without a start),
 * the writer writes them back so a round trip keeps them, and JSON keeps
 * them under "musc_hairpins".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musc/musc.h"
#include "test_support.h"

#define SCORE(measures)                                                                    \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                           \
    "<score-partwise version=\"4.0\"><part-list><score-part id=\"P1\"><part-name>Lead"       \
    "</part-name></score-part></part-list><part id=\"P1\">" measures "</part></score-partwise>"
#define Q(step) \
    "<note><pitch><step>" #step "</step><octave>4</octave></pitch><duration>1</duration></note>"
#define WEDGE(type, number)                                                                \
    "<direction><direction-type><wedge type=\"" type "\" number=\"" #number "\"/>"          \
    "</direction-type></direction>"

static musc_music *read_xml(const char *xml, const char *seed)
{
    test_save_seed("musicxml", seed, xml, strlen(xml));
    musc_music *m = NULL;
    musc_status st = musc_musicxml_read_mem((const uint8_t *)xml, strlen(xml), NULL, &m, NULL);
    if (st)
        fprintf(stderr, "unexpected error: %s\n", musc_errmsg());
    assert_int_equal(st, MUSC_OK);
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    return m;
}

static void assert_hairpin(const musc_track *t, size_t i, int64_t time, int64_t dur, int kind)
{
    assert_true(i < t->n_hairpins);
    if (t->hairpins[i].time != time || t->hairpins[i].duration != dur ||
        t->hairpins[i].kind != kind)
        fprintf(stderr, "hairpin %zu is (%lld, %lld, %d), expected (%lld, %lld, %d)\n", i,
                (long long)t->hairpins[i].time, (long long)t->hairpins[i].duration,
                t->hairpins[i].kind, (long long)time, (long long)dur, kind);
    assert_int_equal(t->hairpins[i].time, time);
    assert_int_equal(t->hairpins[i].duration, dur);
    assert_int_equal(t->hairpins[i].kind, kind);
}

static void wedges_pair_by_number_with_offsets(void **state)
{
    (void)state;
    /* a crescendo over bar 1 into bar 2 (number 1), and overlapping it a
     * diminuendo (number 2) that starts one quarter after its direction
     * through <offset> and stops at bar 2's start */
    musc_music *m = read_xml(
        SCORE("<measure><attributes><divisions>1</divisions><time><beats>4</beats>"
              "<beat-type>4</beat-type></time></attributes>"
              "<direction><direction-type><dynamics><p/></dynamics></direction-type></direction>"
              WEDGE("crescendo", 1) Q(C) Q(D)
              "<direction><direction-type><wedge type=\"diminuendo\" number=\"2\"/>"
              "</direction-type><offset>1</offset></direction>" Q(E) Q(F)
              "</measure><measure>" WEDGE("stop", 2) Q(G) Q(A) WEDGE("stop", 1)
              "<direction><direction-type><dynamics><f/></dynamics></direction-type></direction>"
              Q(B) Q(C) "</measure>"),
        "hairpins-1.xml");
    const musc_track *t = &m->tracks[0];
    int64_t q = m->resolution;
    assert_int_equal(t->n_hairpins, 2);
    assert_hairpin(t, 0, 0, 6 * q, MUSC_HAIRPIN_CRESCENDO);
    assert_hairpin(t, 1, 3 * q, q, MUSC_HAIRPIN_DIMINUENDO);
    /* the marks still set the written velocities */
    assert_int_equal(t->notes[0].velocity, 49);
    assert_int_equal(t->notes[6].velocity, 96);
    musc_music_free(m);
}

static void unpaired_wedges_and_repeats(void **state)
{
    (void)state;
    /* a stop with no start is ignored; a start never stopped lasts to the
     * end; a wedge inside a repeated bar is played on each pass */
    musc_music *m = read_xml(
        SCORE("<measure><attributes><divisions>1</divisions><time><beats>2</beats>"
              "<beat-type>4</beat-type></time></attributes>" WEDGE("stop", 3)
              WEDGE("diminuendo", 1) Q(C) WEDGE("stop", 1) Q(D)
              "<barline location=\"right\"><repeat direction=\"backward\"/></barline>"
              "</measure><measure>" WEDGE("crescendo", 1) Q(E) Q(F) "</measure>"),
        "hairpins-2.xml");
    const musc_track *t = &m->tracks[0];
    int64_t q = m->resolution;
    assert_int_equal(t->n_notes, 6);
    assert_int_equal(t->n_hairpins, 3);
    assert_hairpin(t, 0, 0, q, MUSC_HAIRPIN_DIMINUENDO);
    assert_hairpin(t, 1, 2 * q, q, MUSC_HAIRPIN_DIMINUENDO);
    assert_hairpin(t, 2, 4 * q, 2 * q, MUSC_HAIRPIN_CRESCENDO);
    musc_music_free(m);
}

/* A score with hairpins that overlap, one of no length, and one that ends
 * where the score ends. */
static musc_music *hairpin_score(void)
{
    musc_music *m = musc_music_new(4);
    assert_int_equal(musc_music_add_time_signature(m, 0, 4, 4), MUSC_OK);
    musc_track *t = musc_music_add_track(m, 0, 0, "piano");
    for (int i = 0; i < 12; i++)
        assert_int_equal(musc_track_add_note(t, 4 * i, 4, 60 + i, 64), MUSC_OK);
    assert_int_equal(musc_track_add_hairpin(t, 0, 20, MUSC_HAIRPIN_CRESCENDO), MUSC_OK);
    assert_int_equal(musc_track_add_hairpin(t, 8, 6, MUSC_HAIRPIN_DIMINUENDO), MUSC_OK);
    assert_int_equal(musc_track_add_hairpin(t, 20, 0, MUSC_HAIRPIN_DIMINUENDO), MUSC_OK);
    assert_int_equal(musc_track_add_hairpin(t, 20, 28, MUSC_HAIRPIN_CRESCENDO), MUSC_OK);
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    return m;
}

static void musicxml_round_trip_keeps_hairpins(void **state)
{
    (void)state;
    musc_music *m = hairpin_score();
    uint8_t *xml = NULL;
    size_t n = 0;
    assert_int_equal(musc_musicxml_write_mem(m, &xml, &n), MUSC_OK);
    assert_non_null(strstr((const char *)xml, "<wedge type=\"crescendo\" number=\"1\"/>"));
    assert_non_null(strstr((const char *)xml, "<wedge type=\"diminuendo\" number=\"2\"/>"));
    test_save_seed("musicxml", "hairpins-3.xml", xml, n);
    musc_music *back = NULL;
    assert_int_equal(musc_musicxml_read_mem(xml, n, NULL, &back, NULL), MUSC_OK);
    free(xml);
    assert_int_equal(back->resolution % m->resolution, 0);
    int64_t scale = back->resolution / m->resolution;
    const musc_track *a = &m->tracks[0], *b = &back->tracks[0];
    assert_int_equal(b->n_hairpins, a->n_hairpins);
    for (size_t i = 0; i < a->n_hairpins; i++)
        assert_hairpin(b, i, a->hairpins[i].time * scale, a->hairpins[i].duration * scale,
                       a->hairpins[i].kind);
    assert_int_equal(b->n_notes, a->n_notes);
    musc_music_free(back);
    musc_music_free(m);
}

static void json_round_trip_keeps_hairpins(void **state)
{
    (void)state;
    musc_music *m = hairpin_score();
    uint8_t *js = NULL;
    size_t n = 0;
    assert_int_equal(musc_json_write_mem(m, &js, &n), MUSC_OK);
    assert_non_null(strstr((const char *)js, "\"musc_hairpins\""));
    musc_music *back = NULL;
    assert_int_equal(musc_json_read_mem(js, n, NULL, &back, NULL), MUSC_OK);
    char diff[256] = "";
    if (!musc_music_diff(m, back, diff, sizeof diff))
        fprintf(stderr, "differs: %s\n", diff);
    assert_true(musc_music_equal(m, back));
    free(js);
    musc_music_free(back);
    /* and a bad kind is an error naming the field */
    const char *bad = "{\"resolution\": 4, \"tracks\": [{\"musc_hairpins\": "
                      "[{\"time\": 0, \"duration\": 4, \"kind\": \"louder\"}]}]}";
    assert_int_equal(musc_json_read_mem((const uint8_t *)bad, strlen(bad), NULL, &back, NULL),
                     MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "kind"));
    musc_music_free(m);
}

static void copy_equal_validate_and_sort(void **state)
{
    (void)state;
    musc_music *m = hairpin_score(), *c = musc_music_copy(m);
    assert_non_null(c);
    assert_true(musc_music_equal(m, c));
    c->tracks[0].hairpins[1].kind = MUSC_HAIRPIN_CRESCENDO;
    char diff[128];
    assert_false(musc_music_diff(m, c, diff, sizeof diff));
    assert_non_null(strstr(diff, "hairpins[1]"));
    c->tracks[0].hairpins[1].kind = 0;
    assert_int_equal(musc_music_validate(c), MUSC_ERR_INVALID);
    c->tracks[0].hairpins[1].kind = MUSC_HAIRPIN_DIMINUENDO;
    c->tracks[0].hairpins[1].duration = -1;
    assert_int_equal(musc_music_validate(c), MUSC_ERR_INVALID);
    c->tracks[0].hairpins[1].duration = 6;
    /* sorting orders them by time */
    musc_hairpin h = c->tracks[0].hairpins[0];
    c->tracks[0].hairpins[0] = c->tracks[0].hairpins[3];
    c->tracks[0].hairpins[3] = h;
    musc_music_sort(c);
    for (size_t i = 1; i < c->tracks[0].n_hairpins; i++)
        assert_true(c->tracks[0].hairpins[i - 1].time <= c->tracks[0].hairpins[i].time);
    /* the end time counts a hairpin's end */
    assert_int_equal(musc_music_end_time(m), 48);
    musc_music_free(c);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wedges_pair_by_number_with_offsets),
        cmocka_unit_test(unpaired_wedges_and_repeats),
        cmocka_unit_test(musicxml_round_trip_keeps_hairpins),
        cmocka_unit_test(json_round_trip_keeps_hairpins),
        cmocka_unit_test(copy_equal_validate_and_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
