/*
 * The MMT model: whole-model gradients against finite differences (every
 * tensor, independent and conditioned heads, dropout on), save/load giving
 * bit-identical logits, the KV-cache step path against the full forward,
 * sampling that always respects the grammar, training that overfits a tiny
 * synthetic dataset, and a resumed run equal to an uninterrupted one.
 */
#include <math.h>
#include <omp.h>
#include <string.h>
#include <sys/stat.h>

#include "../nn/gradcheck.h"
#include "musc/musc.h"
#include "test_support.h"

#define NF MUSC_MMT_FIELDS

/* A tiny config with small vocabularies (so every code appears). */
static musc_mmt_config tiny_config(int conditioned)
{
    musc_mmt_config c;
    memset(&c, 0, sizeof c);
    c.n_layer = 2, c.d_model = 8, c.n_head = 2, c.d_ff = 16, c.max_seq_len = 12;
    c.dropout = 0.1f;
    int sizes[NF] = {5, 9, 13, 11, 7, 6};
    memcpy(c.field_sizes, sizes, sizeof sizes);
    c.conditioned_heads = conditioned;
    return c;
}

static void random_codes(int32_t *codes, int B, int T, const int *V, musc_nn_rng *rng)
{
    for (int i = 0; i < B * T; i++)
        for (int f = 0; f < NF; f++)
            codes[i * NF + f] = (int32_t)(musc_nn_rng_next(rng) % (uint64_t)V[f]);
}

/* Big enough random parameters that every gradient is well above float noise. */
static void scramble(musc_mmt_model *m, uint64_t seed)
{
    musc_nn_params *p = musc_mmt_model_params(m);
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, seed);
    for (int i = 0; i < p->count; i++) {
        musc_nn_tensor *t = &p->tensors[i];
        gc_fill(t->data, t->size, 0.3f, &rng);
        size_t n = strlen(t->name);
        if (n > 2 && !strcmp(t->name + n - 2, ".w") && t->ndim == 1)
            for (size_t k = 0; k < t->size; k++)
                t->data[k] += 1.0f;
    }
}

typedef struct loss_ctx {
    musc_mmt_model *m;
    int32_t *codes;
    int *lengths;
    int B, T;
} loss_ctx;

static double loss_only(void *user)
{
    loss_ctx *c = user;
    double loss = 0.0;
    assert_int_equal(musc_mmt_model_loss(c->m, c->codes, c->lengths, c->B, c->T, 1, 77, 0, NULL,
                                         &loss, NULL),
                     MUSC_OK);
    return loss;
}

static void gradcheck_case(int conditioned)
{
    musc_mmt_config cfg = tiny_config(conditioned);
    musc_mmt_model *m;
    assert_int_equal(musc_mmt_model_new(&cfg, NULL, 1, &m), MUSC_OK);
    scramble(m, 5);
    enum { B = 2, T = 9 };
    int32_t codes[B * T * NF];
    int lengths[B] = {T, 6}; /* the second sequence ends in padding */
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 11);
    random_codes(codes, B, T, cfg.field_sizes, &rng);
    loss_ctx c = {m, codes, lengths, B, T};
    musc_nn_params *p = musc_mmt_model_params(m);
    musc_nn_params_zero_grad(p);
    double loss, fl[NF];
    long n;
    assert_int_equal(musc_mmt_model_loss(m, codes, lengths, B, T, 1, 77, 1, fl, &loss, &n),
                     MUSC_OK);
    assert_int_equal(n, (T - 1) + (6 - 1));
    double s = 0;
    for (int f = 0; f < NF; f++)
        s += fl[f];
    assert_true(fabs(s - loss) < 1e-9);
    double worst = 0.0;
    int checked = 0;
    for (int i = 0; i < p->count; i++) {
        musc_nn_tensor *t = &p->tensors[i];
        double e = gc_check(loss_only, &c, t->data, t->grad, t->size, 1e-2f, 1e-2, 24);
        if (e > 0.05)
            print_message("tensor %s: relative error %.4f\n", t->name, e);
        worst = e > worst ? e : worst;
        checked++;
        /* padding rows and absent codes aside, gradients are not all zero */
        if (strncmp(t->name, "pos", 3) && strncmp(t->name, "emb.", 4) &&
            strncmp(t->name, "cond.", 5)) {
            double norm = 0;
            for (size_t k = 0; k < t->size; k++)
                norm += fabs(t->grad[k]);
            assert_true(norm > 0);
        }
    }
    print_message("gradcheck (%s heads): %d tensors, worst relative error %.5f\n",
                  conditioned ? "conditioned" : "independent", checked, worst);
    assert_true(worst < 0.05);
    if (conditioned)
        assert_true(musc_nn_params_find(p, "cond.instrument.pitch") >= 0);
    else
        assert_true(musc_nn_params_find(p, "cond.instrument.pitch") < 0);
    /* padding contributes nothing: changing a padded target row leaves the loss */
    double before = loss_only(&c);
    codes[(1 * T + 7) * NF + 3] = (codes[(1 * T + 7) * NF + 3] + 1) % cfg.field_sizes[3];
    assert_true(loss_only(&c) == before);
    musc_mmt_model_free(m);
}

