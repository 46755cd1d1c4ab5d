/*
 * Token shards: writing one in memory and renaming it into place, and
 * opening one as a read-only memory mapping that is checked once (header,
 * offsets, index, CRC-32 of the body) so training code can trust the
 * pointers it hands out. The byte layout is documented in dataset.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "dataset_internal.h"
#include "musc/io.h"

#define SHARD_MAGIC "MUSCSHRD"
#define INDEX_ENTRY 32
#define ROWS_ALIGN 64

struct musc_shard {
    const uint8_t *map;
    size_t size;
    musc_shard_info info;
    const uint8_t *index;
    const int32_t *rows;
};

/* zlib's crc32 takes lengths as uInt: feed big buffers in slices. */
static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uLong c = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)c;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

void musc_shard_config_of(const musc_dataset_options *o, int fields, musc_shard_info *info)
{
    int64_t *c = info->config;
    memset(info->config, 0, sizeof info->config);
    info->repr = o->repr;
    info->fields = fields;
    switch (o->repr) {
    case MUSC_DATASET_MMT:
        c[0] = o->mmt.max_beat;
        c[1] = o->mmt.keep_drums;
        c[2] = o->mmt.shift_to_first_beat;
        c[3] = (int64_t)o->mmt.max_seq_len;
        break;
    case MUSC_DATASET_EVENT:
        c[0] = o->event.use_single_note_off_event;
        c[1] = o->event.use_end_of_sequence_event;
        c[2] = o->event.encode_velocity;
        c[3] = o->event.force_velocity_event;
        c[4] = o->event.max_time_shift;
        c[5] = o->event.velocity_bins;
        c[6] = o->resolution;
        break;
    case MUSC_DATASET_REMI: {
        c[0] = o->remi.ppq;
        c[1] = o->remi.max_duration;
        c[2] = o->remi.n_velocities;
        c[3] = o->remi.n_tempos;
        memcpy(&c[4], &o->remi.tempo_min, sizeof(double));
        memcpy(&c[5], &o->remi.tempo_max, sizeof(double));
        c[6] = o->remi.use_programs;
        c[7] = o->remi.use_tempos;
        c[8] = o->remi.use_chords;
        c[9] = o->remi.use_time_signatures;
        c[10] = o->remi.use_bos_eos;
        break;
    }
    case MUSC_DATASET_NOTE:
        c[0] = o->note.use_start_end;
        c[1] = o->note.encode_velocity;
        c[2] = o->resolution;
        break;
    default:
        break;
    }
}

musc_status musc_shard_write(const char *path, const musc_shard_info *info,
                             const shard_piece_in *pieces, size_t n, int overwrite)
{
    uint64_t n_rows = 0;
    for (size_t i = 0; i < n; i++)
        n_rows += pieces[i].n_rows;
    size_t fields = (size_t)info->fields;
    uint64_t index_off = MUSC_SHARD_HEADER_SIZE;
    uint64_t rows_off = index_off + (uint64_t)n * INDEX_ENTRY;
    rows_off = (rows_off + ROWS_ALIGN - 1) / ROWS_ALIGN * ROWS_ALIGN;
    if (n_rows > (SIZE_MAX - rows_off) / 4 / fields)
        return musc_error(MUSC_ERR_NOMEM, "%s: shard too large", path);
    size_t size = (size_t)(rows_off + n_rows * fields * 4);
    uint8_t *buf = calloc(1, size);
    if (!buf)
        return musc_error(MUSC_ERR_NOMEM, "%s: out of memory for a %zu-byte shard", path, size);

    uint8_t *h = buf;
    memcpy(h, SHARD_MAGIC, 8);
    le_put32(h + 8, MUSC_SHARD_VERSION);
    le_put32(h + 12, MUSC_SHARD_HEADER_SIZE);
    le_put32(h + 16, (uint32_t)info->repr);
    le_put32(h + 20, (uint32_t)info->fields);
    le_put32(h + 24, (uint32_t)info->split);
    le_put64(h + 32, n);
    le_put64(h + 40, n_rows);
    le_put64(h + 48, index_off);
    le_put64(h + 56, rows_off);
    for (int i = 0; i < MUSC_SHARD_CONFIG_SLOTS; i++)
        le_put64(h + 64 + 8 * i, (uint64_t)info->config[i]);
    le_put64(h + 176, size);

    uint64_t first = 0;
    uint8_t *rows = buf + rows_off;
    for (size_t i = 0; i < n; i++) {
        uint8_t *e = buf + index_off + i * INDEX_ENTRY;
        le_put64(e, first);
        le_put64(e + 8, pieces[i].n_rows);
        le_put64(e + 16, pieces[i].hash);
        le_put64(e + 24, (uint64_t)pieces[i].id);
        size_t k = pieces[i].n_rows * fields;
        uint8_t *dst = rows + first * fields * 4;
        if (host_is_little_endian()) {
            if (k)
                memcpy(dst, pieces[i].rows, k * 4);
        } else {
            for (size_t j = 0; j < k; j++)
                le_put32(dst + 4 * j, (uint32_t)pieces[i].rows[j]);
        }
        first += pieces[i].n_rows;
    }
    le_put32(h + 184, crc32_of(buf + MUSC_SHARD_HEADER_SIZE, size - MUSC_SHARD_HEADER_SIZE));
    le_put32(h + 188, crc32_of(buf, 188));
    musc_status st = musc_file_write_atomic(path, buf, size, overwrite);
    free(buf);
    return st;
}

