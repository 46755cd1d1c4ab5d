/*
 * Checkpoints: a save/load round trip (parameters, config, optimizer
 * state), and clear errors for every kind of damage: truncation, a flipped
 * byte in the header or the data, bad magic, a newer version, a model with
 * a different shape or set of tensors, a missing file. Valid and damaged
 * files are saved as seeds for the fuzz_checkpoint target.
 */
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "musc/nn.h"

static void make_params(musc_nn_params *p, int rows)
{
    memset(p, 0, sizeof *p);
    int s1[2] = {rows, 5}, s2[1] = {3}, s3[3] = {2, 2, 2};
    assert_true(musc_nn_params_add(p, "w", 2, s1, 0) >= 0);
    assert_true(musc_nn_params_add(p, "b", 1, s2, MUSC_NN_NO_DECAY) >= 0);
    assert_true(musc_nn_params_add(p, "cube", 3, s3, 0) >= 0);
    assert_int_equal(musc_nn_params_alloc(p, 1), MUSC_OK);
    for (size_t i = 0; i < p->size; i++)
        p->data[i] = (float)i * 0.25f - 3.0f;
}

static const char *CONFIG = "{\"model\":\"test\",\"layers\":2}";

static char *saved_file(size_t *size)
{
    musc_nn_params p;
    make_params(&p, 4);
    char *path = test_tmp_path("nn_ckpt_base.bin");
    assert_int_equal(musc_nn_params_save(path, &p, CONFIG), MUSC_OK);
    musc_nn_params_free(&p);
    char *data = test_read_file(path, size);
    assert_non_null(data);
    free(path);
    return data;
}

static musc_status open_bytes(const char *name, const void *data, size_t size)
{
    char *path = test_tmp_path(name);
    assert_int_equal(test_write_file(path, data, size), 0);
    musc_nn_checkpoint *c = NULL;
    musc_status st = musc_nn_checkpoint_open(path, &c);
    musc_nn_checkpoint_free(c);
    /* the in-memory reader agrees */
    musc_nn_checkpoint *m = NULL;
    assert_int_equal(musc_nn_checkpoint_open_mem(data, size, &m), st);
    musc_nn_checkpoint_free(m);
    test_save_seed("checkpoint", name, data, size);
    free(path);
    return st;
}

static void test_round_trip_restores_tensors_and_config(void **state)
{
    (void)state;
    musc_nn_params p, q;
    make_params(&p, 4);
    make_params(&q, 4);
    memset(q.data, 0, q.size * sizeof(float));
    char *path = test_tmp_path("nn_ckpt_rt.bin");
    assert_int_equal(musc_nn_params_save(path, &p, CONFIG), MUSC_OK);
    musc_nn_checkpoint *c;
    assert_int_equal(musc_nn_checkpoint_open(path, &c), MUSC_OK);
    assert_string_equal(musc_nn_checkpoint_config(c), CONFIG);
    assert_int_equal(musc_nn_checkpoint_kind(c), MUSC_NN_CKPT_MODEL);
    assert_int_equal(musc_nn_checkpoint_count(c), 3);
    musc_nn_tensor t = musc_nn_checkpoint_tensor(c, musc_nn_checkpoint_find(c, "cube"));
    assert_int_equal(t.ndim, 3);
    assert_int_equal(t.size, 8);
    assert_int_equal((uintptr_t)t.data % 64, 0);
    assert_int_equal(musc_nn_params_load(&q, c), MUSC_OK);
    for (int i = 0; i < p.count; i++)
        assert_memory_equal(p.tensors[i].data, q.tensors[i].data, p.tensors[i].size * 4);
    musc_nn_checkpoint_free(c);
    size_t size;
    char *bytes = test_read_file(path, &size);
    test_save_seed("checkpoint", "valid", bytes, size);
    free(bytes);

    /* optimizer state */
    musc_nn_adamw opt, opt2;
    assert_int_equal(musc_nn_adamw_init(&opt, &p, NULL), MUSC_OK);
    assert_int_equal(musc_nn_adamw_init(&opt2, &p, NULL), MUSC_OK);
    for (size_t i = 0; i < p.size; i++)
        p.grad[i] = (float)i;
    musc_nn_adamw_step(&opt, &p, 0.01f);
    musc_nn_adamw_step(&opt, &p, 0.01f);
    char *opath = test_tmp_path("nn_ckpt_opt.bin");
    assert_int_equal(musc_nn_adamw_save(opath, &opt), MUSC_OK);
    assert_int_equal(musc_nn_adamw_load(&opt2, opath), MUSC_OK);
    assert_int_equal(opt2.step, 2);
    assert_memory_equal(opt.m, opt2.m, opt.size * 4);
    assert_memory_equal(opt.v, opt2.v, opt.size * 4);
    /* a model file is not an optimizer file, and vice versa */
    assert_int_equal(musc_nn_adamw_load(&opt2, path), MUSC_ERR_FORMAT);
    assert_int_equal(musc_nn_checkpoint_open(opath, &c), MUSC_OK);
    assert_int_equal(musc_nn_params_load(&q, c), MUSC_ERR_ARG);
    musc_nn_checkpoint_free(c);
    musc_nn_params big;
    make_params(&big, 8); /* 40 floats: a different padded size */
    musc_nn_adamw opt3;
    assert_int_equal(musc_nn_adamw_init(&opt3, &big, NULL), MUSC_OK);
    assert_int_equal(musc_nn_adamw_load(&opt3, opath), MUSC_ERR_INVALID);
    assert_non_null(strstr(musc_errmsg(), "parameters"));
    musc_nn_adamw_free(&opt);
    musc_nn_adamw_free(&opt2);
    musc_nn_adamw_free(&opt3);
    musc_nn_params_free(&big);
    musc_nn_params_free(&p);
    musc_nn_params_free(&q);
    free(path);
    free(opath);
}