static void test_gradients_independent_heads(void **state)
{
    (void)state;
    gradcheck_case(0);
}

static void test_gradients_conditioned_heads(void **state)
{
    (void)state;
    gradcheck_case(1);
}

static void test_presets_and_param_count(void **state)
{
    (void)state;
    musc_mmt_config c;
    assert_int_equal(musc_mmt_config_preset("mmt", &c), MUSC_OK);
    size_t n = musc_mmt_config_param_count(&c);
    print_message("mmt preset: %zu parameters\n", n);
    /* the paper: 19.94 M */
    assert_true(n > 19850000 && n < 20000000);
    assert_int_equal(c.field_sizes[1], 257);
    assert_int_equal(musc_mmt_config_preset("small", &c), MUSC_OK);
    assert_int_equal(c.n_layer, 4);
    assert_int_equal(c.d_model, 256);
    assert_int_equal(musc_mmt_config_preset("huge", &c), MUSC_ERR_ARG);
    c.d_model = 30; /* not a multiple of 8 heads */
    assert_int_equal(musc_mmt_config_check(&c), MUSC_ERR_ARG);
}

static void test_config_json_round_trip(void **state)
{
    (void)state;
    musc_mmt_config c = tiny_config(1), d;
    musc_mmt_options t = musc_mmt_options_default(), u;
    t.max_beat = 8;
    t.keep_drums = 1;
    char *js = musc_mmt_config_to_json(&c, &t, "{\"step\":3}");
    assert_non_null(js);
    assert_non_null(strstr(js, "\"step\": 3"));
    test_save_seed("mmt_config", "tiny", js, strlen(js));
    assert_int_equal(musc_mmt_config_from_json(js, &d, &u), MUSC_OK);
    assert_memory_equal(&c, &d, sizeof c);
    assert_int_equal(u.max_beat, 8);
    assert_int_equal(u.keep_drums, 1);
    free(js);
    assert_int_equal(musc_mmt_config_from_json("{\"model\":\"remi\"}", &d, NULL), MUSC_ERR_FORMAT);
    assert_int_equal(musc_mmt_config_from_json("not json", &d, NULL), MUSC_ERR_FORMAT);
}

static void test_save_load_identical_logits(void **state)
{
    (void)state;
    musc_mmt_config cfg = tiny_config(1);
    musc_mmt_model *m, *k;
    assert_int_equal(musc_mmt_model_new(&cfg, NULL, 0, &m), MUSC_OK);
    musc_mmt_model_init(m, 3);
    scramble(m, 9);
    char *path = test_tmp_path("mmt-save.ckpt");
    assert_int_equal(musc_mmt_model_save(m, path, NULL), MUSC_OK);
    assert_int_equal(musc_mmt_model_load(path, 0, &k), MUSC_OK);
    enum { B = 2, T = 10 };
    int32_t codes[B * T * NF];
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 4);
    random_codes(codes, B, T, cfg.field_sizes, &rng);
    const float *a[NF], *b[NF];
    assert_int_equal(musc_mmt_model_forward(m, codes, NULL, B, T, a), MUSC_OK);
    assert_int_equal(musc_mmt_model_forward(k, codes, NULL, B, T, b), MUSC_OK);
    for (int f = 0; f < NF; f++)
        assert_memory_equal(a[f], b[f], (size_t)B * T * cfg.field_sizes[f] * sizeof(float));
    musc_mmt_model_free(k);

    /* a damaged file is refused with a message */
    size_t size;
    char *bytes = test_read_file(path, &size);
    assert_non_null(bytes);
    bytes[size - 5] ^= 0x55;
    char *bad = test_tmp_path("mmt-bad.ckpt");
    assert_int_equal(test_write_file(bad, bytes, size), 0);
    assert_int_equal(musc_mmt_model_load(bad, 0, &k), MUSC_ERR_FORMAT);
    assert_null(k);
    test_save_seed("checkpoint", "mmt-tiny", bytes, size);
    free(bytes);
    assert_int_equal(musc_mmt_model_load("/nonexistent/model", 0, &k), MUSC_ERR_NOTFOUND);
    free(bad);
    free(path);
    musc_mmt_model_free(m);
}