static musc_status check(musc_shard *s, const char *path)
{
    const uint8_t *h = s->map;
    if (s->size < MUSC_SHARD_HEADER_SIZE || memcmp(h, SHARD_MAGIC, 8) != 0)
        return musc_error(MUSC_ERR_FORMAT, "%s: not a musc shard (no MUSCSHRD header)", path);
    uint32_t version = le_get32(h + 8);
    if (version > MUSC_SHARD_VERSION || version == 0)
        return musc_error(MUSC_ERR_UNSUPPORTED,
                          "%s: shard version %u, this musc reads version %d", path,
                          (unsigned)version, MUSC_SHARD_VERSION);
    if (le_get32(h + 188) != crc32_of(h, 188))
        return musc_error(MUSC_ERR_FORMAT, "%s: header checksum mismatch (corrupt shard)", path);
    uint32_t hsize = le_get32(h + 12);
    uint64_t fsize = le_get64(h + 176);
    if (hsize != MUSC_SHARD_HEADER_SIZE)
        return musc_error(MUSC_ERR_FORMAT, "%s: header size %u, expected %d", path,
                          (unsigned)hsize, MUSC_SHARD_HEADER_SIZE);
    if (fsize != s->size)
        return musc_error(MUSC_ERR_FORMAT,
                          "%s: file is %zu bytes, header says %llu (truncated or extended)",
                          path, s->size, (unsigned long long)fsize);
    musc_shard_info *in = &s->info;
    in->version = version;
    in->repr = (int)le_get32(h + 16);
    in->fields = (int)le_get32(h + 20);
    in->split = (int)le_get32(h + 24);
    in->n_pieces = le_get64(h + 32);
    in->n_rows = le_get64(h + 40);
    for (int i = 0; i < MUSC_SHARD_CONFIG_SLOTS; i++)
        in->config[i] = (int64_t)le_get64(h + 64 + 8 * i);
    if (!musc_dataset_repr_name(in->repr))
        return musc_error(MUSC_ERR_FORMAT, "%s: unknown representation %d", path, in->repr);
    if (in->fields < 1 || in->fields > 64)
        return musc_error(MUSC_ERR_FORMAT, "%s: %d fields per row, expected 1..64", path,
                          in->fields);
    if (in->split < 0 || in->split >= MUSC_N_SPLITS)
        return musc_error(MUSC_ERR_FORMAT, "%s: unknown split %d", path, in->split);
    uint64_t index_off = le_get64(h + 48), rows_off = le_get64(h + 56);
    uint64_t size = s->size;
    if (index_off < MUSC_SHARD_HEADER_SIZE || index_off > size ||
        in->n_pieces > (size - index_off) / INDEX_ENTRY)
        return musc_error(MUSC_ERR_FORMAT, "%s: index of %llu pieces does not fit the file",
                          path, (unsigned long long)in->n_pieces);
    uint64_t row_bytes = 4 * (uint64_t)in->fields;
    if (rows_off % ROWS_ALIGN != 0 || rows_off < index_off + in->n_pieces * INDEX_ENTRY ||
        rows_off > size || in->n_rows != (size - rows_off) / row_bytes ||
        (size - rows_off) % row_bytes != 0)
        return musc_error(MUSC_ERR_FORMAT, "%s: %llu rows do not fill the file's body", path,
                          (unsigned long long)in->n_rows);
    if (le_get32(h + 184) != crc32_of(h + MUSC_SHARD_HEADER_SIZE, s->size - MUSC_SHARD_HEADER_SIZE))
        return musc_error(MUSC_ERR_FORMAT, "%s: body checksum mismatch (corrupt shard)", path);
    s->index = s->map + index_off;
    s->rows = (const int32_t *)(const void *)(s->map + rows_off);
    uint64_t expect = 0;
    for (uint64_t i = 0; i < in->n_pieces; i++) {
        const uint8_t *e = s->index + i * INDEX_ENTRY;
        uint64_t first = le_get64(e), n = le_get64(e + 8);
        if (first != expect || n > in->n_rows - first)
            return musc_error(MUSC_ERR_FORMAT, "%s: index entry %llu (rows %llu+%llu) is inconsistent",
                              path, (unsigned long long)i, (unsigned long long)first,
                              (unsigned long long)n);
        expect = first + n;
    }
    if (expect != in->n_rows)
        return musc_error(MUSC_ERR_FORMAT, "%s: index covers %llu of %llu rows", path,
                          (unsigned long long)expect, (unsigned long long)in->n_rows);
    return MUSC_OK;
}

