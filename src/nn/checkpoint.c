/*
 * Checkpoints (format in include/musc/nn.h): a fixed 48-byte header, a
 * config text, a tensor table, then 64-byte aligned raw float32 data. The
 * writer builds the whole file in memory and hands it to
 * musc_file_write_atomic (temporary file, fsync, rename), so a crash never
 * leaves a half-written checkpoint. The reader maps the file and checks
 * every field and both CRCs before handing out views into the mapping.
 */
#define _POSIX_C_SOURCE 200809L
#include "musc/nn.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "musc/io.h"

#define MAGIC "MUSCNNCK"
#define VERSION 1
#define HEADER 48
#define ALIGN 64
#define MAX_TENSORS 100000

struct musc_nn_checkpoint {
    const unsigned char *map; /* the whole file */
    size_t size;
    int mapped;               /* munmap (1) or free (0) */
    int kind, count;
    char *config;
    musc_nn_tensor *tensors;
    const char *what;         /* file name for messages */
    char *path;
};

static int host_little_endian(void)
{
    uint16_t x = 1;
    unsigned char b;
    memcpy(&b, &x, 1);
    return b == 1;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const unsigned char *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static size_t round_up(size_t n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }

static uint32_t crc_bytes(uint32_t crc, const unsigned char *p, size_t n)
{
    while (n) { /* zlib takes uInt lengths */
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32(crc, p, k);
        p += k;
        n -= k;
    }
    return crc;
}

static uint32_t meta_crc(const unsigned char *file, size_t data_offset)
{
    uint32_t c = crc_bytes((uint32_t)crc32(0L, Z_NULL, 0), file, 40);
    return crc_bytes(c, file + HEADER, data_offset - HEADER);
}

musc_status musc_nn_checkpoint_save(const char *path, int kind, const char *config,
                                    const musc_nn_tensor *tensors, int count)
{
    if (!host_little_endian())
        return musc_error(MUSC_ERR_UNSUPPORTED, "%s: checkpoints need a little-endian host",
                          path);
    if (count < 0 || count > MAX_TENSORS)
        return musc_error(MUSC_ERR_ARG, "%s: %d tensors", path, count);
    size_t cfg_len = config ? strlen(config) : 0;
    if (cfg_len > UINT32_MAX)
        return musc_error(MUSC_ERR_ARG, "%s: config too long", path);
    size_t meta = HEADER + cfg_len, data = 0;
    for (int i = 0; i < count; i++) {
        const musc_nn_tensor *t = &tensors[i];
        size_t len = strlen(t->name);
        if (len == 0 || len >= MUSC_NN_NAME_MAX || musc_nn_shape_size(t->ndim, t->shape) != t->size ||
            !t->size || !t->data)
            return musc_error(MUSC_ERR_ARG, "%s: tensor %d ('%s') has a bad name or shape", path,
                              i, t->name);
        meta += 4 + len + 4 + 4 * (size_t)t->ndim + 8;
        data += round_up(t->size * sizeof(float));
    }
    size_t data_offset = round_up(meta), total = data_offset + data;
    unsigned char *buf = calloc(total, 1);
    if (!buf)
        return musc_error(MUSC_ERR_NOMEM, "%s: cannot allocate %zu bytes", path, total);
    memcpy(buf, MAGIC, 8);
    put32(buf + 8, VERSION);
    put32(buf + 12, (uint32_t)kind);
    put32(buf + 16, (uint32_t)count);
    put32(buf + 20, (uint32_t)cfg_len);
    put64(buf + 24, data_offset);
    put64(buf + 32, data);
    if (cfg_len)
        memcpy(buf + HEADER, config, cfg_len);
    unsigned char *p = buf + HEADER + cfg_len;
    size_t off = 0;
    for (int i = 0; i < count; i++) {
        const musc_nn_tensor *t = &tensors[i];
        size_t len = strlen(t->name);
        put32(p, (uint32_t)len);
        memcpy(p + 4, t->name, len);
        p += 4 + len;
        put32(p, (uint32_t)t->ndim);
        p += 4;
        for (int d = 0; d < t->ndim; d++, p += 4)
            put32(p, (uint32_t)t->shape[d]);
        put64(p, off);
        p += 8;
        memcpy(buf + data_offset + off, t->data, t->size * sizeof(float));
        off += round_up(t->size * sizeof(float));
    }
    put32(buf + 40, meta_crc(buf, data_offset));
    put32(buf + 44, crc_bytes((uint32_t)crc32(0L, Z_NULL, 0), buf + data_offset, data));
    musc_status st = musc_file_write_atomic(path, buf, total, 1);
    free(buf);
    return st;
}

musc_status musc_nn_params_save(const char *path, const musc_nn_params *params,
                                const char *config)
{
    if (!params->data)
        return musc_error(MUSC_ERR_ARG, "%s: parameters not allocated", path);
    return musc_nn_checkpoint_save(path, MUSC_NN_CKPT_MODEL, config, params->tensors,
                                   params->count);
}

#define FAIL(...)                                                                              \
    do {                                                                                       \
        st = musc_error(MUSC_ERR_FORMAT, __VA_ARGS__);                                         \
        goto fail;                                                                             \
    } while (0)

/* Validate c->map[0..size) and fill the table. */
static musc_status parse(musc_nn_checkpoint *c)
{
    musc_status st;
    const unsigned char *f = c->map;
    const char *w = c->what;
    if (!host_little_endian())
        return musc_error(MUSC_ERR_UNSUPPORTED, "%s: checkpoints need a little-endian host", w);
    if (c->size < HEADER || memcmp(f, MAGIC, 8) != 0)
        return musc_error(MUSC_ERR_FORMAT, "%s: not a musc checkpoint (%s)", w,
                          c->size < HEADER ? "shorter than its 48-byte header" : "bad magic");
    uint32_t version = get32(f + 8), kind = get32(f + 12), count = get32(f + 16),
             cfg_len = get32(f + 20);
    uint64_t data_offset = get64(f + 24), data_size = get64(f + 32);
    if (version != VERSION)
        return musc_error(version > VERSION ? MUSC_ERR_UNSUPPORTED : MUSC_ERR_FORMAT,
                          "%s: checkpoint version %" PRIu32 ", this musc reads version %d", w,
                          version, VERSION);
    if (kind > 1)
        return musc_error(MUSC_ERR_FORMAT, "%s: unknown checkpoint kind %" PRIu32, w, kind);
    if (count > MAX_TENSORS)
        return musc_error(MUSC_ERR_FORMAT, "%s: %" PRIu32 " tensors (limit %d)", w, count,
                          MAX_TENSORS);
    if (data_offset % ALIGN || data_offset < HEADER || data_offset > c->size ||
        data_size != c->size - data_offset)
        return musc_error(MUSC_ERR_FORMAT,
                          "%s: truncated or padded: header says %" PRIu64 " + %" PRIu64
                          " bytes, file has %zu",
                          w, data_offset, data_size, c->size);
    if ((uint64_t)cfg_len > data_offset - HEADER)
        return musc_error(MUSC_ERR_FORMAT, "%s: config size %" PRIu32 " runs past the table", w,
                          cfg_len);
    if (meta_crc(f, data_offset) != get32(f + 40))
        return musc_error(MUSC_ERR_FORMAT, "%s: header CRC mismatch (corrupt file)", w);
    if (crc_bytes((uint32_t)crc32(0L, Z_NULL, 0), f + data_offset, data_size) != get32(f + 44))
        return musc_error(MUSC_ERR_FORMAT, "%s: data CRC mismatch (corrupt file)", w);
    c->kind = (int)kind;
    c->config = malloc((size_t)cfg_len + 1);
    c->tensors = calloc(count ? count : 1, sizeof *c->tensors);
    if (!c->config || !c->tensors)
        return musc_error(MUSC_ERR_NOMEM, "%s: out of memory", w);
    memcpy(c->config, f + HEADER, cfg_len);
    c->config[cfg_len] = '\0';
    size_t pos = HEADER + (size_t)cfg_len, end = (size_t)data_offset;
    uint64_t prev_end = 0;
    for (uint32_t i = 0; i < count; i++) {
        musc_nn_tensor *t = &c->tensors[i];
        if (end - pos < 4)
            FAIL("%s: tensor table ends inside entry %" PRIu32, w, i);
        uint32_t len = get32(f + pos);
        pos += 4;
        if (len == 0 || len >= MUSC_NN_NAME_MAX || end - pos < (size_t)len + 4)
            FAIL("%s: tensor %" PRIu32 " has a bad name length %" PRIu32, w, i, len);
        memcpy(t->name, f + pos, len);
        t->name[len] = '\0';
        if (strlen(t->name) != len)
            FAIL("%s: tensor %" PRIu32 " name contains a NUL byte", w, i);
        pos += len;
        uint32_t ndim = get32(f + pos);
        pos += 4;
        if (ndim < 1 || ndim > MUSC_NN_MAX_DIMS || end - pos < 4 * (size_t)ndim + 8)
            FAIL("%s: tensor '%s' has %" PRIu32 " dimensions", w, t->name, ndim);
        t->ndim = (int)ndim;
        for (uint32_t d = 0; d < ndim; d++, pos += 4) {
            uint32_t v = get32(f + pos);
            if (v == 0 || v > INT32_MAX)
                FAIL("%s: tensor '%s' dimension %" PRIu32 " is %" PRIu32, w, t->name, d, v);
            t->shape[d] = (int)v;
        }
        uint64_t off = get64(f + pos);
        pos += 8;
        t->size = musc_nn_shape_size(t->ndim, t->shape);
        if (!t->size)
            FAIL("%s: tensor '%s' is too large", w, t->name);
        uint64_t bytes = (uint64_t)t->size * sizeof(float);
        if (off % ALIGN || off < prev_end || off > data_size || bytes > data_size - off)
            FAIL("%s: tensor '%s' data [%" PRIu64 ", +%" PRIu64 ") lies outside the data "
                 "region or overlaps the previous tensor",
                 w, t->name, off, bytes);
        prev_end = off + bytes;
        for (uint32_t k = 0; k < i; k++)
            if (strcmp(c->tensors[k].name, t->name) == 0)
                FAIL("%s: duplicate tensor name '%s'", w, t->name);
        t->data = (float *)(void *)(f + data_offset + off);
    }
    c->count = (int)count;
    return MUSC_OK;
fail:
    return st;
}

static void destroy(musc_nn_checkpoint *c)
{
    if (!c)
        return;
    if (c->map && c->mapped)
        munmap((void *)c->map, c->size);
    else
        free((void *)c->map);
    free(c->config);
    free(c->tensors);
    free(c->path);
    free(c);
}

musc_status musc_nn_checkpoint_open(const char *path, musc_nn_checkpoint **out)
{
    *out = NULL;
    musc_nn_checkpoint *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        return musc_error(MUSC_ERR_NOMEM, "%s: out of memory", path);
    }
    c->what = c->path;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        destroy(c);
        return musc_error(e == ENOENT ? MUSC_ERR_NOTFOUND : MUSC_ERR_IO, "%s: %s", path,
                          strerror(e));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        destroy(c);
        return musc_error(MUSC_ERR_IO, "%s: not a regular file", path);
    }
    c->size = (size_t)sb.st_size;
    if (c->size == 0) {
        close(fd);
        destroy(c);
        return musc_error(MUSC_ERR_FORMAT, "%s: empty file, not a musc checkpoint", path);
    }
    void *m = mmap(NULL, c->size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (m == MAP_FAILED) {
        destroy(c);
        return musc_error(MUSC_ERR_IO, "%s: mmap failed: %s", path, strerror(e));
    }
    c->map = m;
    c->mapped = 1;
    musc_status st = parse(c);
    if (st != MUSC_OK) {
        destroy(c);
        return st;
    }
    *out = c;
    return MUSC_OK;
}

