/*
 * SoundFont discovery: an explicit path, else $MUSC_SOUNDFONT, else the
 * Debian General MIDI SoundFonts in order of quality (FluidR3_GM, then the
 * small TimGM6mb). A named path that does not exist is an error rather than
 * a silent fallback, so a typo never renders with a different instrument set.
 *
 * Before FluidSynth sees a file, its RIFF structure is checked here: when
 * FluidSynth's own loader fails, Debian's build hands the file on to
 * libinstpatch, which prints GLib warnings about it to stderr, and the
 * library must not print.
 */
#include "musc/audio.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_readable_file(const char *path, int *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        *err = errno;
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        *err = EISDIR;
        return 0;
    }
    return 1;
}

static musc_status take(const char *path, char **out)
{
    *out = strdup(path);
    return *out ? MUSC_OK : musc_error(MUSC_ERR_NOMEM, "out of memory");
}

musc_status musc_soundfont_find(const char *explicit_path, char **path)
{
    int err = 0;
    *path = NULL;
    if (explicit_path) {
        if (is_readable_file(explicit_path, &err))
            return take(explicit_path, path);
        return musc_error(MUSC_ERR_NOTFOUND, "SoundFont '%s': %s", explicit_path, strerror(err));
    }
    const char *env = getenv(MUSC_SOUNDFONT_ENV);
    if (env && *env) {
        if (is_readable_file(env, &err))
            return take(env, path);
        return musc_error(MUSC_ERR_NOTFOUND, "SoundFont '%s' (from $%s): %s", env,
                          MUSC_SOUNDFONT_ENV, strerror(err));
    }
    if (is_readable_file(MUSC_SOUNDFONT_FLUIDR3, &err))
        return take(MUSC_SOUNDFONT_FLUIDR3, path);
    if (is_readable_file(MUSC_SOUNDFONT_TIMGM6MB, &err))
        return take(MUSC_SOUNDFONT_TIMGM6MB, path);
    return musc_error(MUSC_ERR_NOTFOUND,
                      "no SoundFont found: tried $%s, %s and %s; install one with "
                      "'apt-get install fluid-soundfont-gm' (or the small "
                      "timgm6mb-soundfont), or name one with --soundfont FILE.sf2 "
                      "or $%s",
                      MUSC_SOUNDFONT_ENV, MUSC_SOUNDFONT_FLUIDR3, MUSC_SOUNDFONT_TIMGM6MB,
                      MUSC_SOUNDFONT_ENV);
}

/* ---- structure check ------------------------------------------------------ */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The preset-data sub-chunks every SoundFont 2 has, and their record sizes. */
static const struct { const char id[5]; uint32_t record; } pdta_parts[] = {
    {"phdr", 38}, {"pbag", 4}, {"pmod", 10}, {"pgen", 4}, {"inst", 22},
    {"ibag", 4},  {"imod", 10}, {"igen", 4}, {"shdr", 46},
};
#define N_PDTA (sizeof pdta_parts / sizeof *pdta_parts)

static musc_status bad(const char *path, long offset, const char *what)
{
    return musc_error(MUSC_ERR_FORMAT, "SoundFont '%s', byte %ld: %s (not a valid SF2/SF3 file)",
                      path, offset, what);
}

musc_status musc_soundfont_check(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return musc_error(MUSC_ERR_IO, "cannot open SoundFont '%s': %s", path, strerror(errno));
    musc_status st = MUSC_OK;
    unsigned char h[12];
    long file_size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        file_size = ftell(f);
    rewind(f);
    if (fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) || memcmp(h + 8, "sfbk", 4)) {
        st = bad(path, 0, "expected a RIFF 'sfbk' header");
        goto done;
    }
    if (file_size < 0 || (long)le32(h + 4) + 8 > file_size) {
        st = bad(path, 4, "the RIFF size runs past the end of the file (truncated?)");
        goto done;
    }
    long end = (long)le32(h + 4) + 8, pos = 12;
    int have_info = 0, have_sdta = 0, have_pdta = 0;
    while (pos + 12 <= end) {
        unsigned char c[12];
        if (fseek(f, pos, SEEK_SET) || fread(c, 1, 12, f) != 12) {
            st = bad(path, pos, "cannot read a chunk header");
            goto done;
        }
        long size = (long)le32(c + 4);
        if (memcmp(c, "LIST", 4) || size < 4 || pos + 8 + size > end) {
            st = bad(path, pos, "expected a LIST chunk inside the file");
            goto done;
        }
        if (!memcmp(c + 8, "INFO", 4))
            have_info = 1;
        else if (!memcmp(c + 8, "sdta", 4))
            have_sdta = 1;
        else if (!memcmp(c + 8, "pdta", 4)) {
            have_pdta = 1;
            unsigned seen = 0;
            long p = pos + 12, lend = pos + 8 + size;
            while (p + 8 <= lend) {
                unsigned char s8[8];
                if (fseek(f, p, SEEK_SET) || fread(s8, 1, 8, f) != 8) {
                    st = bad(path, p, "cannot read a preset-data chunk");
                    goto done;
                }
                long n = (long)le32(s8 + 4);
                if (p + 8 + n > lend) {
                    st = bad(path, p, "a preset-data chunk runs past its list");
                    goto done;
                }
                for (unsigned k = 0; k < N_PDTA; k++)
                    if (!memcmp(s8, pdta_parts[k].id, 4)) {
                        if (n == 0 || n % pdta_parts[k].record) {
                            st = bad(path, p, "a preset-data chunk has a size that is not a "
                                     "whole number of records");
                            goto done;
                        }
                        seen |= 1u << k;
                    }
                p += 8 + n + (n & 1);
            }
            if (seen != (1u << N_PDTA) - 1) {
                st = bad(path, pos, "the preset data lacks one of phdr, pbag, pmod, pgen, "
                         "inst, ibag, imod, igen, shdr");
                goto done;
            }
        }
        pos += 8 + size + (size & 1);
    }
    if (!have_info || !have_sdta || !have_pdta)
        st = bad(path, 12, "expected INFO, sdta and pdta lists");
done:
    fclose(f);
    return st;
}
