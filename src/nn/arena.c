/*
 * Arenas and parameter sets. A model lays out its tensors twice with the
 * same code (measure, then carve) so sizes are never computed by hand, and
 * all parameters sit in one block that the optimizer and the checkpoint
 * writer treat as a flat array.
 */
#include "musc/nn.h"

#include <cblas.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn_internal.h"

#define ALIGN 64

static size_t round_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

void nn_blas_single_thread(void)
{
    static atomic_int done;
    if (!atomic_load_explicit(&done, memory_order_acquire)) {
        openblas_set_num_threads(1);
        atomic_store_explicit(&done, 1, memory_order_release);
    }
}

musc_nn_arena musc_nn_arena_measure(void)
{
    musc_nn_arena a = {NULL, SIZE_MAX, 0, 0};
    return a;
}

musc_status musc_nn_arena_init(musc_nn_arena *arena, size_t bytes)
{
    memset(arena, 0, sizeof *arena);
    size_t cap = round_up(bytes ? bytes : ALIGN, ALIGN);
    if (cap < bytes)
        return musc_error(MUSC_ERR_NOMEM, "nn arena: %zu bytes is too large", bytes);
    void *p = aligned_alloc(ALIGN, cap);
    if (!p)
        return musc_error(MUSC_ERR_NOMEM, "nn arena: cannot allocate %zu bytes", cap);
    memset(p, 0, cap);
    arena->base = p;
    arena->cap = cap;
    return MUSC_OK;
}

float *musc_nn_arena_floats(musc_nn_arena *arena, size_t count)
{
    if (count > (SIZE_MAX - ALIGN) / sizeof(float)) {
        arena->failed = 1;
        return NULL;
    }
    size_t bytes = round_up(count * sizeof(float), ALIGN);
    if (!arena->base) {
        if (arena->used > SIZE_MAX - bytes)
            arena->failed = 1;
        else
            arena->used += bytes;
        return NULL;
    }
    if (bytes > arena->cap - arena->used) {
        arena->failed = 1;
        return NULL;
    }
    float *p = (float *)(arena->base + arena->used);
    arena->used += bytes;
    return p;
}

void musc_nn_arena_zero(musc_nn_arena *arena)
{
    if (arena->base)
        memset(arena->base, 0, arena->used);
}

void musc_nn_arena_free(musc_nn_arena *arena)
{
    free(arena->base);
    memset(arena, 0, sizeof *arena);
}

size_t musc_nn_shape_size(int ndim, const int *shape)
{
    if (ndim < 1 || ndim > MUSC_NN_MAX_DIMS)
        return 0;
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] <= 0 || (size_t)shape[i] > SIZE_MAX / 4 / n)
            return 0;
        n *= (size_t)shape[i];
    }
    return n;
}

int musc_nn_params_add(musc_nn_params *p, const char *name, int ndim, const int *shape,
                       unsigned flags)
{
    if (p->data)
        return musc_error(MUSC_ERR_ARG, "nn params: '%s' declared after allocation", name);
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len >= MUSC_NN_NAME_MAX)
        return musc_error(MUSC_ERR_ARG, "nn params: tensor name must be 1..%d bytes",
                          MUSC_NN_NAME_MAX - 1);
    size_t size = musc_nn_shape_size(ndim, shape);
    if (!size)
        return musc_error(MUSC_ERR_ARG, "nn params: '%s' has an invalid shape", name);
    if (musc_nn_params_find(p, name) >= 0)
        return musc_error(MUSC_ERR_ARG, "nn params: duplicate tensor name '%s'", name);
    if (p->count == p->cap) {
        int cap = p->cap ? p->cap * 2 : 32;
        musc_nn_tensor *t = realloc(p->tensors, (size_t)cap * sizeof *t);
        if (!t)
            return musc_error(MUSC_ERR_NOMEM, "nn params: out of memory");
        p->tensors = t;
        p->cap = cap;
    }
    musc_nn_tensor *t = &p->tensors[p->count];
    memset(t, 0, sizeof *t);
    memcpy(t->name, name, len + 1);
    t->ndim = ndim;
    memcpy(t->shape, shape, (size_t)ndim * sizeof(int));
    t->size = size;
    t->flags = flags;
    p->size += round_up(size, 16); /* keep every tensor 64-byte aligned */
    return p->count++;
}

musc_status musc_nn_params_alloc(musc_nn_params *p, int with_grad)
{
    if (p->data)
        return musc_error(MUSC_ERR_ARG, "nn params: already allocated");
    size_t bytes = (p->size ? p->size : 16) * sizeof(float);
    p->data = aligned_alloc(ALIGN, bytes);
    p->grad = with_grad ? aligned_alloc(ALIGN, bytes) : NULL;
    if (!p->data || (with_grad && !p->grad)) {
        free(p->data);
        free(p->grad);
        p->data = p->grad = NULL;
        return musc_error(MUSC_ERR_NOMEM, "nn params: cannot allocate %zu floats", p->size);
    }
    memset(p->data, 0, bytes);
    if (p->grad)
        memset(p->grad, 0, bytes);
    size_t off = 0;
    for (int i = 0; i < p->count; i++) {
        p->tensors[i].data = p->data + off;
        p->tensors[i].grad = p->grad ? p->grad + off : NULL;
        off += round_up(p->tensors[i].size, 16);
    }
    return MUSC_OK;
}

int musc_nn_params_find(const musc_nn_params *p, const char *name)
{
    for (int i = 0; i < p->count; i++)
        if (strcmp(p->tensors[i].name, name) == 0)
            return i;
    return -1;
}

void musc_nn_params_zero_grad(musc_nn_params *p)
{
    if (p->grad)
        memset(p->grad, 0, p->size * sizeof(float));
}

void musc_nn_params_free(musc_nn_params *p)
{
    free(p->tensors);
    free(p->data);
    free(p->grad);
    memset(p, 0, sizeof *p);
}
