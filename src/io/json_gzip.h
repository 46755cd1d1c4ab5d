/*
 * gzip for the JSON reader and writer (zlib underneath). Internal to musc:
 * the tests include it to check the size limit without a 1 GiB input.
 */
#ifndef MUSC_IO_JSON_GZIP_H
#define MUSC_IO_JSON_GZIP_H

#include <stddef.h>
#include <stdint.h>

#include "musc/error.h"

/* Nonzero when data starts with the gzip magic bytes 1f 8b. */
int musc_gzip_detect(const uint8_t *data, size_t size);

/* Decompress one or more concatenated gzip members into a malloc'd buffer
 * (*out, *out_size bytes plus a NUL not counted). Content larger than
 * `limit` bytes is MUSC_ERR_NOMEM; damaged or truncated data is
 * MUSC_ERR_FORMAT. */
musc_status musc_gzip_decompress(const uint8_t *data, size_t size, size_t limit, uint8_t **out,
                                 size_t *out_size);

/* Compress into a gzip member (malloc'd *out). MUSC_ERR_NOMEM on failure. */
musc_status musc_gzip_compress(const uint8_t *data, size_t size, uint8_t **out,
                               size_t *out_size);

#endif
