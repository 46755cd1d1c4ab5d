/*
 * Audio files through libsndfile: the container and encoding come from the
 * file name. Files are written to a temporary name beside the target and
 * renamed into place, so a failed or interrupted write never leaves a partial
 * file under the real name, and an existing file is replaced only on request.
 */
#include "musc/audio.h"

#include <errno.h>
#include <limits.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int format_for(const char *path)
{
    if (ends_with(path, ".f32.wav"))
        return SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    if (ends_with(path, ".wav"))
        return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    if (ends_with(path, ".flac"))
        return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    if (ends_with(path, ".ogg") || ends_with(path, ".oga"))
        return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    if (ends_with(path, ".aiff") || ends_with(path, ".aif"))
        return SF_FORMAT_AIFF | SF_FORMAT_PCM_16;
    return 0;
}

musc_status musc_audio_check_output(const char *path, int overwrite)
{
    if (!format_for(path))
        return musc_error(MUSC_ERR_UNSUPPORTED, "'%s': unknown audio file extension, expected "
                          ".wav, .flac, .ogg or .aiff", path);
    struct stat st;
    if (!overwrite && stat(path, &st) == 0)
        return musc_error(MUSC_ERR_EXISTS, "'%s' exists; not overwriting it (use --force to "
                          "replace it)", path);
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
    if (!dir)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    int ok = access(dir, W_OK) == 0;
    int e = errno;
    free(dir);
    if (!ok)
        return musc_error(MUSC_ERR_IO, "cannot write '%s': %s", path, strerror(e));
    return MUSC_OK;
}

musc_status musc_audio_write(const musc_audio *a, const char *path, int overwrite)
{
    if (!a || !a->samples || a->n_frames == 0 || a->channels < 1)
        return musc_error(MUSC_ERR_ARG, "no audio to write to '%s'", path);
    int format = format_for(path);
    if (!format)
        return musc_error(MUSC_ERR_UNSUPPORTED, "'%s': unknown audio file extension, expected "
                          ".wav, .flac, .ogg or .aiff", path);
    struct stat st;
    if (!overwrite && stat(path, &st) == 0)
        return musc_error(MUSC_ERR_EXISTS, "'%s' exists; not overwriting it (use --force to "
                          "replace it)", path);
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = a->sample_rate;
    info.channels = a->channels;
    info.format = format;
    if (!sf_format_check(&info))
        return musc_error(MUSC_ERR_ARG, "'%s': libsndfile cannot write %d channels at %d Hz "
                          "in this format", path, a->channels, a->sample_rate);

    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return musc_error(MUSC_ERR_IO, "cannot create '%s': %s", path, strerror(e));
    }
    SNDFILE *sf = sf_open_fd(fd, SFM_WRITE, &info, 1);
    if (!sf) {
        musc_status s = musc_error(MUSC_ERR_IO, "cannot write '%s': %s", path, sf_strerror(NULL));
        close(fd);
        unlink(tmp);
        free(tmp);
        return s;
    }
    /* Float to integer formats: clip instead of wrapping around. */
    sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    if (format == (SF_FORMAT_OGG | SF_FORMAT_VORBIS)) {
        double quality = 0.6;
        sf_command(sf, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof quality);
    }
    musc_status s = MUSC_OK;
    const size_t block = 65536;
    for (size_t f = 0; f < a->n_frames; f += block) {
        size_t k = a->n_frames - f < block ? a->n_frames - f : block;
        if (sf_writef_float(sf, a->samples + f * (size_t)a->channels, (sf_count_t)k) !=
            (sf_count_t)k) {
            s = musc_error(MUSC_ERR_IO, "cannot write '%s': %s", path, sf_strerror(sf));
            break;
        }
    }
    if (sf_close(sf) != 0 && s == MUSC_OK)
        s = musc_error(MUSC_ERR_IO, "cannot finish '%s'", path);
    if (s == MUSC_OK) {
        chmod(tmp, 0644); /* mkstemp made it 0600 */
        if (!overwrite && stat(path, &st) == 0)
            s = musc_error(MUSC_ERR_EXISTS, "'%s' appeared while rendering; not overwriting it",
                           path);
        else if (rename(tmp, path) != 0)
            s = musc_error(MUSC_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, path,
                           strerror(errno));
    }
    if (s != MUSC_OK)
        unlink(tmp);
    free(tmp);
    return s;
}

musc_status musc_audio_read(const char *path, musc_audio *out)
{
    memset(out, 0, sizeof *out);
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) {
        struct stat st;
        if (stat(path, &st) != 0)
            return musc_error(MUSC_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
        return musc_error(MUSC_ERR_FORMAT, "'%s': %s", path, sf_strerror(NULL));
    }
    if (info.channels < 1 || info.frames < 0 ||
        (uint64_t)info.frames > (uint64_t)SIZE_MAX / sizeof(float) / (unsigned)info.channels) {
        sf_close(sf);
        return musc_error(MUSC_ERR_FORMAT, "'%s': implausible size", path);
    }
    size_t frames = (size_t)info.frames;
    float *x = malloc((frames ? frames : 1) * (size_t)info.channels * sizeof *x);
    if (!x) {
        sf_close(sf);
        return musc_error(MUSC_ERR_NOMEM, "out of memory reading '%s'", path);
    }
    sf_count_t got = sf_readf_float(sf, x, (sf_count_t)frames);
    sf_close(sf);
    out->samples = x;
    out->n_frames = got > 0 ? (size_t)got : 0;
    out->channels = info.channels;
    out->sample_rate = info.samplerate;
    return MUSC_OK;
}
