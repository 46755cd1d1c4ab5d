/*
 * libFuzzer target for the instrumentation front end. Inputs starting with
 * an even byte are MIDI files: read, merged into a mixture (the beat-grid
 * features must stay inside their vocabularies whatever the time
 * signatures), labelled by a closest-pitch and a tiny LSTM model, and
 * arranged into a score that must validate. Inputs starting with an odd
 * byte are model configs: written into a checkpoint beside a valid
 * statistics tensor and loaded, which must fail cleanly or give a model
 * that can label a note.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "musc/musc.h"

static musc_instrument_model *closest, *lstm;

static void build_models(void)
{
    musc_instrument_note notes[8];
    for (int i = 0; i < 8; i++)
        notes[i] = (musc_instrument_note){i / 4 * 24, 24, 72 - 9 * (i % 4), 12, 0, 0, 0, i % 4};
    musc_instrument_piece p = {NULL, 24, 4, {72, 63, 54, 45}, notes, 8};
    musc_instrument_set s = {&p, 1, 1, 0, 0};
    musc_instrument_train_options o = musc_instrument_train_defaults();
    o.steps = 2;
    o.batch = 1;
    o.seq_len = 8;
    o.layers = 1;
    o.hidden = 4;
    o.embed = 4;
    if (musc_instrument_train(MUSC_INSTR_CLOSEST, MUSC_INSTR_BACH, &s, NULL, &o, &closest) ||
        musc_instrument_train(MUSC_INSTR_LSTM, MUSC_INSTR_BACH, &s, NULL, &o, &lstm))
        abort();
}

static void check_piece(const musc_instrument_piece *p)
{
    for (size_t i = 0; i < p->n_notes; i++) {
        const musc_instrument_note *n = &p->notes[i];
        if (n->pitch < 0 || n->pitch > 127 || n->beat < 0 || n->beat >= MUSC_INSTR_BEATS ||
            n->position < 0 || n->position >= MUSC_INSTR_POSITIONS || n->duration_code < 0 ||
            n->duration_code >= MUSC_INSTR_DURATIONS)
            abort();
        if (i && (n->time < p->notes[i - 1].time))
            abort();
    }
}

static void midi_path(const uint8_t *data, size_t size)
{
    musc_music *m = NULL;
    if (musc_midi_read_mem(data, size, NULL, &m, NULL) != MUSC_OK)
        return;
    musc_instrument_piece p;
    if (musc_instrument_mixture(m, &p) == MUSC_OK) {
        check_piece(&p);
        int *labels = malloc(p.n_notes * sizeof *labels);
        musc_instrument_model *mod = p.n_notes < 4096 ? lstm : closest;
        if (!labels || musc_instrument_predict(mod, &p, labels) != MUSC_OK)
            abort();
        musc_music *out = musc_instrument_arrange(&p, labels, MUSC_INSTR_BACH, 1, m);
        if (!out || musc_music_validate(out) != MUSC_OK)
            abort();
        musc_music_free(out);
        free(labels);
        musc_instrument_piece_clear(&p);
    }
    for (int e = 0; e < 3; e++)
        if (musc_instrument_extract(m, (musc_instrument_ensemble)e, &p) == MUSC_OK) {
            check_piece(&p);
            musc_instrument_piece_clear(&p);
        }
    musc_music_free(m);
}

static void config_path(const uint8_t *data, size_t size)
{
    char *cfg = malloc(size + 1);
    if (!cfg)
        return;
    memcpy(cfg, data, size);
    cfg[size] = 0;
    musc_nn_params p;
    memset(&p, 0, sizeof p);
    int shape[1] = {4}, zshape[1] = {128};
    musc_nn_params_add(&p, "stats.mean", 1, shape, 0);
    musc_nn_params_add(&p, "zone.part", 1, zshape, 0);
    if (musc_nn_params_alloc(&p, 0) == MUSC_OK) {
        for (int k = 0; k < 4; k++)
            p.data[k] = 50.0f + 5 * k;
        char path[64];
        snprintf(path, sizeof path, "/tmp/fuzz_instrument_%d.ck", (int)getpid());
        musc_instrument_model *m = NULL;
        if (musc_nn_params_save(path, &p, cfg) == MUSC_OK &&
            musc_instrument_load_model(path, &m) == MUSC_OK) {
            musc_instrument_note n = {0, 24, 60, 12, 0, 0, 0, -1};
            musc_instrument_piece piece = {NULL, 24, 0, {0}, &n, 1};
            int label = -1;
            if (musc_instrument_predict(m, &piece, &label) != MUSC_OK || label < 0 ||
                label >= musc_instrument_model_parts(m))
                abort();
            musc_instrument_model_free(m);
        }
        unlink(path);
    }
    musc_nn_params_free(&p);
    free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!closest)
        build_models();
    if (size < 1)
        return 0;
    if (data[0] & 1)
        config_path(data + 1, size - 1);
    else
        midi_path(data + 1, size - 1);
    return 0;
}
