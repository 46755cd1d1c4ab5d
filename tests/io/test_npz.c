/* .npy and Pypianoroll .npz: exact headers, round trips, interchange with
 * numpy both ways (skipped visibly without /usr/bin/python3 + numpy), and
 * hostile archives that must fail cleanly. */
#include "test_support.h"
#include "musc/musc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define N(a) (sizeof(a) / sizeof *(a))

static void npy_header_is_numpys(void **state)
{
    (void)state;
    int32_t v[3] = {1, -2, 300};
    int64_t shape[1] = {3};
    uint8_t *buf;
    size_t size;
    assert_int_equal(musc_npy_write(MUSC_NPY_I32, 1, shape, v, &buf, &size), MUSC_OK);
    /* byte for byte what numpy.save writes for np.array([1, -2, 300], np.int32) */
    assert_int_equal(size, 128 + 12);
    assert_memory_equal(buf, "\x93NUMPY\x01\x00\x76\x00", 10);
    const char *dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }";
    assert_memory_equal(buf + 10, dict, strlen(dict));
    for (size_t i = 10 + strlen(dict); i < 127; i++)
        assert_int_equal(buf[i], ' ');
    assert_int_equal(buf[127], '\n');
    assert_memory_equal(buf + 128, "\x01\0\0\0\xfe\xff\xff\xff\x2c\x01\0\0", 12);
    musc_npy a;
    assert_int_equal(musc_npy_parse(buf, size, &a), MUSC_OK);
    assert_int_equal(a.dtype, MUSC_NPY_I32);
    assert_int_equal(a.ndim, 1);
    assert_int_equal(a.shape[0], 3);
    assert_int_equal(a.count, 3);
    assert_int_equal(musc_npy_get_i64(&a, 1), -2);
    assert_int_equal(musc_npy_get_i64(&a, 2), 300);
    test_save_seed("npy", "i4", buf, size);
    free(buf);

    /* every dtype, 2-D and scalar shapes */
    static const musc_npy_dtype types[] = {MUSC_NPY_BOOL, MUSC_NPY_U8,  MUSC_NPY_I8,
                                           MUSC_NPY_I16,  MUSC_NPY_U16, MUSC_NPY_I32,
                                           MUSC_NPY_U32,  MUSC_NPY_I64, MUSC_NPY_U64,
                                           MUSC_NPY_F32,  MUSC_NPY_F64};
    uint8_t raw[64] = {1};
    int64_t shape2[2] = {2, 3};
    for (size_t i = 0; i < N(types); i++) {
        assert_int_equal(musc_npy_write(types[i], 2, shape2, raw, &buf, &size), MUSC_OK);
        assert_int_equal(musc_npy_parse(buf, size, &a), MUSC_OK);
        assert_int_equal(a.dtype, types[i]);
        assert_int_equal(a.ndim, 2);
        assert_int_equal(a.count, 6);
        assert_true(musc_npy_get_f64(&a, 5) == 0);
        free(buf);
    }
    double pi = 3.75;
    assert_int_equal(musc_npy_write(MUSC_NPY_F64, 0, NULL, &pi, &buf, &size), MUSC_OK);
    assert_int_equal(musc_npy_parse(buf, size, &a), MUSC_OK);
    assert_int_equal(a.ndim, 0);
    assert_int_equal(a.count, 1);
    assert_true(musc_npy_get_f64(&a, 0) == 3.75);
    assert_int_equal(musc_npy_get_i64(&a, 0), 3);
    free(buf);
}

static musc_status parse_text(const char *header, size_t data_bytes)
{
    uint8_t buf[512] = "\x93NUMPY\x01\x00";
    size_t hl = strlen(header);
    buf[8] = (uint8_t)hl;
    buf[9] = 0;
    memcpy(buf + 10, header, hl);
    musc_npy a;
    return musc_npy_parse(buf, 10 + hl + data_bytes, &a);
}

