/*
 * musc error handling.
 *
 * Every fallible function returns a musc_status: 0 (MUSC_OK) on success or a
 * negative code from the table below. The library never prints, aborts or
 * exits; instead it records a human-readable message for the calling thread
 * that names the file, byte offset or line and what was expected. Read it
 * with musc_errmsg() right after the failing call (the next failing call on
 * the same thread replaces it).
 */
#ifndef MUSC_ERROR_H
#define MUSC_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum musc_status {
    MUSC_OK = 0,
    MUSC_ERR_NOMEM = -1,       /* an allocation failed or a size limit was hit */
    MUSC_ERR_IO = -2,          /* a file could not be opened, read or written */
    MUSC_ERR_FORMAT = -3,      /* input is malformed (a parse error) */
    MUSC_ERR_ARG = -4,         /* an argument or option is invalid */
    MUSC_ERR_UNSUPPORTED = -5, /* valid input that musc does not handle */
    MUSC_ERR_RANGE = -6,       /* a value fell outside its allowed range */
    MUSC_ERR_INVALID = -7,     /* the object model violates an invariant */
    MUSC_ERR_EXISTS = -8,      /* refusing to overwrite an existing file */
    MUSC_ERR_NOTFOUND = -9,    /* a named item (file, tune, track) is absent */
    MUSC_ERR_INTERNAL = -10    /* a bug in musc; please report it */
} musc_status;

/* Short fixed description of a status code ("out of memory", ...). Never NULL. */
const char *musc_strerror(int status);

/* The detailed message of the last error recorded on this thread, or "" if
 * none. The pointer stays valid until the next musc call on this thread. */
const char *musc_errmsg(void);

/* Clear this thread's error message. */
void musc_clear_error(void);

/* Record an error message for this thread (printf-style) and return
 * `status`, so library code can write `return musc_error(MUSC_ERR_ARG, ...)`.
 * Exposed so extensions and bindings report errors the same way. */
int musc_error(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif
