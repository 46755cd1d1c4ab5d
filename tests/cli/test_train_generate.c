/*
 * musc train and musc generate end to end: a tiny model trained for a few
 * steps in seconds on generated pieces, resumed, then sampled in the three
 * modes; and the errors for a missing model, a corrupt checkpoint, an
 * existing output and bad options.
 */
#include <sys/stat.h>

#include "cli_test.h"
#include "musc/musc.h"

static char *data_dir, *src_dir;

static int setup(void **state)
{
    (void)state;
    src_dir = test_tmp_path("tg-src");
    data_dir = test_tmp_path("tg-data");
    mkdir(src_dir, 0755);
    for (int k = 0; k < 10; k++) {
        musc_music *mu = musc_music_new(24);
        musc_track *t = musc_music_add_track(mu, k % 2 ? 40 : 0, 0, NULL);
        for (int b = 0; b < 40; b++)
            if (musc_track_add_note(t, b * 24, 12, 62 + (b * 5 + k) % 12, 90))
                return -1;
        musc_track *u = musc_music_add_track(mu, 32, 0, NULL);
        for (int b = 0; b < 40; b += 4)
            if (musc_track_add_note(u, b * 24, 96, 38 + k % 3, 90))
                return -1;
        char path[512];
        snprintf(path, sizeof path, "%s/s%d.mid", src_dir, k);
        musc_write_options wo = musc_write_options_default();
        wo.overwrite = 1;
        if (musc_write(mu, path, &wo))
            return -1;
        musc_music_free(mu);
    }
    return musc_run(NULL, NULL, "dataset build '%s' -o '%s' --repr mmt --split 3:1:0 --force -q",
                    src_dir, data_dir);
}

static int teardown(void **state)
{
    (void)state;
    free(src_dir);
    free(data_dir);
    return 0;
}

static void test_train_resume_generate(void **state)
{
    (void)state;
    char *model = test_tmp_path("tg-model");
    char *err = NULL, *out = NULL;
    int rc = musc_run(NULL, &err,
                      "train --data '%s' -o '%s' --preset tiny --steps 12 --batch 2 --seq 40 "
                      "--valid-every 6 --valid-batches 1 --ckpt-every 5 --threads 1 --force",
                      data_dir, model);
    if (rc)
        print_message("%s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(err, "parameters"));
    free(err);
    const char *files[] = {"config.json", "model.ckpt", "best.ckpt", "optim.ckpt", "log.csv"};
    for (int i = 0; i < 5; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", model, files[i]);
        assert_true((access(p, F_OK) == 0));
    }
    /* a non-empty folder is not overwritten by accident */
    rc = musc_run(NULL, &err, "train --data '%s' -o '%s' --preset tiny --steps 2", data_dir,
                  model);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "not empty"));
    free(err);
    /* resume with more steps: the stored options apply */
    rc = musc_run(NULL, &err, "train -o '%s' --resume --steps 16 -q", model);
    if (rc)
        print_message("%s\n", err);
    assert_int_equal(rc, 0);
    free(err);
    char logp[600];
    snprintf(logp, sizeof logp, "%s/log.csv", model);
    char *log = test_read_file(logp, NULL);
    assert_non_null(log);
    assert_non_null(strstr(log, "\n16,"));
    assert_non_null(strstr(log, "step,loss,type,beat,position,pitch,duration,instrument,valid_loss"));
    free(log);

    /* generate: unconditional, two files */
    char *mid = scratch("tg", "gen.mid");
    char *mid1 = scratch("tg", "gen-1.mid"), *mid2 = scratch("tg", "gen-2.mid");
    rc = musc_run(&out, &err, "generate --model '%s' -o '%s' --count 2 --seed 3 --notes 30",
                  model, mid);
    if (rc)
        print_message("%s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "gen-1.mid"));
    free(out);
    free(err);
    musc_music *mu;
    assert_int_equal(musc_read(mid1, NULL, &mu, NULL), MUSC_OK);
    size_t notes = 0;
    for (size_t t = 0; t < mu->n_tracks; t++)
        notes += mu->tracks[t].n_notes;
    assert_true(notes >= 1 && notes <= 30);
    musc_music_free(mu);
    assert_true((access(mid2, F_OK) == 0));
    /* existing output without --force */
    rc = musc_run(NULL, &err, "generate --model '%s' -o '%s' --count 2", model, mid);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "exists"));
    free(err);

    /* instrument-informed, written as JSON */
    char *js = scratch("tg", "inst.json");
    rc = musc_run(&out, &err, "generate --model '%s/model.ckpt' -o '%s' --instruments "
                  "piano,violin --beats 8 --top-p 0.9", model, js);
    if (rc)
        print_message("%s\n", err);
    assert_int_equal(rc, 0);
    free(out);
    free(err);
    assert_int_equal(musc_read(js, NULL, &mu, NULL), MUSC_OK);
    for (size_t t = 0; t < mu->n_tracks; t++) {
        int prog = mu->tracks[t].program;
        assert_true(prog == 0 || prog == 40);
        for (size_t k = 0; k < mu->tracks[t].n_notes; k++)
            assert_true(mu->tracks[t].notes[k].time < 8 * mu->resolution);
    }
    musc_music_free(mu);

    /* continuation of the first 4 beats of a piece */
    char prompt[600];
    snprintf(prompt, sizeof prompt, "%s/s3.mid", src_dir);
    char *cont = scratch("tg", "cont.mid");
    rc = musc_run(&out, &err, "generate --model '%s' -o '%s' --prompt '%s' --prompt-beats 4 "
                  "--notes 40", model, cont, prompt);
    if (rc)
        print_message("%s\n", err);
    assert_int_equal(rc, 0);
    free(out);
    free(err);

    /* bad inputs */
    rc = musc_run(NULL, &err, "generate --model /nonexistent/dir -o '%s' --force", mid);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "no such model"));
    free(err);
    char ck[600];
    snprintf(ck, sizeof ck, "%s/model.ckpt", model);
    size_t size;
    char *bytes = test_read_file(ck, &size);
    assert_non_null(bytes);
    bytes[size / 2] ^= 0x10;
    char *bad = scratch("tg", "corrupt.ckpt");
    assert_int_equal(test_write_file(bad, bytes, size), 0);
    free(bytes);
    rc = musc_run(NULL, &err, "generate --model '%s' -o '%s' --force", bad, mid);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "CRC"));
    free(err);
    snprintf(ck, sizeof ck, "%s/optim.ckpt", model);
    rc = musc_run(NULL, &err, "generate --model '%s' -o '%s' --force", ck, mid);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "not a model"));
    free(err);
    rc = musc_run(NULL, &err, "generate --model '%s' -o '%s' --force --instruments kazoo", model,
                  mid);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(err, "unknown instrument"));
    free(err);
    rc = musc_run(NULL, NULL, "generate --model '%s' -o '%s' --top-k 3 --top-p 0.5", model, mid);
    assert_int_equal(rc, 2);
    rc = musc_run(NULL, NULL, "train --data '%s' -o '%s' --preset enormous --force", data_dir,
                  model);
    assert_int_equal(rc, 2);
    rc = musc_run(NULL, &err, "train --data /nonexistent -o '%s' --preset tiny --force", model);
    assert_int_equal(rc, 1);
    free(err);
    free(bad);
    free(cont);
    free(js);
    free(mid);
    free(mid1);
    free(mid2);
    free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_resume_generate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
