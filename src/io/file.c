/*
 * Files: whole-file reads with a size limit, atomic writes (temporary file,
 * fsync, rename) so a failed write never leaves a half-written file, read
 * and write options, repair reports, and choosing a format by extension.
 */
#define _POSIX_C_SOURCE 200809L
#include "musc/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/grow.h"

musc_read_options musc_read_options_default(void)
{
    musc_read_options o = {0};
    o.overlap = MUSC_OVERLAP_FIFO;
    o.index = -1;
    return o;
}

musc_write_options musc_write_options_default(void)
{
    musc_write_options o = {0};
    o.compress = -1;
    return o;
}

const char *musc_repair_kind_name(int kind)
{
    switch (kind) {
    case MUSC_REPAIR_TRUNCATED: return "truncated";
    case MUSC_REPAIR_CHUNK_LENGTH: return "chunk_length";
    case MUSC_REPAIR_MISSING_EOT: return "missing_end_of_track";
    case MUSC_REPAIR_BAD_STATUS: return "bad_status";
    case MUSC_REPAIR_BAD_DATA: return "bad_data";
    case MUSC_REPAIR_TRACK_COUNT: return "track_count";
    case MUSC_REPAIR_UNCLOSED_NOTE: return "unclosed_note";
    default: return "other";
    }
}

/* A hostile file can trigger one repair per byte; keep the log bounded. */
#define MAX_REPAIRS 10000

musc_status musc_report_add(musc_report *r, int kind, int64_t offset, const char *fmt, ...)
{
    if (!r || r->n_repairs >= MAX_REPAIRS)
        return MUSC_OK;
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *msg = strdup(buf);
    if (!msg || MUSC_GROW(r->repairs, r->cap_repairs, r->n_repairs + 1)) {
        free(msg);
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    }
    r->repairs[r->n_repairs++] = (musc_repair){.kind = kind, .offset = offset, .message = msg};
    return MUSC_OK;
}

void musc_report_clear(musc_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_repairs; i++)
        free(r->repairs[i].message);
    free(r->repairs);
    memset(r, 0, sizeof *r);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

musc_format musc_format_from_path(const char *path)
{
    if (!path)
        return MUSC_FORMAT_UNKNOWN;
    if (ends_with(path, ".mid") || ends_with(path, ".midi") || ends_with(path, ".rmi") ||
        ends_with(path, ".smf") || ends_with(path, ".kar"))
        return MUSC_FORMAT_MIDI;
    if (ends_with(path, ".json") || ends_with(path, ".json.gz"))
        return MUSC_FORMAT_JSON;
    if (ends_with(path, ".musicxml") || ends_with(path, ".xml"))
        return MUSC_FORMAT_MUSICXML;
    if (ends_with(path, ".mxl"))
        return MUSC_FORMAT_MXL;
    if (ends_with(path, ".abc"))
        return MUSC_FORMAT_ABC;
    if (ends_with(path, ".npz"))
        return MUSC_FORMAT_NPZ;
    if (ends_with(path, ".krn"))
        return MUSC_FORMAT_KERN;
    return MUSC_FORMAT_UNKNOWN;
}

const char *musc_format_name(musc_format f)
{
    switch (f) {
    case MUSC_FORMAT_MIDI: return "midi";
    case MUSC_FORMAT_JSON: return "json";
    case MUSC_FORMAT_MUSICXML: return "musicxml";
    case MUSC_FORMAT_MXL: return "mxl";
    case MUSC_FORMAT_ABC: return "abc";
    case MUSC_FORMAT_NPZ: return "npz";
    case MUSC_FORMAT_KERN: return "kern";
    default: return "unknown";
    }
}

musc_status musc_file_read_all(const char *path, size_t max_size, uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    if (!max_size)
        max_size = (size_t)1 << 30;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return musc_error(MUSC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return musc_error(MUSC_ERR_IO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max_size) {
        close(fd);
        return musc_error(MUSC_ERR_IO, "%s: file is %lld bytes, over the %zu-byte limit", path,
                          (long long)st.st_size, max_size);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        close(fd);
        return musc_error(MUSC_ERR_NOMEM, "%s: out of memory for %zu bytes", path, n);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = errno;
            free(buf);
            close(fd);
            return musc_error(MUSC_ERR_IO, "%s: read failed: %s", path,
                              r < 0 ? strerror(e) : "file shrank while reading");
        }
        got += (size_t)r;
    }
    close(fd);
    *data = buf;
    *size = n;
    return MUSC_OK;
}

musc_status musc_file_write_atomic(const char *path, const void *data, size_t size, int overwrite)
{
    struct stat st;
    if (!overwrite && stat(path, &st) == 0)
        return musc_error(MUSC_ERR_EXISTS, "%s: file exists (pass overwrite/--force to replace it)",
                          path);
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp-XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return musc_error(MUSC_ERR_IO, "%s: cannot create a temporary file beside it: %s", path,
                          strerror(e));
    }
    const uint8_t *p = data;
    size_t left = size;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            free(tmp);
            return musc_error(MUSC_ERR_IO, "%s: write failed: %s", path, strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    /* mkstemp creates 0600; give the file the usual permissions */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return musc_error(MUSC_ERR_IO, "%s: cannot flush: %s", path, strerror(e));
    }
    if (!overwrite && stat(path, &st) == 0) {
        unlink(tmp);
        free(tmp);
        return musc_error(MUSC_ERR_EXISTS, "%s: file appeared while writing; not replaced", path);
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return musc_error(MUSC_ERR_IO, "%s: cannot rename into place: %s", path, strerror(e));
    }
    free(tmp);
    return MUSC_OK;
}