musc_status musc_nn_checkpoint_open_mem(const void *data, size_t size, musc_nn_checkpoint **out)
{
    *out = NULL;
    musc_nn_checkpoint *c = calloc(1, sizeof *c);
    /* Copy into 64-byte aligned memory so tensors are aligned as in a mapping. */
    unsigned char *copy = size ? aligned_alloc(ALIGN, round_up(size)) : NULL;
    if (!c || (size && !copy)) {
        free(c);
        free(copy);
        return musc_error(MUSC_ERR_NOMEM, "checkpoint: out of memory");
    }
    if (size)
        memcpy(copy, data, size);
    c->map = copy;
    c->size = size;
    c->what = "checkpoint in memory";
    musc_status st = parse(c);
    if (st != MUSC_OK) {
        destroy(c);
        return st;
    }
    *out = c;
    return MUSC_OK;
}

void musc_nn_checkpoint_free(musc_nn_checkpoint *c) { destroy(c); }

int musc_nn_checkpoint_kind(const musc_nn_checkpoint *c) { return c->kind; }
const char *musc_nn_checkpoint_config(const musc_nn_checkpoint *c) { return c->config; }
int musc_nn_checkpoint_count(const musc_nn_checkpoint *c) { return c->count; }

musc_nn_tensor musc_nn_checkpoint_tensor(const musc_nn_checkpoint *c, int i)
{
    musc_nn_tensor t;
    memset(&t, 0, sizeof t);
    if (i >= 0 && i < c->count)
        t = c->tensors[i];
    return t;
}

