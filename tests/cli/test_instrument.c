/* musc instrument: train and eval on a folder of constructed chorales,
 * label MIDI, MusicXML and ABC mixtures into named parts, and refuse bad
 * input, wrong models and overwriting with clear messages. */
#include "cli_test.h"

#include "models/instrument_test.h"

#define P "cli_instrument"

static char *folder, *model, *bimodel, *mixmid;

static musc_music *make_mixture(musc_music *satb);

/* Write `m` to a scratch file (replacing it) and return its path. */
/* A mixture: all four voices of `satb` in one piano track. */
static musc_music *make_mixture(musc_music *satb)
{
    musc_music *mix = musc_music_new(24);
    musc_music_add_time_signature(mix, 0, 4, 4);
    musc_track *t = musc_music_add_track(mix, 0, 0, "Piano");
    for (int v = 0; v < 4; v++)
        for (size_t i = 0; i < satb->tracks[v].n_notes; i++)
            musc_track_add_note(t, satb->tracks[v].notes[i].time,
                                satb->tracks[v].notes[i].duration,
                                satb->tracks[v].notes[i].pitch, 80);
    musc_track_sort(t);
    return mix;
}

static char *write_music(const musc_music *m, const char *name)
{
    char *path = scratch(P, name);
    musc_write_options wo = musc_write_options_default();
    wo.overwrite = 1;
    assert_int_equal(musc_write(m, path, &wo), MUSC_OK);
    return path;
}

static int setup(void **state)
{
    (void)state;
    folder = scratch(P, "chorales");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", folder, folder);
    if (system(cmd))
        return -1;
    musc_write_options wo = musc_write_options_default();
    wo.overwrite = 1;
    for (int i = 0; i < 30; i++) {
        musc_music *m = make_satb(24, 100 + (unsigned)i);
        snprintf(cmd, sizeof cmd, "%s/chorale%02d.musicxml", folder, i);
        if (musc_write(m, cmd, &wo))
            return -1;
        musc_music_free(m);
    }
    musc_music *satb = make_satb(16, 999), *mix = make_mixture(satb);
    mixmid = test_tmp_path(P "-mixture.mid");
    int rc = musc_write(mix, mixmid, &wo);
    musc_music_free(mix);
    musc_music_free(satb);
    if (rc)
        return -1;
    model = scratch(P, "closest.ck");
    bimodel = scratch(P, "bilstm.ck");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(folder);
    free(model);
    free(bimodel);
    free(mixmid);
    return 0;
}

static void trains_and_evaluates(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(musc_run(NULL, &err,
                              "instrument train --data '%s' --dataset bach --model closest "
                              "-o '%s' --force",
                              folder, model),
                     0);
    assert_non_null(strstr(err, "train:"));
    free(err);
    /* exists: refused without --force */
    assert_int_equal(musc_run(NULL, &err,
                              "instrument train --data '%s' --dataset bach --model closest -o '%s'",
                              folder, model),
                     1);
    assert_non_null(strstr(err, "--force"));
    free(err);
    assert_int_equal(musc_run(&out, NULL, "instrument eval --model '%s' --data '%s' --split train "
                                          "--json",
                              model, folder),
                     0);
    json_t *j = parse_json(out);
    json_t *conf = json_object_get(j, "confusion");
    assert_int_equal(json_array_size(conf), 4);
    assert_int_equal(json_array_size(json_array_get(conf, 0)), 4);
    double acc = json_real_value(json_object_get(j, "accuracy"));
    printf("closest pitch on constructed chorales (train split): %.2f %%\n", acc);
    assert_true(acc > 90.0);
    assert_string_equal(json_string_value(json_object_get(j, "dataset")), "bach");
    json_decref(j);
    free(out);
    assert_int_equal(musc_run(&out, NULL, "instrument eval --model '%s' --data '%s' --split train",
                              model, folder),
                     0);
    assert_non_null(strstr(out, "confusion"));
    assert_non_null(strstr(out, "soprano"));
    free(out);
    /* a tiny offline model, for the --online refusal below */
    assert_int_equal(musc_run(NULL, NULL,
                              "instrument train --data '%s' --dataset bach --model bilstm -o '%s' "
                              "--force --steps 3 --layers 1 --hidden 4 --embed 4 --batch 2 "
                              "--seq-len 16 --quiet",
                              folder, bimodel),
                     0);
}

static void check_output(const char *out_path, size_t notes, int program)
{
    musc_music *m;
    assert_int_equal(musc_read(out_path, NULL, &m, NULL), MUSC_OK);
    assert_int_equal(m->n_tracks, 4);
    static const char *const names[4] = {"Soprano", "Alto", "Tenor", "Bass"};
    size_t total = 0;
    for (int k = 0; k < 4; k++) {
        assert_string_equal(m->tracks[k].name, names[k]);
        total += m->tracks[k].n_notes;
    }
    assert_int_equal(m->tracks[0].program, program);
    assert_int_equal(total, notes);
    /* the constructed voices never cross, so closest pitch puts the highest
     * note of the first chord in the soprano */
    assert_true(m->tracks[0].n_notes > 0 && m->tracks[3].n_notes > 0);
    assert_true(m->tracks[0].notes[0].pitch > m->tracks[3].notes[0].pitch);
    musc_music_free(m);
}

