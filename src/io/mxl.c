/*
 * Compressed MusicXML (.mxl): a zip whose META-INF/container.xml names the
 * score as the first <rootfile full-path="...">. Reading never trusts the
 * sizes the archive declares: every entry is read through a hard cap, so a
 * zip bomb costs at most MXL_MAX_ENTRY bytes. Writing puts an uncompressed
 * "mimetype" first (as the MusicXML spec asks), then the container and the
 * score.
 */
#include "musc/musicxml.h"
#include "musicxml_internal.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#define MXL_MAX_ENTRY ((zip_uint64_t)64 << 20)
#define MXL_MAX_CONTAINER ((zip_uint64_t)1 << 20)

/* Read entry `index` into a malloc'd buffer of at most `cap` bytes. */
static musc_status read_entry(zip_t *z, zip_uint64_t index, zip_uint64_t cap, uint8_t **out,
                              size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    zip_file_t *f = zip_fopen_index(z, index, 0);
    if (!f)
        return musc_error(MUSC_ERR_FORMAT, "mxl: cannot open zip entry %s: %s",
                          zip_get_name(z, index, 0) ? zip_get_name(z, index, 0) : "?",
                          zip_strerror(z));
    size_t cap_now = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap_now);
    if (!buf) {
        zip_fclose(f);
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    }
    for (;;) {
        if (n == cap_now) {
            if (cap_now >= cap + 1) {
                free(buf);
                zip_fclose(f);
                return musc_error(MUSC_ERR_FORMAT,
                                  "mxl: zip entry %s is larger than the %llu-byte limit",
                                  zip_get_name(z, index, 0), (unsigned long long)cap);
            }
            size_t ncap = cap_now * 2;
            if (ncap > cap + 1)
                ncap = (size_t)cap + 1;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                zip_fclose(f);
                return musc_error(MUSC_ERR_NOMEM, "out of memory");
            }
            buf = nb;
            cap_now = ncap;
        }
        zip_int64_t r = zip_fread(f, buf + n, cap_now - n);
        if (r < 0) {
            musc_status st = musc_error(MUSC_ERR_FORMAT, "mxl: cannot decompress %s: %s",
                                        zip_get_name(z, index, 0), zip_file_strerror(f));
            free(buf);
            zip_fclose(f);
            return st;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    zip_fclose(f);
    if (n > cap) {
        free(buf);
        return musc_error(MUSC_ERR_FORMAT, "mxl: zip entry too large");
    }
    *out = buf;
    *out_size = n;
    return MUSC_OK;
}

/* The full-path of the first <rootfile> in container.xml, malloc'd, or NULL. */
static char *container_rootfile(const uint8_t *data, size_t size)
{
    if (size > (size_t)MXL_MAX_CONTAINER)
        return NULL;
    mx_quiet q;
    mx_quiet_begin(&q);
    xmlDocPtr doc = xmlReadMemory((const char *)data, (int)size, "container.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    mx_quiet_end(&q);
    if (!doc)
        return NULL;
    char *path = NULL;
    /* the rootfile sits at container/rootfiles/rootfile; search shallowly */
    xmlNodePtr root = xmlDocGetRootElement(doc);
    for (xmlNodePtr a = root ? root->children : NULL; a && !path; a = a->next) {
        if (a->type != XML_ELEMENT_NODE || strcmp((const char *)a->name, "rootfiles"))
            continue;
        for (xmlNodePtr b = a->children; b && !path; b = b->next) {
            if (b->type != XML_ELEMENT_NODE || strcmp((const char *)b->name, "rootfile"))
                continue;
            xmlChar *fp = xmlGetNoNsProp(b, (const xmlChar *)"full-path");
            if (fp && *fp)
                path = strdup((const char *)fp);
            xmlFree(fp);
        }
    }
    xmlFreeDoc(doc);
    return path;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcasecmp(s + n - k, suf) == 0;
}

musc_status musc_mxl_extract(const uint8_t *data, size_t size, uint8_t **xml, size_t *xml_size,
                             musc_report *report)
{
    *xml = NULL;
    *xml_size = 0;
    zip_error_t zerr;
    zip_error_init(&zerr);
    zip_source_t *src = zip_source_buffer_create(data, size, 0, &zerr);
    if (!src) {
        zip_error_fini(&zerr);
        return musc_error(MUSC_ERR_NOMEM, "mxl: cannot open the archive in memory");
    }
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &zerr);
    if (!z) {
        musc_status st = musc_error(MUSC_ERR_FORMAT, "mxl: not a readable zip archive: %s",
                                    zip_error_strerror(&zerr));
        zip_source_free(src);
        zip_error_fini(&zerr);
        return st;
    }
    zip_error_fini(&zerr);

    musc_status st = MUSC_OK;
    char *root = NULL;
    const char *why = "no META-INF/container.xml";
    zip_int64_t ci = zip_name_locate(z, "META-INF/container.xml", 0);
    if (ci >= 0) {
        uint8_t *c = NULL;
        size_t cn = 0;
        st = read_entry(z, (zip_uint64_t)ci, MXL_MAX_CONTAINER, &c, &cn);
        if (st == MUSC_OK)
            root = container_rootfile(c, cn);
        why = root ? "META-INF/container.xml names a missing rootfile"
                   : "META-INF/container.xml is unreadable or names no rootfile";
        free(c);
        if (st != MUSC_OK)
            goto done;
    }
    zip_int64_t si = root ? zip_name_locate(z, root, 0) : -1;
    if (si < 0) {
        /* no usable container: take the first score-like entry */
        zip_int64_t n = zip_get_num_entries(z, 0);
        for (zip_int64_t i = 0; i < n && si < 0; i++) {
            const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
            if (name && strncmp(name, "META-INF/", 9) != 0 &&
                (has_suffix(name, ".xml") || has_suffix(name, ".musicxml")))
                si = i;
        }
        if (si < 0) {
            st = musc_error(MUSC_ERR_FORMAT,
                            "mxl: no score in the archive (expected META-INF/container.xml "
                            "naming a rootfile, or a .xml/.musicxml entry)");
            goto done;
        }
        musc_report_add(report, MUSC_REPAIR_OTHER, 0,
                        "mxl: %s; read %s instead", why,
                        zip_get_name(z, (zip_uint64_t)si, 0));
    }
    st = read_entry(z, (zip_uint64_t)si, MXL_MAX_ENTRY, xml, xml_size);
done:
    free(root);
    zip_discard(z); /* also frees src */
    return st;
}