static void kv_case(int conditioned)
{
    musc_mmt_config cfg = tiny_config(conditioned);
    musc_mmt_model *m;
    assert_int_equal(musc_mmt_model_new(&cfg, NULL, 0, &m), MUSC_OK);
    scramble(m, 21);
    enum { T = 12 };
    int32_t codes[T * NF];
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 8);
    random_codes(codes, 1, T, cfg.field_sizes, &rng);
    const float *full[NF];
    assert_int_equal(musc_mmt_model_forward(m, codes, NULL, 1, T, full), MUSC_OK);
    /* keep copies: the step path does not touch the batch buffers, but be safe */
    float *copy[NF];
    for (int f = 0; f < NF; f++) {
        size_t n = (size_t)T * cfg.field_sizes[f];
        copy[f] = malloc(n * sizeof(float));
        memcpy(copy[f], full[f], n * sizeof(float));
    }
    assert_int_equal(musc_mmt_model_begin(m), MUSC_OK);
    float logits[16];
    double worst = 0;
    for (int t = 0; t < T; t++) {
        assert_int_equal(musc_mmt_model_step(m, codes + t * NF), MUSC_OK);
        int32_t next[NF] = {0};
        if (t + 1 < T)
            memcpy(next, codes + (t + 1) * NF, sizeof next);
        for (int f = 0; f < NF; f++) {
            assert_int_equal(musc_mmt_model_head(m, f, next, logits), MUSC_OK);
            for (int v = 0; v < cfg.field_sizes[f]; v++) {
                double d = fabs(logits[v] - copy[f][t * cfg.field_sizes[f] + v]);
                worst = d > worst ? d : worst;
            }
        }
    }
    print_message("KV cache vs full forward (%s): max |diff| %.3g\n",
                  conditioned ? "conditioned" : "independent", worst);
    assert_true(worst < 1e-4);
    int32_t row[NF] = {0};
    assert_int_equal(musc_mmt_model_step(m, row), MUSC_ERR_RANGE); /* context full */
    for (int f = 0; f < NF; f++)
        free(copy[f]);
    musc_mmt_model_free(m);
}

static void test_kv_cache_matches_forward(void **state)
{
    (void)state;
    kv_case(0);
    kv_case(1);
}

/* ---- sampling ---------------------------------------------------------- */

static musc_mmt_model *sampling_model(int conditioned, int max_seq)
{
    musc_mmt_config cfg;
    assert_int_equal(musc_mmt_config_preset("tiny", &cfg), MUSC_OK);
    cfg.max_seq_len = max_seq;
    cfg.conditioned_heads = conditioned;
    musc_mmt_model *m;
    assert_int_equal(musc_mmt_model_new(&cfg, NULL, 0, &m), MUSC_OK);
    musc_mmt_model_init(m, 99);
    scramble(m, 31); /* peaky random logits test the masks hardest */
    return m;
}