static void npy_hostile_headers(void **state)
{
    (void)state;
    musc_npy a;
    assert_int_equal(musc_npy_parse((const uint8_t *)"hello", 5, &a), MUSC_ERR_FORMAT);
    assert_int_equal(parse_text("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }\n", 8),
                     MUSC_OK);
    assert_int_equal(parse_text("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }\n", 8),
                     MUSC_ERR_FORMAT); /* data too short */
    assert_int_equal(parse_text("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", 8),
                     MUSC_ERR_UNSUPPORTED);
    assert_int_equal(parse_text("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", 16),
                     MUSC_ERR_UNSUPPORTED);
    assert_int_equal(
        parse_text("{'descr': '<i8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
                   8),
        MUSC_ERR_FORMAT);
    assert_int_equal(
        parse_text("{'descr': '<i8', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                   8),
        MUSC_ERR_FORMAT);
    assert_int_equal(parse_text("{'descr': '<i4', 'shape': (1,), }", 4), MUSC_ERR_FORMAT);
    assert_int_equal(parse_text("{'descr': '<i4', 'fortran_order': Maybe, 'shape': (1,), }", 4),
                     MUSC_ERR_FORMAT);
    assert_int_equal(parse_text("{'descr': '<i4', 'fortran_order': True, 'shape': (1, 2), }", 8),
                     MUSC_ERR_UNSUPPORTED);
    assert_int_equal(parse_text("{'descr': '<i4', 'fortran_order': False, 'shape': (1, }", 4),
                     MUSC_ERR_FORMAT);
    assert_int_equal(parse_text("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 4),
                     MUSC_ERR_FORMAT);
    uint8_t longhdr[16] = "\x93NUMPY\x01\x00\xff\x00{";
    assert_int_equal(musc_npy_parse(longhdr, sizeof longhdr, &a), MUSC_ERR_FORMAT);
    uint8_t v9[16] = "\x93NUMPY\x09\x00";
    assert_int_equal(musc_npy_parse(v9, sizeof v9, &a), MUSC_ERR_UNSUPPORTED);
}

/* A two-track piece with tempo changes and a time signature. */
static musc_music *sample_music(void)
{
    musc_music *m = musc_music_new(4);
    musc_set_string(&m->metadata.title, "Sample");
    musc_music_add_tempo(m, 0, 100.0);
    musc_music_add_tempo(m, 8, 140.0);
    musc_music_add_time_signature(m, 0, 3, 4);
    musc_track *t = musc_music_add_track(m, 33, 0, "Bass");
    musc_track_add_note(t, 0, 4, 40, 90);
    musc_track_add_note(t, 6, 3, 43, 70);
    musc_track_add_note(t, 6, 6, 47, 127);
    t = musc_music_add_track(m, 0, 1, NULL);
    musc_track_add_note(t, 0, 1, 36, 100);
    musc_track_add_note(t, 4, 1, 38, 1);
    return m;
}

static void expect_sample(const musc_music *m, int binary)
{
    assert_int_equal(m->resolution, 4);
    assert_string_equal(m->metadata.title, "Sample");
    assert_int_equal(m->n_tempos, 2);
    assert_int_equal(m->tempos[0].time, 0);
    assert_true(m->tempos[0].qpm == 100.0);
    assert_int_equal(m->tempos[1].time, 8);
    assert_true(m->tempos[1].qpm == 140.0);
    assert_int_equal(m->n_tracks, 2);
    const musc_track *t = &m->tracks[0];
    assert_int_equal(t->program, 33);
    assert_false(t->is_drum);
    assert_string_equal(t->name, "Bass");
    assert_int_equal(t->n_notes, 3);
    int v[3] = {90, 70, 127};
    int64_t times[3] = {0, 6, 6}, durs[3] = {4, 3, 6};
    int pitches[3] = {40, 43, 47};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(t->notes[i].time, times[i]);
        assert_int_equal(t->notes[i].duration, durs[i]);
        assert_int_equal(t->notes[i].pitch, pitches[i]);
        assert_int_equal(t->notes[i].velocity, binary ? 64 : v[i]);
    }
    t = &m->tracks[1];
    assert_true(t->is_drum);
    assert_null(t->name);
    assert_int_equal(t->n_notes, 2);
    assert_int_equal(t->notes[1].velocity, binary ? 64 : 1);
}

static void round_trip_in_memory(void **state)
{
    (void)state;
    musc_music *m = sample_music();
    for (int binary = 0; binary < 2; binary++)
        for (int compress = 0; compress < 2; compress++) {
            musc_write_options wo = musc_write_options_default();
            wo.compress = compress;
            wo.flags = binary ? MUSC_NPZ_BINARY : 0;
            uint8_t *data;
            size_t size;
            assert_int_equal(musc_npz_write_mem(m, &wo, &data, &size), MUSC_OK);
            test_save_seed("npz", binary ? (compress ? "bin-z" : "bin") : (compress ? "vel-z" : "vel"),
                           data, size);
            musc_music *back;
            assert_int_equal(musc_npz_read_mem(data, size, NULL, &back, NULL), MUSC_OK);
            expect_sample(back, binary);
            musc_music_free(back);
            free(data);
        }
    musc_music_free(m);
}

static void read_and_write_through_files(void **state)
{
    (void)state;
    musc_music *m = sample_music();
    char *path = test_tmp_path("npz_files.npz");
    remove(path);
    assert_int_equal(musc_write(m, path, NULL), MUSC_OK);
    assert_int_equal(musc_write(m, path, NULL), MUSC_ERR_EXISTS);
    musc_music *back;
    assert_int_equal(musc_read(path, NULL, &back, NULL), MUSC_OK);
    expect_sample(back, 0);
    assert_string_equal(back->metadata.source_format, "npz");
    musc_music_free(back);
    free(path);
    musc_music_free(m);
}

static void empty_music_round_trips(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    uint8_t *data;
    size_t size;
    assert_int_equal(musc_npz_write_mem(m, NULL, &data, &size), MUSC_OK);
    musc_music *back;
    assert_int_equal(musc_npz_read_mem(data, size, NULL, &back, NULL), MUSC_OK);
    assert_int_equal(back->resolution, 24);
    assert_int_equal(back->n_tracks, 0);
    assert_null(back->metadata.title);
    musc_music_free(back);
    free(data);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, MUSC_NPZ_MAX_STEPS, 1, 60, 64);
    assert_int_equal(musc_npz_write_mem(m, NULL, &data, &size), MUSC_ERR_RANGE);
    t->notes[0].pitch = 200;
    assert_int_equal(musc_npz_write_mem(m, NULL, &data, &size), MUSC_ERR_INVALID);
    musc_music_free(m);
}