static const char CONTAINER[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<container>\n"
    "  <rootfiles>\n"
    "    <rootfile full-path=\"score.musicxml\" "
    "media-type=\"application/vnd.recordare.musicxml+xml\"/>\n"
    "  </rootfiles>\n"
    "</container>\n";
static const char MIMETYPE[] = "application/vnd.recordare.musicxml";

musc_status musc_mxl_pack(const uint8_t *xml, size_t xml_size, uint8_t **mxl, size_t *mxl_size)
{
    *mxl = NULL;
    *mxl_size = 0;
    zip_error_t zerr;
    zip_error_init(&zerr);
    zip_source_t *out = zip_source_buffer_create(NULL, 0, 0, &zerr);
    zip_error_fini(&zerr);
    if (!out)
        return musc_error(MUSC_ERR_NOMEM, "mxl: out of memory");
    zip_source_keep(out);
    zip_t *z = zip_open_from_source(out, ZIP_TRUNCATE, NULL);
    if (!z) {
        zip_source_free(out);
        return musc_error(MUSC_ERR_INTERNAL, "mxl: cannot create a zip in memory");
    }
    struct {
        const char *name;
        const void *data;
        size_t size;
        int store;
    } entries[] = {{"mimetype", MIMETYPE, sizeof MIMETYPE - 1, 1},
                   {"META-INF/container.xml", CONTAINER, sizeof CONTAINER - 1, 0},
                   {"score.musicxml", xml, xml_size, 0}};
    for (size_t i = 0; i < sizeof entries / sizeof *entries; i++) {
        zip_source_t *s = zip_source_buffer(z, entries[i].data, entries[i].size, 0);
        zip_int64_t idx = s ? zip_file_add(z, entries[i].name, s, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            zip_source_free(s);
            zip_discard(z);
            zip_source_free(out);
            return musc_error(MUSC_ERR_INTERNAL, "mxl: cannot add %s", entries[i].name);
        }
        zip_set_file_compression(z, (zip_uint64_t)idx,
                                 entries[i].store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0);
    }
    if (zip_close(z) != 0) {
        zip_discard(z);
        zip_source_free(out);
        return musc_error(MUSC_ERR_INTERNAL, "mxl: cannot finish the zip");
    }
    musc_status st = MUSC_OK;
    zip_stat_t zs;
    if (zip_source_stat(out, &zs) != 0 || zip_source_open(out) != 0) {
        zip_source_free(out);
        return musc_error(MUSC_ERR_INTERNAL, "mxl: cannot read the zip back");
    }
    size_t n = (size_t)zs.size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        st = musc_error(MUSC_ERR_NOMEM, "out of memory");
    else if (zip_source_read(out, buf, n) != (zip_int64_t)n) {
        free(buf);
        buf = NULL;
        st = musc_error(MUSC_ERR_INTERNAL, "mxl: short read of the zip");
    }
    zip_source_close(out);
    zip_source_free(out);
    if (st == MUSC_OK) {
        *mxl = buf;
        *mxl_size = n;
    }
    return st;
}
