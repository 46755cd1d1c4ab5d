/*
 * Thread-local error messages. Each thread owns one fixed buffer, so setting
 * an error never allocates and cannot itself fail.
 */
#include "musc/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char errbuf[1024];

const char *musc_strerror(int status)
{
    switch (status) {
    case MUSC_OK: return "success";
    case MUSC_ERR_NOMEM: return "out of memory";
    case MUSC_ERR_IO: return "input/output error";
    case MUSC_ERR_FORMAT: return "malformed input";
    case MUSC_ERR_ARG: return "invalid argument";
    case MUSC_ERR_UNSUPPORTED: return "unsupported";
    case MUSC_ERR_RANGE: return "value out of range";
    case MUSC_ERR_INVALID: return "invalid music object";
    case MUSC_ERR_EXISTS: return "file exists";
    case MUSC_ERR_NOTFOUND: return "not found";
    case MUSC_ERR_INTERNAL: return "internal error";
    default: return "unknown error";
    }
}

const char *musc_errmsg(void) { return errbuf; }

void musc_clear_error(void) { errbuf[0] = '\0'; }

int musc_error(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, sizeof errbuf, fmt, ap);
    va_end(ap);
    return status;
}
