/*
 * NumPy's .npy array format (versions 1.0-3.0): a magic string, a version,
 * a little-endian header length, a Python dict literal naming the dtype,
 * the memory order and the shape, then the raw elements. The header is
 * parsed by hand (it is a tiny, fixed grammar) with every length checked
 * against the buffer, so a hostile file cannot make the parser read past
 * its end or overflow a size.
 */
#include "musc/npz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *code; /* descr without the byte-order character */
    musc_npy_dtype dtype;
    size_t itemsize;
} dtypes[] = {
    {"b1", MUSC_NPY_BOOL, 1}, {"u1", MUSC_NPY_U8, 1},  {"i1", MUSC_NPY_I8, 1},
    {"i2", MUSC_NPY_I16, 2},  {"u2", MUSC_NPY_U16, 2}, {"i4", MUSC_NPY_I32, 4},
    {"u4", MUSC_NPY_U32, 4},  {"i8", MUSC_NPY_I64, 8}, {"u8", MUSC_NPY_U64, 8},
    {"f4", MUSC_NPY_F32, 4},  {"f8", MUSC_NPY_F64, 8},
};

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int accept(cursor *c, char ch)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted Python string without escapes, copied into buf. */
static int read_string(cursor *c, char *buf, size_t cap)
{
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return -1;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || n + 1 >= cap)
            return -1;
        buf[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return -1;
    c->p++;
    buf[n] = '\0';
    return 0;
}

static int read_word(cursor *c, const char *word)
{
    skip_ws(c);
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, word, n) == 0) {
        c->p += n;
        return 1;
    }
    return 0;
}

static int read_shape(cursor *c, musc_npy *a)
{
    if (!accept(c, '('))
        return -1;
    a->ndim = 0;
    for (;;) {
        if (accept(c, ')'))
            return 0;
        skip_ws(c);
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return -1;
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            if (v > (INT64_MAX - 9) / 10)
                return -1;
            v = v * 10 + (*c->p++ - '0');
        }
        if (c->p < c->end && *c->p == 'L') /* Python 2 long */
            c->p++;
        if (a->ndim == MUSC_NPY_MAX_DIMS)
            return -1;
        a->shape[a->ndim++] = v;
        if (!accept(c, ',')) {
            if (accept(c, ')'))
                return 0;
            return -1;
        }
    }
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

musc_status musc_npy_parse(const uint8_t *buf, size_t size, musc_npy *out)
{
    memset(out, 0, sizeof *out);
    if (size < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return musc_error(MUSC_ERR_FORMAT, "npy: missing the \\x93NUMPY magic");
    int major = buf[6];
    size_t hlen, start;
    if (major == 1) {
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
        start = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12)
            return musc_error(MUSC_ERR_FORMAT, "npy: truncated header");
        hlen = le32(buf + 8);
        start = 12;
    } else {
        return musc_error(MUSC_ERR_UNSUPPORTED, "npy: format version %d.%d", major, buf[7]);
    }
    if (hlen > size - start)
        return musc_error(MUSC_ERR_FORMAT, "npy: header of %zu bytes runs past the end (%zu)",
                          hlen, size);
    cursor c = {(const char *)buf + start, (const char *)buf + start + hlen};
    if (!accept(&c, '{'))
        return musc_error(MUSC_ERR_FORMAT, "npy: header is not a dict");
    int have_descr = 0, have_order = 0, have_shape = 0;
    char descr[16] = "";
    for (;;) {
        if (accept(&c, '}'))
            break;
        char key[32];
        if (read_string(&c, key, sizeof key) || !accept(&c, ':'))
            return musc_error(MUSC_ERR_FORMAT, "npy: malformed header dict");
        if (strcmp(key, "descr") == 0) {
            if (read_string(&c, descr, sizeof descr))
                return musc_error(MUSC_ERR_UNSUPPORTED, "npy: descr is not a simple dtype");
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (read_word(&c, "True"))
                out->fortran_order = 1;
            else if (read_word(&c, "False"))
                out->fortran_order = 0;
            else
                return musc_error(MUSC_ERR_FORMAT, "npy: fortran_order is not True/False");
            have_order = 1;
        } else if (strcmp(key, "shape") == 0) {
            if (read_shape(&c, out))
                return musc_error(MUSC_ERR_FORMAT, "npy: malformed shape");
            have_shape = 1;
        } else {
            return musc_error(MUSC_ERR_FORMAT, "npy: unexpected header key '%s'", key);
        }
        if (!accept(&c, ',')) {
            if (accept(&c, '}'))
                break;
            return musc_error(MUSC_ERR_FORMAT, "npy: malformed header dict");
        }
    }
    skip_ws(&c);
    if (c.p != c.end)
        return musc_error(MUSC_ERR_FORMAT, "npy: junk after the header dict");
    if (!have_descr || !have_order || !have_shape)
        return musc_error(MUSC_ERR_FORMAT, "npy: header lacks descr, fortran_order or shape");
    if (descr[0] == '>')
        return musc_error(MUSC_ERR_UNSUPPORTED, "npy: big-endian dtype '%s'", descr);
    const char *code = descr;
    if (*code == '<' || *code == '|' || *code == '=')
        code++;
    size_t k;
    for (k = 0; k < sizeof dtypes / sizeof *dtypes; k++)
        if (strcmp(code, dtypes[k].code) == 0)
            break;
    if (k == sizeof dtypes / sizeof *dtypes)
        return musc_error(MUSC_ERR_UNSUPPORTED, "npy: dtype '%s' is not supported", descr);
    if (dtypes[k].itemsize > 1 && descr[0] != '<' && descr[0] != '=')
        return musc_error(MUSC_ERR_UNSUPPORTED, "npy: dtype '%s' has no byte order", descr);
    out->dtype = dtypes[k].dtype;
    out->itemsize = dtypes[k].itemsize;
    size_t count = 1;
    for (int d = 0; d < out->ndim; d++) {
        int64_t s = out->shape[d];
        if (s != 0 && count > SIZE_MAX / (uint64_t)s)
            return musc_error(MUSC_ERR_FORMAT, "npy: shape is too large");
        count *= (size_t)s;
    }
    if (count > SIZE_MAX / out->itemsize || count * out->itemsize > size - start - hlen)
        return musc_error(MUSC_ERR_FORMAT, "npy: data of %zu elements runs past the end", count);
    if (out->fortran_order && out->ndim > 1)
        return musc_error(MUSC_ERR_UNSUPPORTED, "npy: Fortran-order arrays of %d dimensions",
                          out->ndim);
    out->count = count;
    out->data = buf + start + hlen;
    return MUSC_OK;
}

