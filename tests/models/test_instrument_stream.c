/*
 * The live stream (musc_instrument_stream_*): pushing a piece's notes one
 * by one to the shipped online LSTM gives exactly the labels of labelling
 * the whole piece at once, on a constructed chorale and (when ../shared is
 * there) on every Bach test piece; reset starts a new piece; the zone model
 * streams too; offline models and out-of-range notes are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instrument_test.h"
#include "test_support.h"

static musc_instrument_model *shipped(const char *name)
{
    const char *src = getenv("MUSC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/models/instrument/%s", src ? src : ".", name);
    musc_instrument_model *m;
    assert_int_equal(musc_instrument_load_model(path, &m), MUSC_OK);
    return m;
}

/* Stream the piece's notes (twice, with a reset between) and compare with
 * the batch labels; returns the number of notes. */
static size_t check_piece(musc_instrument_model *m, musc_instrument_stream *s,
                          const musc_instrument_piece *piece)
{
    musc_instrument_piece mix = *piece;
    mix.n_parts = 0; /* a mixture: what a live performance is */
    int *batch = malloc((mix.n_notes + 1) * sizeof *batch);
    assert_int_equal(musc_instrument_predict(m, &mix, batch), MUSC_OK);
    for (int round = 0; round < 2; round++) {
        musc_instrument_stream_reset(s);
        for (size_t i = 0; i < mix.n_notes; i++) {
            int part = -1;
            assert_int_equal(musc_instrument_stream_push(s, &mix.notes[i], &part), MUSC_OK);
            if (part != batch[i])
                fail_msg("%s note %zu (round %d): stream %d, batch %d",
                         piece->name ? piece->name : "piece", i, round, part, batch[i]);
        }
    }
    free(batch);
    return mix.n_notes;
}

static void test_stream_equals_batch_on_constructed_chorale(void **state)
{
    (void)state;
    musc_music *music = make_satb(96, 3);
    musc_instrument_piece piece;
    assert_int_equal(musc_instrument_extract(music, MUSC_INSTR_BACH, &piece), MUSC_OK);
    const char *names[2] = {"bach-lstm.ck", "bach-zone.ck"};
    for (int k = 0; k < 2; k++) {
        musc_instrument_model *m = shipped(names[k]);
        musc_instrument_stream *s;
        assert_int_equal(musc_instrument_stream_new(m, &s), MUSC_OK);
        size_t n = check_piece(m, s, &piece);
        printf("%s: %zu notes streamed, labels equal to the batch model\n", names[k], n);
        /* a bad note is refused and changes nothing */
        musc_instrument_note bad = piece.notes[0];
        bad.beat = MUSC_INSTR_BEATS;
        int part = 7;
        assert_int_equal(musc_instrument_stream_push(s, &bad, &part), MUSC_ERR_RANGE);
        assert_int_equal(part, 7);
        musc_instrument_stream_free(s);
        musc_instrument_model_free(m);
    }
    musc_instrument_model *bi = shipped("bach-bilstm.ck");
    musc_instrument_stream *s = NULL;
    assert_int_equal(musc_instrument_stream_new(bi, &s), MUSC_ERR_ARG);
    assert_null(s);
    musc_instrument_model_free(bi);
    musc_instrument_piece_clear(&piece);
    musc_music_free(music);
}

static void test_stream_equals_batch_on_bach_test_split(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: needs ../shared/data\n");
        skip();
    }
    char dir[512];
    snprintf(dir, sizeof dir, "%s/music21_corpus/bach", data);
    musc_instrument_set test;
    assert_int_equal(musc_instrument_load(dir, MUSC_INSTR_BACH, 2, &test), MUSC_OK);
    musc_instrument_model *m = shipped("bach-lstm.ck");
    musc_instrument_stream *s;
    assert_int_equal(musc_instrument_stream_new(m, &s), MUSC_OK);
    size_t n = 0;
    for (size_t i = 0; i < test.n_pieces; i++)
        n += check_piece(m, s, &test.pieces[i]);
    printf("bach-lstm.ck: %zu pieces, %zu notes streamed, labels equal to the batch model\n",
           test.n_pieces, n);
    musc_instrument_stream_free(s);
    musc_instrument_model_free(m);
    musc_instrument_set_free(&test);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_equals_batch_on_constructed_chorale),
        cmocka_unit_test(test_stream_equals_batch_on_bach_test_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