/* ---- numpy interchange ------------------------------------------------------ */

static int have_numpy(void)
{
    return test_run("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1", NULL, NULL) == 0;
}

static int run_python(const char *script, const char *arg, const char *arg2, char **out)
{
    char *py = test_tmp_path("npz_check.py");
    test_write_file(py, script, strlen(script));
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' '%s'", py, arg, arg2 ? arg2 : "");
    char *err = NULL;
    int rc = test_run(cmd, out, &err);
    if (rc != 0)
        print_message("python said: %s\n", err ? err : "");
    free(err);
    free(py);
    return rc;
}

static const char *numpy_reads_musc =
    "import sys, json, zipfile\n"
    "import numpy as np\n"
    "path = sys.argv[1]\n"
    "with np.load(path) as f:\n"
    "    info = json.loads(f['info.json'].decode('utf-8'))\n"
    "    assert info['resolution'] == 4 and info['name'] == 'Sample', info\n"
    "    assert info['0'] == {'program': 33, 'is_drum': False, 'name': 'Bass'}, info\n"
    "    assert info['1']['is_drum'] is True\n"
    "    tempo = f['tempo']\n"
    "    assert tempo.dtype == np.float64 and tempo.shape == (12,), (tempo.dtype, tempo.shape)\n"
    "    assert list(tempo) == [100.0] * 8 + [140.0] * 4\n"
    "    assert f['downbeat'].dtype == np.bool_\n"
    "    assert list(np.nonzero(f['downbeat'])[0]) == [0]\n"
    "    assert list(np.nonzero(f['beat'])[0]) == [0, 4, 8]\n"
    "    def dense(i):\n"
    "        shape = tuple(f['pianoroll_%d_csc_shape' % i])\n"
    "        data = f['pianoroll_%d_csc_data' % i]\n"
    "        ind = f['pianoroll_%d_csc_indices' % i]\n"
    "        ptr = f['pianoroll_%d_csc_indptr' % i]\n"
    "        assert ind.dtype == np.int32 and ptr.dtype == np.int32 and len(ptr) == 129\n"
    "        roll = np.zeros(shape, data.dtype)\n"
    "        for p in range(shape[1]):\n"
    "            roll[ind[ptr[p]:ptr[p + 1]], p] = data[ptr[p]:ptr[p + 1]]\n"
    "        return roll\n"
    "    bass = dense(0)\n"
    "    assert bass.dtype == np.uint8 and bass.shape == (12, 128)\n"
    "    assert list(bass[:, 40]) == [90] * 4 + [0] * 8\n"
    "    assert list(bass[:, 43]) == [0] * 6 + [70] * 3 + [0] * 3\n"
    "    assert list(bass[:, 47]) == [0] * 6 + [127] * 6\n"
    "    assert int(bass.astype(bool).sum()) == 13\n"
    "    drums = dense(1)\n"
    "    assert drums[0, 36] == 100 and drums[4, 38] == 1 and int(drums.astype(bool).sum()) == 2\n"
    "z = zipfile.ZipFile(path)\n"
    "assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())\n"
    "with np.load(sys.argv[2]) as f:\n"
    "    d = f['pianoroll_0_csc_data']\n"
    "    assert d.dtype == np.bool_ and d.shape == (13,) and d.all(), (d.dtype, d.shape)\n"
    "    assert list(f['pianoroll_1_csc_indices']) == [0, 4]\n"
    "    assert list(f['pianoroll_1_csc_indptr'][35:40]) == [0, 0, 1, 1, 2]\n"
    "z = zipfile.ZipFile(sys.argv[2])\n"
    "assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())\n"
    "print('ok')\n";

