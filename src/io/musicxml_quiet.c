/*
 * Keeping libxml2 quiet. XML_PARSE_NOERROR silences the parser, but the
 * encoding converters and I/O layer still report through libxml2's generic
 * handler, which prints to stderr by default; the library must never
 * print. The handlers are per thread in libxml2, so swapping them around a
 * parse does not disturb other threads.
 */
#include <libxml/globals.h>

#include "musicxml_internal.h"

static void silent_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void silent_structured(void *ctx, xmlErrorPtr error)
{
    (void)ctx;
    (void)error;
}

void mx_quiet_begin(mx_quiet *q)
{
    q->generic = xmlGenericError;
    q->generic_ctx = xmlGenericErrorContext;
    q->structured = xmlStructuredError;
    q->structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, silent_generic);
    xmlSetStructuredErrorFunc(NULL, silent_structured);
}

void mx_quiet_end(const mx_quiet *q)
{
    xmlSetGenericErrorFunc(q->generic_ctx, q->generic);
    xmlSetStructuredErrorFunc(q->structured_ctx, q->structured);
}
