#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *test_tmp_dir(void)
{
    const char *d = getenv("MUSC_TEST_TMP");
    return d && *d ? d : "/tmp";
}

char *test_tmp_path(const char *name)
{
    const char *d = test_tmp_dir();
    size_t n = strlen(d) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", d, name);
    return p;
}

const char *test_shared_data(void)
{
    const char *d = getenv("MUSC_SHARED_DATA");
    struct stat st;
    if (d && *d && stat(d, &st) == 0 && S_ISDIR(st.st_mode))
        return d;
    return NULL;
}

const char *test_musc_bin(void)
{
    const char *b = getenv("MUSC_BIN");
    return b && *b ? b : "musc";
}

char *test_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (size)
        *size = n;
    return buf;
}

int test_write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, size, f) == size;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

int test_run(const char *cmd, char **out, char **err)
{
    static int counter;
    char o[64], e[64];
    snprintf(o, sizeof o, "run-%d-%d.out", (int)getpid(), counter);
    snprintf(e, sizeof e, "run-%d-%d.err", (int)getpid(), counter++);
    char *op = test_tmp_path(o), *ep = test_tmp_path(e);
    size_t n = strlen(cmd) + strlen(op) + strlen(ep) + 32;
    char *full = malloc(n);
    snprintf(full, n, "( %s ) >'%s' 2>'%s'", cmd, op, ep);
    int st = system(full);
    free(full);
    if (out)
        *out = test_read_file(op, NULL);
    if (err)
        *err = test_read_file(ep, NULL);
    unlink(op);
    unlink(ep);
    free(op);
    free(ep);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

void test_save_seed(const char *target, const char *name, const void *data, size_t size)
{
    char rel[512];
    snprintf(rel, sizeof rel, "corpus");
    char *dir = test_tmp_path(rel);
    mkdir(dir, 0777);
    free(dir);
    snprintf(rel, sizeof rel, "corpus/%s", target);
    dir = test_tmp_path(rel);
    mkdir(dir, 0777);
    free(dir);
    snprintf(rel, sizeof rel, "corpus/%s/%s", target, name);
    char *path = test_tmp_path(rel);
    test_write_file(path, data, size);
    free(path);
}