static void numpy_loads_what_musc_writes(void **state)
{
    (void)state;
    if (!have_numpy()) {
        print_message("SKIP: numpy interchange needs /usr/bin/python3 with numpy\n");
        skip();
    }
    musc_music *m = sample_music();
    char *path = test_tmp_path("musc_written.npz");
    remove(path);
    assert_int_equal(musc_write(m, path, NULL), MUSC_OK);
    char *bin = test_tmp_path("musc_written_binary.npz");
    musc_write_options wo = musc_write_options_default();
    wo.overwrite = 1;
    wo.compress = 0;
    wo.flags = MUSC_NPZ_BINARY;
    assert_int_equal(musc_write(m, bin, &wo), MUSC_OK);
    char *out = NULL;
    assert_int_equal(run_python(numpy_reads_musc, path, bin, &out), 0);
    assert_non_null(strstr(out, "ok"));
    free(out);
    free(bin);
    free(path);
    musc_music_free(m);
}

/* Build a file exactly as Pypianoroll's save() does: savez_compressed of
 * the CSC parts (computed here with numpy, as scipy would), then info.json
 * appended to the zip. Track 1 is boolean; entries within a column are
 * deliberately unsorted, and one duplicate entry sums (scipy semantics). */
static const char *numpy_writes_pypianoroll =
    "import sys, json, zipfile\n"
    "import numpy as np\n"
    "path = sys.argv[1]\n"
    "def csc(roll):\n"
    "    data, ind, ptr = [], [], [0]\n"
    "    for p in range(roll.shape[1]):\n"
    "        rows = np.nonzero(roll[:, p])[0]\n"
    "        data.extend(roll[rows, p]); ind.extend(rows); ptr.append(len(ind))\n"
    "    return (np.array(data, roll.dtype), np.array(ind, np.int32), np.array(ptr, np.int32),\n"
    "            np.array(roll.shape))\n"
    "a = np.zeros((24, 128), np.uint8)\n"
    "a[0:6, 60] = 80; a[6:12, 60] = 81; a[12:13, 64] = 127; a[20:24, 127] = 5\n"
    "b = np.zeros((16, 128), bool)\n"
    "b[0, 36] = True; b[8:10, 42] = True\n"
    "arrays = {'tempo': np.array([120.0] * 12 + [90.0] * 12), 'downbeat': np.arange(24) % 8 == 0}\n"
    "for i, roll in enumerate((a, b)):\n"
    "    d, ind, ptr, shape = csc(roll)\n"
    "    if i == 1:\n"
    "        ind[1:3] = ind[1:3][::-1].copy()\n"
    "    arrays['pianoroll_%d_csc_data' % i] = d\n"
    "    arrays['pianoroll_%d_csc_indices' % i] = ind\n"
    "    arrays['pianoroll_%d_csc_indptr' % i] = ptr\n"
    "    arrays['pianoroll_%d_csc_shape' % i] = shape\n"
    "np.savez_compressed(path, **arrays)\n"
    "info = {'resolution': 6, 'name': 'From numpy',\n"
    "        '0': {'program': 48, 'is_drum': False, 'name': 'Strings'},\n"
    "        '1': {'program': 0, 'is_drum': True, 'name': ''}}\n"
    "with zipfile.ZipFile(path, 'a') as z:\n"
    "    z.writestr('info.json', json.dumps(info), zipfile.ZIP_DEFLATED)\n"
    "print('ok')\n";

