/* Checkpoint configs shared by the task models; see model_config.h. */
#include "model_config.h"

#include <stdlib.h>
#include <string.h>

#include "musc/error.h"

int musc_model_config_int(json_t *cfg, const char *key, int *v)
{
    json_t *j = json_object_get(cfg, key);
    if (!json_is_integer(j))
        return -1;
    json_int_t x = json_integer_value(j);
    if (x < 0 || x > 1 << 20)
        return -1;
    *v = (int)x;
    return 0;
}

musc_status musc_model_save(const char *path, const musc_nn_params *params, json_t *cfg,
                            const char *who)
{
    char *text = cfg ? json_dumps(cfg, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(cfg);
    if (!text)
        return musc_error(MUSC_ERR_NOMEM, "%s: out of memory", who);
    musc_status st = musc_nn_params_save(path, params, text);
    free(text);
    return st;
}

musc_status musc_model_open(const char *path, const char *task, const char *expected,
                            musc_nn_checkpoint **ck, json_t **cfg)
{
    *ck = NULL;
    *cfg = NULL;
    musc_nn_checkpoint *c;
    musc_status st = musc_nn_checkpoint_open(path, &c);
    if (st)
        return st;
    json_error_t jerr;
    json_t *o = json_loads(musc_nn_checkpoint_config(c), 0, &jerr);
    const char *t = o ? json_string_value(json_object_get(o, "task")) : NULL;
    if (!t || strcmp(t, task)) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: a model for task '%s', expected %s (task \"%s\")",
                        path, t ? t : "unknown", expected, task);
        json_decref(o);
        musc_nn_checkpoint_free(c);
        return st;
    }
    *ck = c;
    *cfg = o;
    return MUSC_OK;
}