int musc_nn_checkpoint_find(const musc_nn_checkpoint *c, const char *name)
{
    for (int i = 0; i < c->count; i++)
        if (strcmp(c->tensors[i].name, name) == 0)
            return i;
    return -1;
}

static int same_shape(const musc_nn_tensor *a, const musc_nn_tensor *b)
{
    if (a->ndim != b->ndim)
        return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d])
            return 0;
    return 1;
}

static void shape_str(char *buf, size_t n, const musc_nn_tensor *t)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int d = 0; d < t->ndim && k < n; d++)
        k += (size_t)snprintf(buf + k, n - k, d ? "x%d" : "%d", t->shape[d]);
}

musc_status musc_nn_params_load(musc_nn_params *params, const musc_nn_checkpoint *c)
{
    if (!params->data)
        return musc_error(MUSC_ERR_ARG, "%s: parameters not allocated", c->what);
    if (c->kind != MUSC_NN_CKPT_MODEL)
        return musc_error(MUSC_ERR_ARG, "%s: an optimizer-state file, not model parameters",
                          c->what);
    for (int i = 0; i < params->count; i++) {
        musc_nn_tensor *t = &params->tensors[i];
        int k = musc_nn_checkpoint_find(c, t->name);
        if (k < 0)
            return musc_error(MUSC_ERR_NOTFOUND, "%s: tensor '%s' is missing", c->what,
                              t->name);
        if (!same_shape(t, &c->tensors[k])) {
            char want[64], got[64];
            shape_str(want, sizeof want, t);
            shape_str(got, sizeof got, &c->tensors[k]);
            return musc_error(MUSC_ERR_INVALID, "%s: tensor '%s' is %s, the model expects %s",
                              c->what, t->name, got, want);
        }
    }
    if (c->count != params->count)
        for (int k = 0; k < c->count; k++)
            if (musc_nn_params_find(params, c->tensors[k].name) < 0)
                return musc_error(MUSC_ERR_INVALID,
                                  "%s: tensor '%s' does not belong to this model", c->what,
                                  c->tensors[k].name);
    for (int i = 0; i < params->count; i++) {
        musc_nn_tensor *t = &params->tensors[i];
        memcpy(t->data, c->tensors[musc_nn_checkpoint_find(c, t->name)].data,
               t->size * sizeof(float));
    }
    return MUSC_OK;
}

