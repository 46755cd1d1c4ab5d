/*
 * Listing the music files of a folder tree (library-internal): what
 * `musc dataset build` and the tools' corpus loaders scan.
 */
#ifndef MUSC_IO_SCAN_H
#define MUSC_IO_SCAN_H

#include <stddef.h>

#include "musc/error.h"

/* Join two path parts with one '/' (none when either is empty or `a`
 * already ends in '/'). malloc'd; NULL when out of memory. */
char *musc_path_join(const char *a, const char *b);

/* Every regular file below `root` whose name `want` accepts (NULL: every
 * format musc reads), depth first, hidden entries skipped, directory
 * symbolic links not followed (so no cycles; file links are followed),
 * unreadable subfolders skipped, at most 64 levels deep. Each path is
 * `prefix`/<path below root> (just the path below root when prefix is "")
 * and the list is sorted bytewise. *paths is a malloc'd array of malloc'd
 * strings (free each, then the array). Errors: MUSC_ERR_IO (root cannot
 * be read), MUSC_ERR_NOMEM. */
musc_status musc_scan_files(const char *root, const char *prefix, int (*want)(const char *name),
                            char ***paths, size_t *n);

#endif
