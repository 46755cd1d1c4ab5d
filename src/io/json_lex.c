/*
 * The pull parser behind the JSON reader (see json_lex.h). Hot paths are
 * plain loops over bytes: whitespace, integers and strings without escapes
 * take no function calls per character, which is what makes reading a
 * million notes fast.
 */
#include "json_lex.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_lex_init(json_lex *lx, const char *text, size_t size)
{
    memset(lx, 0, sizeof *lx);
    lx->p = text;
    lx->end = text + size;
    lx->line_start = text;
    lx->line = 1;
    /* a UTF-8 byte order mark is not JSON, but editors write it */
    if (size >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
        lx->p += 3;
        lx->line_start = lx->p;
    }
}

void json_lex_free(json_lex *lx)
{
    free(lx->scratch);
    lx->scratch = NULL;
    lx->scratch_cap = 0;
}

musc_status json_lex_error(const json_lex *lx, const char *what)
{
    return musc_error(MUSC_ERR_FORMAT, "JSON syntax error at line %d, column %ld: %s", lx->line,
                      (long)(lx->p - lx->line_start) + 1, what);
}

int json_lex_peek(json_lex *lx)
{
    const char *p = lx->p, *end = lx->end;
    while (p < end) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == '\r') {
            p++;
        } else if (c == '\n') {
            p++;
            lx->line++;
            lx->line_start = p;
        } else {
            break;
        }
    }
    lx->p = p;
    return p < end ? (unsigned char)*p : 0;
}

void jl_value_clear(jl_value *v)
{
    free(v->s);
    memset(v, 0, sizeof *v);
}

/* ---- strings ------------------------------------------------------------- */

static int scratch_reserve(json_lex *lx, size_t need)
{
    if (need <= lx->scratch_cap)
        return 0;
    size_t cap = lx->scratch_cap ? lx->scratch_cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    char *s = realloc(lx->scratch, cap);
    if (!s)
        return -1;
    lx->scratch = s;
    lx->scratch_cap = cap;
    return 0;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0], cp;
    size_t n;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
    else return 0;
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parse the string at lx->p (which is '"') into lx->scratch, NUL-terminated;
 * *len gets its length. Each step reserves room for its run plus one
 * escape (at most 4 bytes) and the NUL. */
static musc_status parse_string(json_lex *lx, size_t *len)
{
    const char *p = lx->p + 1, *end = lx->end;
    size_t n = 0;
    for (;;) {
        const char *run = p;
        while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20 &&
               (unsigned char)*p < 0x80)
            p++;
        if (scratch_reserve(lx, n + (size_t)(p - run) + 5))
            return musc_error(MUSC_ERR_NOMEM, "out of memory");
        memcpy(lx->scratch + n, run, (size_t)(p - run));
        n += (size_t)(p - run);
        if (p >= end) {
            lx->p = p;
            return json_lex_error(lx, "unterminated string");
        }
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            lx->p = p + 1;
            lx->scratch[n] = '\0';
            *len = n;
            return MUSC_OK;
        }
        if (c >= 0x80) {
            size_t k = utf8_len((const unsigned char *)p, (const unsigned char *)end);
            if (!k) {
                lx->p = p;
                return json_lex_error(lx, "invalid UTF-8 in a string");
            }
            memcpy(lx->scratch + n, p, k);
            n += k;
            p += k;
            continue;
        }
        if (c < 0x20) {
            lx->p = p;
            return json_lex_error(lx, "control character in a string (must be escaped)");
        }
        /* a backslash escape */
        if (end - p < 2) {
            lx->p = p;
            return json_lex_error(lx, "unterminated string");
        }
        char e = p[1];
        p += 2;
        switch (e) {
        case '"': lx->scratch[n++] = '"'; break;
        case '\\': lx->scratch[n++] = '\\'; break;
        case '/': lx->scratch[n++] = '/'; break;
        case 'b': lx->scratch[n++] = '\b'; break;
        case 'f': lx->scratch[n++] = '\f'; break;
        case 'n': lx->scratch[n++] = '\n'; break;
        case 'r': lx->scratch[n++] = '\r'; break;
        case 't': lx->scratch[n++] = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (end - p < 4 || hex4(p, &cp)) {
                lx->p = p - 2;
                return json_lex_error(lx, "invalid \\u escape");
            }
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) || lo < 0xDC00 ||
                    lo > 0xDFFF) {
                    lx->p = p - 6;
                    return json_lex_error(lx, "invalid \\u escape (unpaired surrogate)");
                }
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                lx->p = p - 6;
                return json_lex_error(lx, "invalid \\u escape (unpaired surrogate)");
            } else if (cp == 0) {
                lx->p = p - 6;
                return json_lex_error(lx, "\\u0000 is not supported in strings");
            }
            n += put_utf8(lx->scratch + n, cp);
            break;
        }
        default:
            lx->p = p - 2;
            return json_lex_error(lx, "invalid escape in a string");
        }
    }
}