static void test_sampling_respects_grammar(void **state)
{
    (void)state;
    for (int cond = 0; cond < 2; cond++) {
        musc_mmt_model *m = sampling_model(cond, 200);
        const musc_mmt_config *cfg = musc_mmt_model_config(m);
        for (int trial = 0; trial < 12; trial++) {
            musc_mmt_sample_options o = musc_mmt_sample_options_default();
            o.seed = (uint64_t)trial;
            int inst[2] = {1, 41}; /* piano, violin */
            if (trial % 3 == 1) {
                o.instruments = inst;
                o.n_instruments = 2;
            }
            if (trial % 4 == 2)
                o.top_p = 0.9f;
            if (trial % 4 == 3)
                o.temperature = 2.0f, o.top_k = 50;
            if (trial == 5)
                o.max_beats = 8;
            if (trial == 7)
                o.max_notes = 10;
            if (trial == 9)
                o.use_cache = 0;
            int32_t *codes;
            size_t n, notes;
            assert_int_equal(musc_mmt_generate(m, NULL, 0, &o, &codes, &n, &notes), MUSC_OK);
            assert_true(n >= 2 && n <= (size_t)cfg->max_seq_len + 1);
            assert_int_equal(musc_mmt_check_grammar(codes, n, cfg->field_sizes, 1), MUSC_OK);
            size_t counted = 0;
            for (size_t r = 0; r < n; r++) {
                const int32_t *row = codes + r * NF;
                if (row[0] == MUSC_MMT_NOTE) {
                    counted++;
                    if (o.instruments)
                        assert_true(row[5] == 1 || row[5] == 41);
                    if (o.max_beats)
                        assert_true(row[1] - 1 < o.max_beats);
                }
                if (row[0] == MUSC_MMT_INSTRUMENT && o.instruments)
                    assert_true(row[5] == 1 || row[5] == 41);
            }
            assert_int_equal(counted, notes);
            if (o.max_notes)
                assert_true(notes <= (size_t)o.max_notes);
            musc_music *music;
            assert_int_equal(musc_mmt_decode(codes, n, musc_mmt_model_tokenizer(m), &music),
                             MUSC_OK);
            assert_int_equal(musc_music_validate(music), MUSC_OK);
            size_t decoded = 0;
            for (size_t k = 0; k < music->n_tracks; k++)
                decoded += music->tracks[k].n_notes;
            assert_int_equal(decoded, notes);
            musc_music_free(music);
            free(codes);
        }
        musc_mmt_model_free(m);
    }
}

static void test_sampling_is_reproducible_and_cache_free_equal(void **state)
{
    (void)state;
    musc_mmt_model *m = sampling_model(0, 120);
    musc_mmt_sample_options o = musc_mmt_sample_options_default();
    o.seed = 42;
    int32_t *a, *b, *c;
    size_t na, nb, nc;
    assert_int_equal(musc_mmt_generate(m, NULL, 0, &o, &a, &na, NULL), MUSC_OK);
    assert_int_equal(musc_mmt_generate(m, NULL, 0, &o, &b, &nb, NULL), MUSC_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * NF * sizeof(int32_t));
    o.use_cache = 0;
    assert_int_equal(musc_mmt_generate(m, NULL, 0, &o, &c, &nc, NULL), MUSC_OK);
    /* same distribution, rounding aside: in practice the same draws */
    size_t same = 0;
    for (size_t i = 0; i < (na < nc ? na : nc) * NF; i++)
        same += a[i] == c[i];
    assert_true(same > (na < nc ? na : nc) * NF / 2);
    free(a);
    free(b);
    free(c);
    musc_mmt_model_free(m);
}