static void musc_reads_what_numpy_writes(void **state)
{
    (void)state;
    if (!have_numpy()) {
        print_message("SKIP: numpy interchange needs /usr/bin/python3 with numpy\n");
        skip();
    }
    char *path = test_tmp_path("numpy_written.npz");
    remove(path);
    assert_int_equal(run_python(numpy_writes_pypianoroll, path, NULL, NULL), 0);
    size_t size;
    char *bytes = test_read_file(path, &size);
    assert_non_null(bytes);
    test_save_seed("npz", "numpy", bytes, size);
    free(bytes);
    musc_music *m;
    musc_report rep = {0};
    assert_int_equal(musc_read(path, NULL, &m, &rep), MUSC_OK);
    assert_int_equal(rep.n_repairs, 0);
    assert_int_equal(m->resolution, 6);
    assert_string_equal(m->metadata.title, "From numpy");
    assert_int_equal(m->n_tempos, 2);
    assert_int_equal(m->tempos[1].time, 12);
    assert_true(m->tempos[1].qpm == 90.0);
    assert_int_equal(m->n_tracks, 2);
    const musc_track *t = &m->tracks[0];
    assert_int_equal(t->program, 48);
    assert_string_equal(t->name, "Strings");
    /* 60: one run of 12 steps (touching notes merge), velocity at onset */
    assert_int_equal(t->n_notes, 3);
    assert_int_equal(t->notes[0].time, 0);
    assert_int_equal(t->notes[0].duration, 12);
    assert_int_equal(t->notes[0].pitch, 60);
    assert_int_equal(t->notes[0].velocity, 80);
    assert_int_equal(t->notes[1].time, 12);
    assert_int_equal(t->notes[1].pitch, 64);
    assert_int_equal(t->notes[1].velocity, 127);
    assert_int_equal(t->notes[2].time, 20);
    assert_int_equal(t->notes[2].duration, 4);
    assert_int_equal(t->notes[2].pitch, 127);
    t = &m->tracks[1];
    assert_true(t->is_drum);
    assert_null(t->name);
    assert_int_equal(t->n_notes, 2);
    assert_int_equal(t->notes[0].pitch, 36);
    assert_int_equal(t->notes[0].velocity, 64);
    assert_int_equal(t->notes[1].time, 8);
    assert_int_equal(t->notes[1].duration, 2);
    musc_report_clear(&rep);
    musc_music_free(m);
    free(path);
}

/* ---- hostile archives ------------------------------------------------------- */

/* A zip image from (name, bytes) pairs, stored uncompressed. */
static uint8_t *make_zip(const char *const *names, const char *const *bodies, const size_t *sizes,
                         size_t n, size_t *out_size)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE | ZIP_CREATE, &ze);
    assert_non_null(z);
    zip_source_keep(src);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(z, bodies[i], sizes[i], 0);
        assert_true(zip_file_add(z, names[i], s, 0) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    zip_source_open(src);
    zip_source_seek(src, 0, SEEK_END);
    zip_int64_t len = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)len);
    assert_int_equal(zip_source_read(src, buf, (zip_uint64_t)len), len);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&ze);
    *out_size = (size_t)len;
    return buf;
}