musc_status musc_nn_adamw_save(const char *path, const musc_nn_adamw *opt)
{
    char config[256];
    snprintf(config, sizeof config,
             "{\"step\":%ld,\"size\":%zu,\"beta1\":%.9g,\"beta2\":%.9g,\"eps\":%.9g,"
             "\"weight_decay\":%.9g}",
             opt->step, opt->size, (double)opt->cfg.beta1, (double)opt->cfg.beta2,
             (double)opt->cfg.eps, (double)opt->cfg.weight_decay);
    if (opt->size > INT32_MAX)
        return musc_error(MUSC_ERR_UNSUPPORTED, "%s: optimizer too large", path);
    musc_nn_tensor t[2];
    memset(t, 0, sizeof t);
    strcpy(t[0].name, "m");
    strcpy(t[1].name, "v");
    for (int i = 0; i < 2; i++) {
        t[i].ndim = 1;
        t[i].shape[0] = (int)opt->size;
        t[i].size = opt->size;
    }
    t[0].data = opt->m;
    t[1].data = opt->v;
    return musc_nn_checkpoint_save(path, MUSC_NN_CKPT_OPTIMIZER, config, t, 2);
}

musc_status musc_nn_adamw_load(musc_nn_adamw *opt, const char *path)
{
    musc_nn_checkpoint *c;
    musc_status st = musc_nn_checkpoint_open(path, &c);
    if (st != MUSC_OK)
        return st;
    int im = musc_nn_checkpoint_find(c, "m"), iv = musc_nn_checkpoint_find(c, "v");
    json_error_t jerr;
    json_t *cfg = json_loads(c->config, 0, &jerr);
    json_t *step = cfg ? json_object_get(cfg, "step") : NULL;
    if (c->kind != MUSC_NN_CKPT_OPTIMIZER || im < 0 || iv < 0 || !json_is_integer(step) ||
        json_integer_value(step) < 0) {
        json_decref(cfg);
        musc_nn_checkpoint_free(c);
        return musc_error(MUSC_ERR_FORMAT, "%s: not an AdamW state file (needs kind 1, "
                          "tensors m and v, config {\"step\":N})", path);
    }
    if (c->tensors[im].size != opt->size || c->tensors[iv].size != opt->size) {
        size_t got = c->tensors[im].size;
        json_decref(cfg);
        musc_nn_checkpoint_free(c);
        return musc_error(MUSC_ERR_INVALID, "%s: optimizer state for %zu parameters, the model "
                          "has %zu", path, got, opt->size);
    }
    memcpy(opt->m, c->tensors[im].data, opt->size * sizeof(float));
    memcpy(opt->v, c->tensors[iv].data, opt->size * sizeof(float));
    opt->step = (long)json_integer_value(step);
    json_decref(cfg);
    musc_nn_checkpoint_free(c);
    return MUSC_OK;
}