static void test_damaged_files_give_clear_errors(void **state)
{
    (void)state;
    size_t size;
    char *data = saved_file(&size);
    char *bad = malloc(size);

    assert_int_equal(open_bytes("truncated", data, size - 10), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "truncated"));
    assert_int_equal(open_bytes("header_only", data, 40), MUSC_ERR_FORMAT);
    assert_int_equal(open_bytes("empty", data, 0), MUSC_ERR_FORMAT);

    memcpy(bad, data, size);
    bad[size - 5] ^= 0x10;
    assert_int_equal(open_bytes("data_flip", bad, size), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "data CRC"));

    memcpy(bad, data, size);
    bad[60] ^= 0x01; /* inside the config */
    assert_int_equal(open_bytes("config_flip", bad, size), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "header CRC"));

    memcpy(bad, data, size);
    bad[0] = 'X';
    assert_int_equal(open_bytes("magic", bad, size), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "magic"));

    memcpy(bad, data, size);
    bad[8] = 2; /* version 2 */
    assert_int_equal(open_bytes("version", bad, size), MUSC_ERR_UNSUPPORTED);
    assert_non_null(strstr(musc_errmsg(), "version 2"));

    musc_nn_checkpoint *c = NULL;
    char *missing = test_tmp_path("nn_ckpt_does_not_exist.bin");
    assert_int_equal(musc_nn_checkpoint_open(missing, &c), MUSC_ERR_NOTFOUND);
    assert_non_null(strstr(musc_errmsg(), "nn_ckpt_does_not_exist"));
    assert_null(c);
    free(missing);
    free(bad);
    free(data);
}

static void test_mismatched_model_is_refused(void **state)
{
    (void)state;
    size_t size;
    char *data = saved_file(&size);
    musc_nn_checkpoint *c;
    assert_int_equal(musc_nn_checkpoint_open_mem(data, size, &c), MUSC_OK);

    musc_nn_params other;
    make_params(&other, 6); /* w is 6x5, file has 4x5 */
    assert_int_equal(musc_nn_params_load(&other, c), MUSC_ERR_INVALID);
    assert_non_null(strstr(musc_errmsg(), "'w' is 4x5, the model expects 6x5"));
    musc_nn_params_free(&other);

    musc_nn_params more = {0};
    int s[1] = {3};
    musc_nn_params_add(&more, "b", 1, s, 0);
    musc_nn_params_add(&more, "extra", 1, s, 0);
    musc_nn_params_alloc(&more, 0);
    assert_int_equal(musc_nn_params_load(&more, c), MUSC_ERR_NOTFOUND);
    assert_non_null(strstr(musc_errmsg(), "'extra' is missing"));
    musc_nn_params_free(&more);

    musc_nn_params fewer = {0};
    musc_nn_params_add(&fewer, "b", 1, s, 0);
    musc_nn_params_alloc(&fewer, 0);
    assert_int_equal(musc_nn_params_load(&fewer, c), MUSC_ERR_INVALID);
    assert_non_null(strstr(musc_errmsg(), "does not belong"));
    musc_nn_params_free(&fewer);
    musc_nn_checkpoint_free(c);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_restores_tensors_and_config),
        cmocka_unit_test(test_damaged_files_give_clear_errors),
        cmocka_unit_test(test_mismatched_model_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