/* An npz with one track whose CSC parts are given. */
static musc_status read_forged(const char *info, int64_t steps, int64_t pitches,
                               const int32_t *indptr, size_t n_indptr, const int32_t *indices,
                               const uint8_t *data, size_t nnz)
{
    uint8_t *parts[4];
    size_t sizes[5];
    int64_t shape[2] = {steps, pitches};
    int64_t one[1];
    one[0] = 2;
    assert_int_equal(musc_npy_write(MUSC_NPY_I64, 1, one, shape, &parts[0], &sizes[0]), MUSC_OK);
    one[0] = (int64_t)n_indptr;
    assert_int_equal(musc_npy_write(MUSC_NPY_I32, 1, one, indptr, &parts[1], &sizes[1]), MUSC_OK);
    one[0] = (int64_t)nnz;
    assert_int_equal(musc_npy_write(MUSC_NPY_I32, 1, one, indices, &parts[2], &sizes[2]), MUSC_OK);
    assert_int_equal(musc_npy_write(MUSC_NPY_U8, 1, one, data, &parts[3], &sizes[3]), MUSC_OK);
    sizes[4] = strlen(info);
    const char *names[5] = {"pianoroll_0_csc_shape.npy", "pianoroll_0_csc_indptr.npy",
                            "pianoroll_0_csc_indices.npy", "pianoroll_0_csc_data.npy",
                            "info.json"};
    const char *bodies[5] = {(char *)parts[0], (char *)parts[1], (char *)parts[2],
                             (char *)parts[3], info};
    size_t zsize;
    uint8_t *zip = make_zip(names, bodies, sizes, 5, &zsize);
    test_save_seed("npz", "forged", zip, zsize);
    musc_music *m = NULL;
    musc_status st = musc_npz_read_mem(zip, zsize, NULL, &m, NULL);
    musc_music_free(m);
    for (int i = 0; i < 4; i++)
        free(parts[i]);
    free(zip);
    return st;
}

static void hostile_archives_fail_cleanly(void **state)
{
    (void)state;
    musc_music *m;
    assert_int_equal(musc_npz_read_mem((const uint8_t *)"PK\x03\x04junk", 8, NULL, &m, NULL),
                     MUSC_ERR_FORMAT);
    assert_null(m);
    assert_int_equal(musc_npz_read_mem(NULL, 0, NULL, &m, NULL), MUSC_ERR_FORMAT);
    const char *info = "{\"resolution\": 24, \"name\": null, \"0\": {\"program\": 0, "
                       "\"is_drum\": false, \"name\": \"x\"}}";
    int32_t ptr[129] = {0};
    for (int p = 1; p < 129; p++)
        ptr[p] = p > 60 ? 2 : 0;
    int32_t ind[2] = {0, 1};
    uint8_t val[2] = {50, 60};
    assert_int_equal(read_forged(info, 4, 128, ptr, 129, ind, val, 2), MUSC_OK);
    /* a forged huge T with few entries costs nothing */
    assert_int_equal(read_forged(info, (int64_t)1 << 50, 128, ptr, 129, ind, val, 2), MUSC_OK);
    /* index outside T */
    assert_int_equal(read_forged(info, 1, 128, ptr, 129, ind, val, 2), MUSC_ERR_FORMAT);
    /* indptr past the entries, decreasing, not starting at 0 */
    ptr[128] = 3;
    assert_int_equal(read_forged(info, 4, 128, ptr, 129, ind, val, 2), MUSC_ERR_FORMAT);
    ptr[128] = 1;
    assert_int_equal(read_forged(info, 4, 128, ptr, 129, ind, val, 2), MUSC_ERR_FORMAT);
    ptr[128] = 2;
    ptr[0] = 1;
    assert_int_equal(read_forged(info, 4, 128, ptr, 129, ind, val, 2), MUSC_ERR_FORMAT);
    ptr[0] = 0;
    /* wrong indptr length, too many pitches, negative steps */
    assert_int_equal(read_forged(info, 4, 128, ptr, 100, ind, val, 2), MUSC_ERR_FORMAT);
    assert_int_equal(read_forged(info, 4, 129, ptr, 129, ind, val, 2), MUSC_ERR_FORMAT);
    assert_int_equal(read_forged(info, -4, 128, ptr, 129, ind, val, 2), MUSC_ERR_FORMAT);
    /* info.json problems */
    assert_int_equal(read_forged("not json", 4, 128, ptr, 129, ind, val, 2), MUSC_ERR_FORMAT);
    assert_int_equal(read_forged("[1]", 4, 128, ptr, 129, ind, val, 2), MUSC_ERR_FORMAT);
    assert_int_equal(read_forged("{\"resolution\": 0}", 4, 128, ptr, 129, ind, val, 2),
                     MUSC_ERR_FORMAT);
    assert_int_equal(read_forged("{\"beat_resolution\": 12}", 4, 128, ptr, 129, ind, val, 2),
                     MUSC_OK);
    assert_int_equal(read_forged("{\"resolution\": 4, \"0\": {\"program\": 300}}", 4, 128, ptr,
                                 129, ind, val, 2),
                     MUSC_ERR_FORMAT);
    assert_int_equal(read_forged("{\"resolution\": 4, \"0\": 5}", 4, 128, ptr, 129, ind, val, 2),
                     MUSC_ERR_FORMAT);
    /* a track listed in info.json without its arrays */
    assert_int_equal(read_forged("{\"resolution\": 4, \"0\": {}, \"1\": {}}", 4, 128, ptr, 129,
                                 ind, val, 2),
                     MUSC_ERR_FORMAT);
    /* no info.json at all */
    const char *names[1] = {"tempo.npy"};
    const char *bodies[1] = {"x"};
    size_t sizes[1] = {1}, zsize;
    uint8_t *zip = make_zip(names, bodies, sizes, 1, &zsize);
    assert_int_equal(musc_npz_read_mem(zip, zsize, NULL, &m, NULL), MUSC_ERR_FORMAT);
    free(zip);
    /* truncated archive */
    musc_music *s = sample_music();
    uint8_t *data;
    size_t size;
    assert_int_equal(musc_npz_write_mem(s, NULL, &data, &size), MUSC_OK);
    for (size_t cut = 0; cut < size; cut += 37)
        assert_int_not_equal(musc_npz_read_mem(data, cut, NULL, &m, NULL), MUSC_OK);
    /* flipped bytes: any outcome but a crash */
    for (size_t i = 0; i < size; i += 13) {
        data[i] ^= 0x5a;
        if (musc_npz_read_mem(data, size, NULL, &m, NULL) == MUSC_OK)
            musc_music_free(m);
        data[i] ^= 0x5a;
    }
    free(data);
    musc_music_free(s);
}