/* ---- numbers ------------------------------------------------------------- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static musc_status parse_number(json_lex *lx, jl_value *v)
{
    const char *start = lx->p, *p = start, *end = lx->end;
    int neg = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || !is_digit(*p))
        return json_lex_error(lx, "invalid number");
    if (*p == '0' && p + 1 < end && is_digit(p[1])) {
        lx->p = p;
        return json_lex_error(lx, "invalid number (leading zero)");
    }
    /* integers: accumulate as a negative value so INT64_MIN fits */
    int64_t acc = 0;
    int overflow = 0;
    while (p < end && is_digit(*p)) {
        int d = *p - '0';
        if (acc < (INT64_MIN + d) / 10)
            overflow = 1;
        else
            acc = acc * 10 - d;
        p++;
    }
    int real = 0;
    if (p < end && *p == '.') {
        real = 1;
        p++;
        if (p >= end || !is_digit(*p)) {
            lx->p = p;
            return json_lex_error(lx, "invalid number (digits must follow '.')");
        }
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        real = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p)) {
            lx->p = p;
            return json_lex_error(lx, "invalid number (digits must follow the exponent)");
        }
        while (p < end && is_digit(*p))
            p++;
    }
    if (!real) {
        if (overflow || (!neg && acc == INT64_MIN))
            return json_lex_error(lx, "integer too large for 64 bits");
        v->type = JT_INT;
        v->i = neg ? acc : -acc;
        lx->p = p;
        return MUSC_OK;
    }
    /* strtod follows the C locale's decimal point; JSON's is always '.' */
    size_t n = (size_t)(p - start);
    char small[128], *buf = n < sizeof small ? small : malloc(n + 8);
    if (!buf)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    memcpy(buf, start, n);
    buf[n] = '\0';
    const char *point = localeconv()->decimal_point;
    if (point && point[0] != '.' && point[0] && !point[1]) {
        char *dot = strchr(buf, '.');
        if (dot)
            *dot = point[0];
    }
    double d = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    if (!isfinite(d))
        return json_lex_error(lx, "real number overflow");
    v->type = JT_REAL;
    v->d = d;
    lx->p = p;
    return MUSC_OK;
}

/* ---- values -------------------------------------------------------------- */

static musc_status literal(json_lex *lx, const char *word, jl_type type, jl_value *v)
{
    size_t n = strlen(word);
    if ((size_t)(lx->end - lx->p) < n || memcmp(lx->p, word, n))
        return json_lex_error(lx, "invalid literal (expected a value)");
    lx->p += n;
    v->type = type;
    return MUSC_OK;
}

