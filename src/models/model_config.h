/*
 * Checkpoint configs of the task models (instrumentation, harmonization):
 * the JSON object stored beside the parameters in the engine's checkpoint
 * format, with a "task" key so that a model given to the wrong tool is
 * refused with a clear message. Internal to the library.
 */
#ifndef MUSC_MODEL_CONFIG_H
#define MUSC_MODEL_CONFIG_H

#include <jansson.h>

#include "musc/nn.h"

/* *v = the integer at key when it is one in 0..2^20; -1 otherwise. */
int musc_model_config_int(json_t *cfg, const char *key, int *v);

/* Saves params with cfg as the checkpoint's config and releases cfg (also
 * on error). `who` starts the out-of-memory message. */
musc_status musc_model_save(const char *path, const musc_nn_params *params, json_t *cfg,
                            const char *who);

/* Opens the checkpoint at path and parses its config, which must name
 * `task` ("instrument", "harmonize"); `expected` completes the message
 * "expected <expected>". On success the caller frees *ck and decrefs *cfg. */
musc_status musc_model_open(const char *path, const char *task, const char *expected,
                            musc_nn_checkpoint **ck, json_t **cfg);

#endif