static void bad_tempo_values_are_repaired_or_refused(void **state)
{
    (void)state;
    double tempo[4] = {120, -1, 0, 90};
    int64_t one[1] = {4};
    uint8_t *npy;
    size_t npy_size;
    assert_int_equal(musc_npy_write(MUSC_NPY_F64, 1, one, tempo, &npy, &npy_size), MUSC_OK);
    const char *info = "{\"resolution\": 4}";
    const char *names[2] = {"tempo.npy", "info.json"};
    const char *bodies[2] = {(char *)npy, info};
    size_t sizes[2] = {npy_size, strlen(info)}, zsize;
    uint8_t *zip = make_zip(names, bodies, sizes, 2, &zsize);
    musc_music *m;
    musc_report rep = {0};
    assert_int_equal(musc_npz_read_mem(zip, zsize, NULL, &m, &rep), MUSC_OK);
    assert_int_equal(rep.n_repairs, 2);
    assert_int_equal(m->n_tempos, 2);
    assert_int_equal(m->tempos[1].time, 3);
    musc_music_free(m);
    musc_report_clear(&rep);
    musc_read_options ro = musc_read_options_default();
    ro.strict = 1;
    assert_int_equal(musc_npz_read_mem(zip, zsize, &ro, &m, NULL), MUSC_ERR_FORMAT);
    free(zip);
    free(npy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(npy_header_is_numpys),
        cmocka_unit_test(npy_hostile_headers),
        cmocka_unit_test(round_trip_in_memory),
        cmocka_unit_test(read_and_write_through_files),
        cmocka_unit_test(empty_music_round_trips),
        cmocka_unit_test(numpy_loads_what_musc_writes),
        cmocka_unit_test(musc_reads_what_numpy_writes),
        cmocka_unit_test(hostile_archives_fail_cleanly),
        cmocka_unit_test(bad_tempo_values_are_repaired_or_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