static uint64_t load_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

double musc_npy_get_f64(const musc_npy *a, size_t i)
{
    const uint8_t *p = a->data + i * a->itemsize;
    uint64_t v = load_le(p, a->itemsize);
    switch (a->dtype) {
    case MUSC_NPY_BOOL: return v != 0;
    case MUSC_NPY_U8:
    case MUSC_NPY_U16:
    case MUSC_NPY_U32:
    case MUSC_NPY_U64: return (double)v;
    case MUSC_NPY_I8: return (int8_t)v;
    case MUSC_NPY_I16: return (int16_t)v;
    case MUSC_NPY_I32: return (int32_t)v;
    case MUSC_NPY_I64: return (double)(int64_t)v;
    case MUSC_NPY_F32: {
        uint32_t b = (uint32_t)v;
        float f;
        memcpy(&f, &b, sizeof f);
        return f;
    }
    case MUSC_NPY_F64: {
        double d;
        memcpy(&d, &v, sizeof d);
        return d;
    }
    }
    return 0;
}

int64_t musc_npy_get_i64(const musc_npy *a, size_t i)
{
    uint64_t v = load_le(a->data + i * a->itemsize, a->itemsize);
    switch (a->dtype) {
    case MUSC_NPY_BOOL: return v != 0;
    case MUSC_NPY_U8:
    case MUSC_NPY_U16:
    case MUSC_NPY_U32: return (int64_t)v;
    case MUSC_NPY_U64: return v > INT64_MAX ? INT64_MAX : (int64_t)v;
    case MUSC_NPY_I8: return (int8_t)v;
    case MUSC_NPY_I16: return (int16_t)v;
    case MUSC_NPY_I32: return (int32_t)v;
    case MUSC_NPY_I64: return (int64_t)v;
    case MUSC_NPY_F32:
    case MUSC_NPY_F64: {
        double d = musc_npy_get_f64(a, i);
        if (isnan(d))
            return 0;
        if (d >= 9.2e18)
            return INT64_MAX;
        if (d <= -9.2e18)
            return INT64_MIN;
        return (int64_t)d;
    }
    }
    return 0;
}

musc_status musc_npy_write(musc_npy_dtype dtype, int ndim, const int64_t *shape,
                           const void *data, uint8_t **out, size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    size_t k;
    for (k = 0; k < sizeof dtypes / sizeof *dtypes; k++)
        if (dtypes[k].dtype == dtype)
            break;
    if (k == sizeof dtypes / sizeof *dtypes || ndim < 0 || ndim > MUSC_NPY_MAX_DIMS)
        return musc_error(MUSC_ERR_ARG, "npy write: bad dtype %d or ndim %d", (int)dtype, ndim);
    char descr[8];
    snprintf(descr, sizeof descr, "%c%s", dtypes[k].itemsize == 1 ? '|' : '<', dtypes[k].code);
    char shp[MUSC_NPY_MAX_DIMS * 24 + 4];
    size_t sl = 0;
    size_t count = 1;
    shp[sl++] = '(';
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0)
            return musc_error(MUSC_ERR_ARG, "npy write: negative shape");
        if (shape[d] != 0 && count > SIZE_MAX / (uint64_t)shape[d])
            return musc_error(MUSC_ERR_NOMEM, "npy write: shape too large");
        count *= (size_t)shape[d];
        sl += (size_t)snprintf(shp + sl, sizeof shp - sl, d ? ", %lld" : "%lld",
                               (long long)shape[d]);
    }
    if (ndim == 1)
        shp[sl++] = ',';
    shp[sl++] = ')';
    shp[sl] = '\0';
    char dict[sizeof shp + 96];
    int dl = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                      descr, shp);
    size_t pre = 10;
    size_t total_head = pre + (size_t)dl + 1; /* + '\n' */
    size_t padded = (total_head + 63) / 64 * 64;
    size_t hlen = padded - pre;
    if (count > (SIZE_MAX - padded) / dtypes[k].itemsize)
        return musc_error(MUSC_ERR_NOMEM, "npy write: array too large");
    size_t nbytes = count * dtypes[k].itemsize;
    uint8_t *b = malloc(padded + nbytes);
    if (!b)
        return musc_error(MUSC_ERR_NOMEM, "npy write: out of memory for %zu bytes", nbytes);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (uint8_t)(hlen & 0xff);
    b[9] = (uint8_t)(hlen >> 8);
    memcpy(b + pre, dict, (size_t)dl);
    memset(b + pre + dl, ' ', hlen - (size_t)dl - 1);
    b[padded - 1] = '\n';
    if (nbytes)
        memcpy(b + padded, data, nbytes);
    *out = b;
    *out_size = padded + nbytes;
    return MUSC_OK;
}