static void test_prompts(void **state)
{
    (void)state;
    musc_mmt_model *m = sampling_model(0, 100);
    const musc_mmt_config *cfg = musc_mmt_model_config(m);
    /* instrument-informed */
    int32_t prompt[4 * NF] = {0};
    prompt[1 * NF] = MUSC_MMT_INSTRUMENT, prompt[1 * NF + 5] = 25; /* nylon guitar */
    prompt[2 * NF] = MUSC_MMT_INSTRUMENT, prompt[2 * NF + 5] = 33; /* bass */
    prompt[3 * NF] = MUSC_MMT_START_OF_NOTES;
    int32_t *codes;
    size_t n;
    assert_int_equal(musc_mmt_generate(m, prompt, 4, NULL, &codes, &n, NULL), MUSC_OK);
    assert_memory_equal(codes, prompt, sizeof prompt);
    for (size_t r = 4; r + 1 < n; r++)
        assert_true(codes[r * NF + 5] == 25 || codes[r * NF + 5] == 33);
    assert_int_equal(musc_mmt_check_grammar(codes, n, cfg->field_sizes, 1), MUSC_OK);
    /* continuation: the first beats of that song, then more */
    size_t keep = musc_mmt_prompt_rows(codes, n, 3);
    assert_true(keep >= 4);
    int32_t *more;
    size_t n2;
    assert_int_equal(musc_mmt_generate(m, codes, keep, NULL, &more, &n2, NULL), MUSC_OK);
    assert_memory_equal(more, codes, keep * NF * sizeof(int32_t));
    assert_int_equal(musc_mmt_check_grammar(more, n2, cfg->field_sizes, 1), MUSC_OK);
    free(more);
    free(codes);
    /* a prompt that breaks the grammar is refused */
    int32_t badp[2 * NF] = {0};
    badp[NF] = MUSC_MMT_NOTE; /* a note before any instrument */
    badp[NF + 1] = 1, badp[NF + 2] = 1, badp[NF + 3] = 60, badp[NF + 4] = 4, badp[NF + 5] = 1;
    assert_int_equal(musc_mmt_generate(m, badp, 2, NULL, &codes, &n, NULL), MUSC_ERR_ARG);
    musc_mmt_model_free(m);
}

/* ---- training ------------------------------------------------------------ */

/* A folder of small distinct pieces: two instruments, repeating patterns. */
static char *make_dataset(const char *name)
{
    char rel[128];
    snprintf(rel, sizeof rel, "%s-src", name);
    char *src = test_tmp_path(rel);
    snprintf(rel, sizeof rel, "%s-data", name);
    char *out = test_tmp_path(rel);
    mkdir(src, 0755);
    for (int k = 0; k < 12; k++) {
        musc_music *mu = musc_music_new(12);
        musc_track *piano = musc_music_add_track(mu, 0, 0, NULL);
        for (int b = 0; b < 48; b++)
            assert_int_equal(musc_track_add_note(piano, b * 12, 6, 60 + (b * 7 + k) % 12, 80),
                             MUSC_OK);
        musc_track *bass = musc_music_add_track(mu, 33, 0, NULL);
        for (int b = 0; b < 48; b += 2)
            assert_int_equal(musc_track_add_note(bass, b * 12, 24, 36 + (b + k) % 5, 80),
                             MUSC_OK);
        char path[512];
        snprintf(path, sizeof path, "%s/p%02d.mid", src, k);
        musc_write_options wo = musc_write_options_default();
        wo.overwrite = 1;
        assert_int_equal(musc_write(mu, path, &wo), MUSC_OK);
        musc_music_free(mu);
    }
    musc_dataset_options o = musc_dataset_options_default();
    o.overwrite = 1;
    o.split[0] = 2, o.split[1] = 1, o.split[2] = 0;
    assert_int_equal(musc_dataset_build(src, out, &o, NULL), MUSC_OK);
    free(src);
    return out;
}

static musc_mmt_train_options tiny_train(const char *data, const char *out)
{
    musc_mmt_train_options o = musc_mmt_train_options_default();
    assert_int_equal(musc_mmt_config_preset("tiny", &o.config), MUSC_OK);
    o.data = data;
    o.out = out;
    o.batch = 4;
    o.seq = 33;
    o.steps = 60;
    o.lr = 3e-3f;
    o.warmup = 5;
    o.decay_steps = 60;
    o.valid_every = 20;
    o.valid_batches = 2;
    o.ckpt_every = 7;
    o.threads = 2;
    o.force = 1;
    return o;
}

static void read_params(const char *path, musc_mmt_model **m)
{
    assert_int_equal(musc_mmt_model_load(path, 0, m), MUSC_OK);
}

static int stop_at_25(void *user, const musc_mmt_train_progress *p)
{
    (void)user;
    return p->step == 25;
}

