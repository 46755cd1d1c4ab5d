/* Listing the music files of a folder tree (see scan.h). */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/grow.h"
#include "musc/io.h"

typedef struct path_list {
    char **items;
    size_t n, cap;
} path_list;

char *musc_path_join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 2);
    if (!s)
        return NULL;
    memcpy(s, a, na);
    size_t k = na;
    if (na && nb && a[na - 1] != '/')
        s[k++] = '/';
    memcpy(s + k, b, nb + 1);
    return s;
}

static int any_format(const char *name)
{
    return musc_format_from_path(name) != MUSC_FORMAT_UNKNOWN;
}

static musc_status scan_dir(const char *full, const char *rel, int (*want)(const char *),
                            path_list *list, int depth)
{
    if (depth > 64)
        return MUSC_OK;
    DIR *d = opendir(full);
    if (!d)
        return musc_error(MUSC_ERR_IO, "%s: cannot read folder: %s", full, strerror(errno));
    musc_status st = MUSC_OK;
    struct dirent *e;
    while (st == MUSC_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *child = musc_path_join(rel, e->d_name);
        char *cfull = musc_path_join(full, e->d_name);
        if (!child || !cfull) {
            st = musc_error(MUSC_ERR_NOMEM, "out of memory");
        } else {
            /* d_type saves two stat calls per file where the file system gives it */
            struct stat sb;
            int is_dir = e->d_type == DT_DIR ||
                         (e->d_type == DT_UNKNOWN && lstat(cfull, &sb) == 0 &&
                          S_ISDIR(sb.st_mode));
            if (is_dir) {
                st = scan_dir(cfull, child, want, list, depth + 1);
                if (st == MUSC_ERR_IO) /* an unreadable subfolder is skipped */
                    st = MUSC_OK;
            } else if (want(e->d_name) &&
                       (e->d_type == DT_REG || (stat(cfull, &sb) == 0 && S_ISREG(sb.st_mode)))) {
                if (MUSC_GROW(list->items, list->cap, list->n + 1) != 0) {
                    st = musc_error(MUSC_ERR_NOMEM, "out of memory");
                } else {
                    list->items[list->n++] = child;
                    child = NULL;
                }
            }
        }
        free(child);
        free(cfull);
    }
    closedir(d);
    return st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

musc_status musc_scan_files(const char *root, const char *prefix, int (*want)(const char *name),
                            char ***paths, size_t *n)
{
    *paths = NULL;
    *n = 0;
    path_list list = {0};
    musc_status st = scan_dir(root, prefix ? prefix : "", want ? want : any_format, &list, 0);
    if (st != MUSC_OK) {
        for (size_t i = 0; i < list.n; i++)
            free(list.items[i]);
        free(list.items);
        return st;
    }
    if (list.n)
        qsort(list.items, list.n, sizeof *list.items, cmp_str);
    *paths = list.items;
    *n = list.n;
    return MUSC_OK;
}