musc_status musc_shard_open(const char *path, musc_shard **out)
{
    *out = NULL;
    if (!host_is_little_endian())
        return musc_error(MUSC_ERR_UNSUPPORTED, "%s: shards are mapped on little-endian hosts only",
                          path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return musc_error(MUSC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return musc_error(MUSC_ERR_IO, "%s: not a regular file", path);
    }
    musc_shard *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    }
    s->size = (size_t)st.st_size;
    if (s->size < MUSC_SHARD_HEADER_SIZE) {
        close(fd);
        free(s);
        return musc_error(MUSC_ERR_FORMAT, "%s: %zu bytes, too short for a shard header", path,
                          (size_t)st.st_size);
    }
    void *m = mmap(NULL, s->size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        free(s);
        return musc_error(MUSC_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
    }
    s->map = m;
    musc_status st2 = check(s, path);
    if (st2 != MUSC_OK) {
        musc_shard_close(s);
        return st2;
    }
    *out = s;
    return MUSC_OK;
}

void musc_shard_close(musc_shard *s)
{
    if (!s)
        return;
    if (s->map)
        munmap((void *)s->map, s->size);
    free(s);
}

const musc_shard_info *musc_shard_get_info(const musc_shard *s)
{
    return &s->info;
}

musc_status musc_shard_get_piece(const musc_shard *s, size_t index, musc_shard_piece *p)
{
    if (index >= s->info.n_pieces)
        return musc_error(MUSC_ERR_ARG, "piece %zu of a shard of %llu", index,
                          (unsigned long long)s->info.n_pieces);
    const uint8_t *e = s->index + (size_t)index * INDEX_ENTRY;
    uint64_t first = le_get64(e);
    p->n_rows = (size_t)le_get64(e + 8);
    p->rows = s->rows + first * (uint64_t)s->info.fields;
    p->hash = le_get64(e + 16);
    p->id = (int64_t)le_get64(e + 24);
    return MUSC_OK;
}

musc_status musc_shard_mmt_options(const musc_shard *s, musc_mmt_options *o)
{
    if (s->info.repr != MUSC_DATASET_MMT)
        return musc_error(MUSC_ERR_ARG, "shard holds %s, not mmt",
                          musc_dataset_repr_name(s->info.repr));
    *o = musc_mmt_options_default();
    o->max_beat = (int)s->info.config[0];
    o->keep_drums = (int)s->info.config[1];
    o->shift_to_first_beat = (int)s->info.config[2];
    o->max_seq_len = (size_t)s->info.config[3];
    return MUSC_OK;
}