static void test_training_overfits_and_resumes_exactly(void **state)
{
    (void)state;
    char *data = make_dataset("mmt-train");
    char *dir_a = test_tmp_path("mmt-train-a"), *dir_b = test_tmp_path("mmt-train-b");
    musc_mmt_train_options o = tiny_train(data, dir_a);
    musc_mmt_train_result ra, rb;
    assert_int_equal(musc_mmt_train(&o, &ra), MUSC_OK);
    assert_int_equal(ra.steps, 60);
    /* the log's first and last losses */
    char logp[600];
    snprintf(logp, sizeof logp, "%s/log.csv", dir_a);
    char *log = test_read_file(logp, NULL);
    assert_non_null(log);
    double first = 0, last = 0;
    int lines = 0;
    for (char *line = strchr(log, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        long step;
        double loss;
        if (sscanf(line + 1, "%ld,%lf", &step, &loss) == 2) {
            if (!lines++)
                first = loss;
            last = loss;
        }
    }
    print_message("tiny training: loss %.3f -> %.3f over 60 steps, best valid %.3f\n", first,
                  last, ra.best_valid);
    assert_true(last < 0.6 * first);
    assert_true(isfinite(ra.best_valid));
    free(log);

    /* an existing folder is refused without force or resume */
    o.force = 0;
    assert_int_equal(musc_mmt_train(&o, NULL), MUSC_ERR_EXISTS);

    /* interrupted at 25, resumed to 60: the same parameters */
    musc_mmt_train_options ob = tiny_train(data, dir_b);
    ob.progress = stop_at_25;
    assert_int_equal(musc_mmt_train(&ob, &rb), MUSC_OK);
    assert_int_equal(rb.steps, 25);
    assert_true(rb.interrupted);
    ob.progress = NULL;
    ob.force = 0;
    ob.resume = 1;
    assert_int_equal(musc_mmt_train(&ob, &rb), MUSC_OK);
    assert_int_equal(rb.steps, 60);
    musc_mmt_model *ma, *mb;
    char pa[600], pb[600];
    snprintf(pa, sizeof pa, "%s/model.ckpt", dir_a);
    snprintf(pb, sizeof pb, "%s/model.ckpt", dir_b);
    read_params(pa, &ma);
    read_params(pb, &mb);
    musc_nn_params *a = musc_mmt_model_params(ma), *b = musc_mmt_model_params(mb);
    assert_int_equal(a->size, b->size);
    assert_memory_equal(a->data, b->data, a->size * sizeof(float));
    assert_true(ra.best_valid == rb.best_valid);
    musc_mmt_model_free(ma);
    musc_mmt_model_free(mb);

    /* the stored options read back */
    musc_mmt_train_options back = musc_mmt_train_options_default();
    char *owned;
    assert_int_equal(musc_mmt_train_options_load(dir_b, &back, &owned), MUSC_OK);
    assert_string_equal(back.data, data);
    assert_int_equal(back.batch, 4);
    assert_int_equal(back.seq, 33);
    assert_int_equal(back.config.d_model, 32);
    free(owned);
    free(dir_a);
    free(dir_b);
    free(data);
}

/* Prompt cutting reads codes that nothing has checked yet: extreme beat
 * codes must not overflow (found by fuzz_mmt_config). */
static void test_prompt_rows_extreme_codes(void **state)
{
    (void)state;
    int32_t rows[3 * 6] = {0};
    rows[0] = 0; /* start-of-song */
    rows[6] = MUSC_MMT_NOTE;
    rows[7] = INT32_MIN;
    rows[12] = MUSC_MMT_NOTE;
    rows[13] = INT32_MAX;
    assert_int_equal(musc_mmt_prompt_rows(rows, 3, 4), 2);
    assert_int_equal(musc_mmt_prompt_rows(rows, 3, INT32_MAX), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradients_independent_heads),
        cmocka_unit_test(test_gradients_conditioned_heads),
        cmocka_unit_test(test_presets_and_param_count),
        cmocka_unit_test(test_config_json_round_trip),
        cmocka_unit_test(test_save_load_identical_logits),
        cmocka_unit_test(test_kv_cache_matches_forward),
        cmocka_unit_test(test_sampling_respects_grammar),
        cmocka_unit_test(test_sampling_is_reproducible_and_cache_free_equal),
        cmocka_unit_test(test_prompts),
        cmocka_unit_test(test_prompt_rows_extreme_codes),
        cmocka_unit_test(test_training_overfits_and_resumes_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
