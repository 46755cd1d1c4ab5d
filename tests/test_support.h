/*
 * Shared helpers for the test programs: scratch paths, the shared dataset
 * directory, running the CLI. Each test program includes cmocka itself.
 */
#ifndef MUSC_TEST_SUPPORT_H
#define MUSC_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Scratch directory for this test run ($MUSC_TEST_TMP, else /tmp). */
const char *test_tmp_dir(void);

/* A path inside the scratch directory; returns a malloc'd string. */
char *test_tmp_path(const char *name);

/* ../shared/data if present ($MUSC_SHARED_DATA), else NULL. Tests that need
 * it print "SKIP: ... needs ../shared/data" and call skip(). */
const char *test_shared_data(void);

/* Path to the musc binary ($MUSC_BIN). */
const char *test_musc_bin(void);

/* Run a shell command; capture stdout (and stderr) into malloc'd strings
 * if the pointers are non-NULL. Returns the exit status (or -1). */
int test_run(const char *cmd, char **out, char **err);

/* Write bytes to a file; returns 0 on success. */
int test_write_file(const char *path, const void *data, size_t size);

/* Read a whole file (malloc'd, NUL-terminated); NULL on failure. */
char *test_read_file(const char *path, size_t *size);

/* Under the sanitizers (several times slower) the tests that read every
 * file of a shared data set take every SAMPLE-th file only, so
 * `make test-asan` stays short; the plain build reads them all. */
#if defined(__SANITIZE_ADDRESS__)
#define SAMPLE 8
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SAMPLE 8
#endif
#endif
#ifndef SAMPLE
#define SAMPLE 1
#endif

/* Save an input as a fuzzing seed: ${MUSC_TEST_TMP}/corpus/<target>/<name>.
 * The fuzz target fuzz_<target> starts from these. Best effort. */
void test_save_seed(const char *target, const char *name, const void *data, size_t size);

#endif