static void labels_midi_musicxml_and_abc(void **state)
{
    (void)state;
    musc_music *satb = make_satb(16, 999), *mix = make_mixture(satb);
    const char *ins[3] = {"mix.mid", "mix.musicxml", "satb.abc"};
    for (int f = 0; f < 3; f++) {
        char *in = write_music(f == 2 ? satb : mix, ins[f]);
        char *out = scratch(P, f == 0 ? "out0.mid" : f == 1 ? "out1.musicxml" : "out2.mid");
        unlink(out);
        char *err;
        assert_int_equal(musc_run(NULL, &err, "instrument '%s' -o '%s' --model '%s' --online",
                                  in, out, model),
                         0);
        assert_non_null(strstr(err, "64 notes into 4 parts"));
        free(err);
        check_output(out, 64, 52);
        /* exists: refused; --force with strings */
        assert_int_equal(musc_run(NULL, &err, "instrument '%s' -o '%s' --model '%s'", in, out,
                                  model),
                         1);
        assert_non_null(strstr(err, "--force"));
        free(err);
        assert_int_equal(musc_run(NULL, NULL,
                                  "instrument '%s' -o '%s' --model '%s' --force --voices strings "
                                  "--parts satb",
                                  in, out, model),
                         0);
        check_output(out, 64, 40);
        free(in);
        free(out);
    }
    char *in = strdup(mixmid), *out = scratch(P, "json.mid"), *js;
    unlink(out);
    assert_int_equal(musc_run(&js, NULL, "instrument '%s' -o '%s' --model '%s' --json", in, out,
                              model),
                     0);
    json_t *j = parse_json(js);
    assert_int_equal(json_int_field(j, "notes"), 64);
    assert_int_equal(json_array_size(json_object_get(j, "parts")), 4);
    json_decref(j);
    free(js);
    free(in);
    free(out);
    musc_music_free(mix);
    musc_music_free(satb);
}

static void refuses_bad_input_and_wrong_models(void **state)
{
    (void)state;
    char *err, *out = scratch(P, "never.mid");
    unlink(out);
    /* empty piece */
    musc_music *empty = musc_music_new(24);
    musc_music_add_track(empty, 0, 0, "Piano");
    char *e = write_music(empty, "empty.mid");
    assert_int_equal(musc_run(NULL, &err, "instrument '%s' -o '%s' --model '%s'", e, out, model),
                     1);
    assert_non_null(strstr(err, "expected pitched notes"));
    free(err);
    /* drums only */
    musc_track *d = musc_music_add_track(empty, 0, 1, "Drums");
    musc_track_add_note(d, 0, 12, 36, 100);
    char *dr = write_music(empty, "drums.mid");
    assert_int_equal(musc_run(NULL, &err, "instrument '%s' -o '%s' --model '%s'", dr, out, model),
                     1);
    assert_non_null(strstr(err, "drum"));
    free(err);
    assert_false(access(out, F_OK) == 0);
    /* model for another task */
    musc_nn_params p;
    memset(&p, 0, sizeof p);
    int shape[1] = {4};
    musc_nn_params_add(&p, "w", 1, shape, 0);
    musc_nn_params_alloc(&p, 0);
    char *other = scratch(P, "mmt.ck");
    assert_int_equal(musc_nn_params_save(other, &p, "{\"task\":\"mmt\"}"), MUSC_OK);
    char *mid = strdup(mixmid);
    assert_int_equal(musc_run(NULL, &err, "instrument '%s' -o '%s' --model '%s'", mid, out, other),
                     1);
    assert_non_null(strstr(err, "expected an instrument model"));
    free(err);
    /* ensemble the model does not know */
    assert_int_equal(musc_run(NULL, &err, "instrument '%s' -o '%s' --model '%s' --parts quartet",
                              mid, out, model),
                     1);
    assert_non_null(strstr(err, "model for bach"));
    free(err);
    /* --online with an offline model */
    assert_int_equal(musc_run(NULL, &err, "instrument '%s' -o '%s' --model '%s' --online", mid,
                              out, bimodel),
                     1);
    assert_non_null(strstr(err, "past notes"));
    free(err);
    assert_false(access(out, F_OK) == 0);
    /* usage */
    assert_int_equal(musc_run(NULL, NULL, "instrument '%s' -o '%s'", mid, out), 2);
    assert_int_equal(musc_run(NULL, NULL, "instrument '%s' -o '%s' --model '%s' --voices brass",
                              mid, out, model),
                     2);
    assert_int_equal(musc_run(NULL, NULL, "instrument train --data x --dataset orchestra "
                                          "--model zone -o y"),
                     2);
    assert_int_equal(musc_run(NULL, NULL, "instrument eval --model '%s'", model), 2);
    assert_int_equal(musc_run(NULL, &err, "instrument eval --model '%s' --data /nonexistent",
                              model),
                     1);
    free(err);
    char *help;
    assert_int_equal(musc_run(&help, NULL, "instrument --help"), 0);
    assert_non_null(strstr(help, "--voices"));
    free(help);
    musc_nn_params_free(&p);
    musc_music_free(empty);
    free(e);
    free(dr);
    free(other);
    free(mid);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trains_and_evaluates),
        cmocka_unit_test(labels_midi_musicxml_and_abc),
        cmocka_unit_test(refuses_bad_input_and_wrong_models),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
