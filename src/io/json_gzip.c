/*
 * gzip for .json.gz, through zlib. Decompression grows its buffer by
 * doubling up to a hard limit, so a tiny file that inflates to gigabytes
 * (a "zip bomb") fails cleanly instead of exhausting memory. zlib counts in
 * 32-bit units, so input and output are fed in chunks of at most UINT_MAX.
 */
#include "json_gzip.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int musc_gzip_detect(const uint8_t *data, size_t size)
{
    return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

static uInt chunk(size_t n) { return n > UINT_MAX ? UINT_MAX : (uInt)n; }

/* Grow *buf to at least `need` bytes (doubling, never past `cap_max`).
 * Returns 0, or -1 when out of memory. */
static int grow_to(uint8_t **buf, size_t *cap, size_t need, size_t cap_max)
{
    if (need <= *cap)
        return 0;
    if (need > cap_max)
        return -1;
    size_t ncap = *cap ? *cap : 1;
    while (ncap < need)
        ncap = ncap > cap_max / 2 ? cap_max : ncap * 2;
    if (ncap < need)
        return -1;
    uint8_t *p = realloc(*buf, ncap);
    if (!p)
        return -1;
    *buf = p;
    *cap = ncap;
    return 0;
}

/* Nonzero if every byte is zero (padding some tools leave after a gzip). */
static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

musc_status musc_gzip_decompress(const uint8_t *data, size_t size, size_t limit, uint8_t **out,
                                 size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    if (limit > SIZE_MAX - 2)
        limit = SIZE_MAX - 2;
    /* one byte past the limit tells "exactly at the limit" from "over it";
     * one more holds the terminating NUL */
    size_t cap_max = limit + 2;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return musc_error(MUSC_ERR_NOMEM, "gzip: cannot initialise zlib");
    uint8_t *buf = NULL;
    size_t cap = 0, used = 0;
    /* JSON compresses about 5-10x; start near that, grow by doubling */
    size_t initial = size < ((size_t)16 << 20) ? size * 4 : (size_t)64 << 20;
    if (initial < 65536)
        initial = 65536;
    if (grow_to(&buf, &cap, initial < cap_max ? initial : cap_max, cap_max))
        goto nomem;
    const uint8_t *in = data;
    size_t in_left = size;
    musc_status rc = MUSC_OK;
    for (;;) {
        if (zs.avail_in == 0 && in_left) {
            zs.next_in = (Bytef *)in;
            zs.avail_in = chunk(in_left);
            in += zs.avail_in;
            in_left -= zs.avail_in;
        }
        if (used + 1 >= cap) {
            if (cap >= cap_max) {
                rc = musc_error(MUSC_ERR_NOMEM,
                                "gzip: content is larger than the %zu-byte limit", limit);
                goto done;
            }
            if (grow_to(&buf, &cap, cap + 1, cap_max))
                goto nomem;
        }
        zs.next_out = buf + used;
        zs.avail_out = chunk(cap - 1 - used);
        uInt before = zs.avail_out;
        int zr = inflate(&zs, Z_NO_FLUSH);
        used += before - zs.avail_out;
        if (used > limit) {
            rc = musc_error(MUSC_ERR_NOMEM, "gzip: content is larger than the %zu-byte limit",
                            limit);
            goto done;
        }
        if (zr == Z_STREAM_END) {
            size_t rest = zs.avail_in + in_left;
            const uint8_t *rp = zs.next_in;
            if (rest == 0)
                break;
            /* rest may straddle the current chunk and in_left; the chunk is
             * contiguous with `in`, so rp..rp+rest is one range */
            if (rest >= 2 && musc_gzip_detect(rp, rest)) {
                inflateReset(&zs);
                continue;
            }
            if (all_zero(rp, rest))
                break;
            rc = musc_error(MUSC_ERR_FORMAT,
                            "gzip: %zu bytes of trailing data after the compressed stream", rest);
            goto done;
        }
        if (zr == Z_NEED_DICT || zr == Z_DATA_ERROR) {
            rc = musc_error(MUSC_ERR_FORMAT, "gzip: data is damaged (%s) at compressed byte %zu",
                            zs.msg ? zs.msg : "bad data", size - in_left - zs.avail_in);
            goto done;
        }
        if (zr == Z_MEM_ERROR)
            goto nomem;
        if (zs.avail_in == 0 && in_left == 0 && zs.avail_out != 0) {
            /* zlib wants more input and there is none */
            rc = musc_error(MUSC_ERR_FORMAT,
                            "gzip: data is truncated (stream ends without its trailer after %zu "
                            "bytes of content)",
                            used);
            goto done;
        }
    }
    inflateEnd(&zs);
    buf[used] = '\0';
    *out = buf;
    *out_size = used;
    return MUSC_OK;
nomem:
    rc = musc_error(MUSC_ERR_NOMEM, "gzip: out of memory");
done:
    inflateEnd(&zs);
    free(buf);
    return rc;
}

musc_status musc_gzip_compress(const uint8_t *data, size_t size, uint8_t **out,
                               size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return musc_error(MUSC_ERR_NOMEM, "gzip: cannot initialise zlib");
    size_t cap = (size_t)deflateBound(&zs, (uLong)size) + 64, used = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        goto nomem;
    const uint8_t *in = data;
    size_t in_left = size;
    for (;;) {
        if (zs.avail_in == 0 && in_left) {
            zs.next_in = (Bytef *)in;
            zs.avail_in = chunk(in_left);
            in += zs.avail_in;
            in_left -= zs.avail_in;
        }
        if (used == cap) {
            if (cap > SIZE_MAX / 2)
                goto nomem;
            uint8_t *p = realloc(buf, cap * 2);
            if (!p)
                goto nomem;
            buf = p;
            cap *= 2;
        }
        zs.next_out = buf + used;
        zs.avail_out = chunk(cap - used);
        uInt before = zs.avail_out;
        int zr = deflate(&zs, in_left || zs.avail_in ? Z_NO_FLUSH : Z_FINISH);
        used += before - zs.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            goto nomem;
    }
    deflateEnd(&zs);
    *out = buf;
    *out_size = used;
    return MUSC_OK;
nomem:
    deflateEnd(&zs);
    free(buf);
    return musc_error(MUSC_ERR_NOMEM, "gzip: out of memory while compressing %zu bytes", size);
}