static musc_status skip_container(json_lex *lx, char open)
{
    musc_status rc;
    if ((rc = json_lex_open(lx, open)))
        return rc;
    int more;
    jl_value tmp;
    for (size_t i = 0;; i++) {
        if (open == '{') {
            char key[1];
            rc = json_lex_member(lx, i, key, sizeof key, &more);
        } else {
            rc = json_lex_item(lx, i, &more);
        }
        if (rc || !more)
            break;
        memset(&tmp, 0, sizeof tmp);
        rc = json_lex_value(lx, &tmp);
        jl_value_clear(&tmp);
        if (rc)
            break;
    }
    lx->depth--;
    return rc;
}

musc_status json_lex_value(json_lex *lx, jl_value *v)
{
    memset(v, 0, sizeof *v);
    int c = json_lex_peek(lx);
    const char *start = lx->p;
    musc_status rc;
    switch (c) {
    case '"': {
        size_t n;
        if ((rc = parse_string(lx, &n)))
            return rc;
        if (!(v->s = malloc(n + 1)))
            return musc_error(MUSC_ERR_NOMEM, "out of memory");
        memcpy(v->s, lx->scratch, n + 1);
        v->type = JT_STRING;
        break;
    }
    case '{':
    case '[':
        if ((rc = skip_container(lx, (char)c)))
            return rc;
        v->type = c == '{' ? JT_OBJECT : JT_ARRAY;
        break;
    case 't': rc = literal(lx, "true", JT_TRUE, v); break;
    case 'f': rc = literal(lx, "false", JT_FALSE, v); break;
    case 'n': rc = literal(lx, "null", JT_NULL, v); break;
    case 0: return json_lex_error(lx, "unexpected end of input (expected a value)");
    default:
        if (c == '-' || is_digit((char)c))
            rc = parse_number(lx, v);
        else
            rc = json_lex_error(lx, "invalid character (expected a value)");
    }
    if (rc)
        return rc;
    v->raw = start;
    v->raw_len = (size_t)(lx->p - start);
    return MUSC_OK;
}

/* ---- structure ----------------------------------------------------------- */

musc_status json_lex_open(json_lex *lx, char c)
{
    if (json_lex_peek(lx) != (unsigned char)c)
        return json_lex_error(lx, c == '{' ? "expected '{'" : "expected '['");
    if (lx->depth >= JSON_LEX_MAX_DEPTH)
        return json_lex_error(lx, "nesting too deep");
    lx->depth++;
    lx->p++;
    return MUSC_OK;
}

musc_status json_lex_member(json_lex *lx, size_t index, char *key, size_t key_size, int *more)
{
    int c = json_lex_peek(lx);
    *more = 0;
    if (c == '}') {
        lx->p++;
        return MUSC_OK;
    }
    if (index) {
        if (c != ',')
            return json_lex_error(lx, "expected ',' or '}' after an object member");
        lx->p++;
        c = json_lex_peek(lx);
    }
    if (c != '"')
        return json_lex_error(lx, index ? "expected a string key after ','"
                                        : "expected a string key or '}'");
    size_t n;
    musc_status rc = parse_string(lx, &n);
    if (rc)
        return rc;
    if (key_size) {
        if (n < key_size)
            memcpy(key, lx->scratch, n + 1);
        else
            key[0] = '\0';
    }
    if (json_lex_peek(lx) != ':')
        return json_lex_error(lx, "expected ':' after an object key");
    lx->p++;
    *more = 1;
    return MUSC_OK;
}

musc_status json_lex_item(json_lex *lx, size_t index, int *more)
{
    int c = json_lex_peek(lx);
    *more = 0;
    if (c == ']') {
        lx->p++;
        return MUSC_OK;
    }
    if (index) {
        if (c != ',')
            return json_lex_error(lx, "expected ',' or ']' after a list element");
        lx->p++;
    }
    *more = 1;
    return MUSC_OK;
}

musc_status json_lex_finish(json_lex *lx)
{
    if (json_lex_peek(lx))
        return json_lex_error(lx, "unexpected text after the end of the JSON value");
    return MUSC_OK;
}
