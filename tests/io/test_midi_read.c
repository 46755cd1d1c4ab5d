/*
 * Tests of the Standard MIDI File reader. Each test builds its file from hex
 * strings of track events (delta time, status, data) so the bytes under test
 * are visible in the test itself; every built file is also saved as a seed
 * for the fuzz_midi target.
 */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musc/musc.h"

/* ---- building files ----------------------------------------------------------- */

typedef struct bytes {
    uint8_t d[1 << 16];
    size_t n;
} bytes;

static void put(bytes *b, const uint8_t *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->d);
    memcpy(b->d + b->n, p, n);
    b->n += n;
}

/* Append hex pairs ("00 90 3C 40"); spaces are ignored. */
static void hex(bytes *b, const char *s)
{
    while (*s) {
        if (*s == ' ') {
            s++;
            continue;
        }
        unsigned v;
        assert_int_equal(sscanf(s, "%2x", &v), 1);
        uint8_t c = (uint8_t)v;
        put(b, &c, 1);
        s += 2;
    }
}

static void be32(bytes *b, uint32_t v)
{
    uint8_t c[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(b, c, 4);
}

static void header(bytes *b, int format, int ntracks, int division)
{
    hex(b, "4D546864 00000006");
    uint8_t c[6] = {(uint8_t)(format >> 8), (uint8_t)format, (uint8_t)(ntracks >> 8),
                    (uint8_t)ntracks, (uint8_t)(division >> 8), (uint8_t)division};
    put(b, c, 6);
}

/* An MTrk chunk with a correct length around the given events. */
static void track(bytes *b, const char *events)
{
    bytes t = {.n = 0};
    hex(&t, events);
    hex(b, "4D54726B");
    be32(b, (uint32_t)t.n);
    put(b, t.d, t.n);
}

/* A whole file: header, then one track per string (NULL-terminated list). */
static bytes *smf(int format, int division, const char *const *tracks)
{
    bytes *b = calloc(1, sizeof *b);
    int n = 0;
    while (tracks[n])
        n++;
    header(b, format, n, division);
    for (int i = 0; i < n; i++)
        track(b, tracks[i]);
    return b;
}

#define EOT "00 FF 2F 00"

static musc_music *read_ok(const bytes *b, const musc_read_options *o, musc_report *rep,
                           const char *seed)
{
    if (seed)
        test_save_seed("midi", seed, b->d, b->n);
    musc_music *m = NULL;
    int rc = musc_midi_read_mem(b->d, b->n, o, &m, rep);
    if (rc)
        fail_msg("read failed: %d %s", rc, musc_errmsg());
    assert_non_null(m);
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    return m;
}

/* Read a valid one-track file; strict mode must read it the same way. */
static musc_music *read1(const char *events, const char *seed)
{
    const char *t[] = {events, NULL};
    bytes *b = smf(0, 96, t);
    musc_music *m = read_ok(b, NULL, NULL, seed);
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    musc_music *s = read_ok(b, &o, NULL, NULL);
    char diff[256];
    if (!musc_music_diff(m, s, diff, sizeof diff))
        fail_msg("strict and repair reads differ: %s", diff);
    musc_music_free(s);
    free(b);
    return m;
}

/* Strict mode must fail with MUSC_ERR_FORMAT and a message naming a byte. */
static void strict_fails(const bytes *b, const char *needle)
{
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    musc_music *m = (musc_music *)1;
    assert_int_equal(musc_midi_read_mem(b->d, b->n, &o, &m, NULL), MUSC_ERR_FORMAT);
    assert_null(m);
    const char *msg = musc_errmsg();
    if (!strstr(msg, "byte") || (needle && !strstr(msg, needle)))
        fail_msg("unexpected strict message: %s", msg);
}

/* Repair mode reads it and reports `kind` at `offset` (-1: any offset). */
static musc_music *repairs(const bytes *b, int kind, int64_t offset, const char *seed)
{
    musc_report rep = {0};
    musc_music *m = read_ok(b, NULL, &rep, seed);
    int found = 0;
    for (size_t i = 0; i < rep.n_repairs; i++)
        if (rep.repairs[i].kind == kind && (offset < 0 || rep.repairs[i].offset == offset))
            found = 1;
    if (!found) {
        for (size_t i = 0; i < rep.n_repairs; i++)
            print_message("repair %s @%lld: %s\n", musc_repair_kind_name(rep.repairs[i].kind),
                          (long long)rep.repairs[i].offset, rep.repairs[i].message);
        fail_msg("expected a %s repair at %lld", musc_repair_kind_name(kind), (long long)offset);
    }
    musc_report_clear(&rep);
    return m;
}

static void assert_note(const musc_note *n, int64_t time, int64_t dur, int pitch, int vel)
{
    if (n->time != time || n->duration != dur || n->pitch != pitch || n->velocity != vel)
        fail_msg("note (%lld, %lld, %d, %d), expected (%lld, %lld, %d, %d)", (long long)n->time,
                 (long long)n->duration, n->pitch, n->velocity, (long long)time,
                 (long long)dur, pitch, vel);
}

/* ---- channel messages ------------------------------------------------------- */

static void notes_on_off_and_velocity_zero(void **state)
{
    (void)state;
    /* C4 with 0x80 note-off, E4 ended by note-on velocity 0 */
    musc_music *m = read1("00 90 3C 64  00 90 40 50  60 80 3C 00  30 90 40 00" EOT, "notes");
    assert_int_equal(m->resolution, 96);
    assert_int_equal(m->n_tracks, 1);
    musc_track *t = &m->tracks[0];
    assert_int_equal(t->program, 0);
    assert_int_equal(t->is_drum, 0);
    assert_int_equal(t->channel, 0);
    assert_null(t->name);
    assert_int_equal(t->n_notes, 2);
    assert_note(&t->notes[0], 0, 0x60, 60, 100);
    assert_note(&t->notes[1], 0, 0x90, 64, 80);
    assert_string_equal(m->metadata.source_format, "midi");
    musc_music_free(m);
}

static void every_channel_message(void **state)
{
    (void)state;
    musc_music *m = read1("00 C3 28"          /* program change ch 4 -> 40 */
                          "00 B3 07 64"       /* volume 100 */
                          "00 93 3C 40"       /* note on */
                          "10 A3 3C 22"       /* poly pressure */
                          "10 D3 33"          /* channel pressure */
                          "10 E3 00 00"       /* bend -8192 */
                          "00 E3 00 40"       /* bend 0 */
                          "00 E3 7F 7F"       /* bend 8191 */
                          "10 83 3C 40" EOT,  /* note off */
                          "channel_messages");
    assert_int_equal(m->n_tracks, 1);
    musc_track *t = &m->tracks[0];
    assert_int_equal(t->program, 40);
    assert_int_equal(t->channel, 3);
    assert_int_equal(t->n_notes, 1);
    assert_note(&t->notes[0], 0, 0x40, 60, 64);
    assert_int_equal(t->n_controls, 1);
    assert_int_equal(t->controls[0].number, 7);
    assert_int_equal(t->controls[0].value, 100);
    assert_int_equal(t->n_pressures, 2);
    assert_int_equal(t->pressures[0].time, 0x10);
    assert_int_equal(t->pressures[0].pitch, 60);
    assert_int_equal(t->pressures[0].value, 0x22);
    assert_int_equal(t->pressures[1].pitch, -1);
    assert_int_equal(t->pressures[1].value, 0x33);
    assert_int_equal(t->n_pitch_bends, 3);
    assert_int_equal(t->pitch_bends[0].value, -8192);
    assert_int_equal(t->pitch_bends[1].value, 0);
    assert_int_equal(t->pitch_bends[2].value, 8191);
    assert_int_equal(t->pitch_bends[2].time, 0x30);
    musc_music_free(m);
}

static void channel_ten_is_drums(void **state)
{
    (void)state;
    musc_music *m = read1("00 99 24 64 10 89 24 00 00 90 3C 64 10 80 3C 00" EOT, "drums");
    assert_int_equal(m->n_tracks, 2);
    assert_int_equal(m->tracks[0].is_drum, 1);
    assert_int_equal(m->tracks[0].channel, 9);
    assert_int_equal(m->tracks[1].is_drum, 0);
    musc_music_free(m);
}

static void tracks_ordered_by_first_note_end(void **state)
{
    (void)state;
    /* channel 2 starts first but channel 1 ends first: MusPy's order */
    musc_music *m = read1("00 91 3C 64 01 90 40 64 01 80 40 00 01 81 3C 00" EOT, "track_order");
    assert_int_equal(m->n_tracks, 2);
    assert_int_equal(m->tracks[0].channel, 0);
    assert_int_equal(m->tracks[1].channel, 1);
    musc_music_free(m);
}

static void tracks_split_by_program_at_note_end(void **state)
{
    (void)state;
    /* note 60 under program 0; program 5; note 62 starts under 0 but ends under 5 */
    musc_music *m = read1("00 90 3C 64 10 80 3C 00  00 90 3E 64 08 C0 05 08 80 3E 00"
                          "00 90 40 64 10 80 40 00" EOT,
                          "program_split");
    assert_int_equal(m->n_tracks, 2);
    assert_int_equal(m->tracks[0].program, 0);
    assert_int_equal(m->tracks[0].n_notes, 1);
    assert_note(&m->tracks[0].notes[0], 0, 0x10, 60, 100);
    assert_int_equal(m->tracks[1].program, 5);
    assert_int_equal(m->tracks[1].n_notes, 2);
    assert_note(&m->tracks[1].notes[0], 0x10, 0x10, 62, 100);
    assert_note(&m->tracks[1].notes[1], 0x20, 0x10, 64, 100);
    musc_music_free(m);
}

static void controls_before_program_join_the_notes(void **state)
{
    (void)state;
    /* bank select before the program change; channel 2 has only a control */
    const char *ev = "00 B0 00 01 00 C0 10 00 B0 07 50 00 90 3C 64 10 80 3C 00 00 B1 0A 40" EOT;
    musc_music *m = read1(ev, "noteless");
    assert_int_equal(m->n_tracks, 2);
    assert_int_equal(m->tracks[0].program, 16);
    assert_int_equal(m->tracks[0].n_controls, 2);
    assert_int_equal(m->tracks[0].controls[0].number, 0);
    assert_int_equal(m->tracks[0].controls[1].number, 7);
    assert_int_equal(m->tracks[1].channel, 1);
    assert_int_equal(m->tracks[1].n_notes, 0);
    assert_int_equal(m->tracks[1].n_controls, 1);
    musc_music_free(m);

    const char *t[] = {ev, NULL};
    bytes *b = smf(0, 96, t);
    musc_read_options o = musc_read_options_default();
    o.flags = MUSC_MIDI_READ_DROP_NOTELESS;
    m = read_ok(b, &o, NULL, NULL);
    assert_int_equal(m->n_tracks, 1);
    assert_int_equal(m->tracks[0].n_controls, 2);
    musc_music_free(m);
    free(b);

    /* note-less groups before and after the group they join */
    m = read1("00 B0 07 10  00 91 3C 64 10 81 3C 00  00 C0 05 00 90 40 64 10 80 40 00"
              "00 C0 09 00 B0 0A 20" EOT,
              "noteless_order");
    assert_int_equal(m->n_tracks, 2);
    assert_int_equal(m->tracks[0].channel, 1);
    assert_int_equal(m->tracks[1].channel, 0);
    assert_int_equal(m->tracks[1].program, 5);
    assert_int_equal(m->tracks[1].n_controls, 2);
    assert_int_equal(m->tracks[1].controls[0].number, 7);
    assert_int_equal(m->tracks[1].controls[1].number, 10);
    assert_int_equal(m->tracks[1].controls[1].time, 0x20);
    musc_music_free(m);
}

static void chord_notes_sorted_by_pitch(void **state)
{
    (void)state;
    musc_music *m = read1("00 90 43 64 00 90 3C 64 00 90 40 64 10 80 3C 00 00 80 40 00 00 80 43 00" EOT,
                          "chord");
    musc_track *t = &m->tracks[0];
    assert_int_equal(t->n_notes, 3);
    assert_int_equal(t->notes[0].pitch, 60);
    assert_int_equal(t->notes[1].pitch, 64);
    assert_int_equal(t->notes[2].pitch, 67);
    musc_music_free(m);
}

/* ---- running status ------------------------------------------------------- */

static void running_status(void **state)
{
    (void)state;
    musc_music *m = read1("00 90 3C 64 00 40 64 10 3C 00 00 40 00" EOT, "running_status");
    assert_int_equal(m->tracks[0].n_notes, 2);
    assert_note(&m->tracks[0].notes[0], 0, 0x10, 60, 100);
    assert_note(&m->tracks[0].notes[1], 0, 0x10, 64, 100);
    musc_music_free(m);
}

static void running_status_across_meta_and_sysex(void **state)
{
    (void)state;
    musc_music *m = read1("00 90 3C 64 00 FF 01 02 68 69 10 3C 00 00 F0 03 7E 7F F7 00 40 64"
                          "10 40 00" EOT,
                          "running_status_meta_sysex");
    assert_int_equal(m->tracks[0].n_notes, 2);
    assert_note(&m->tracks[0].notes[0], 0, 0x10, 60, 100);
    assert_note(&m->tracks[0].notes[1], 0x10, 0x10, 64, 100);
    assert_int_equal(m->n_annotations, 1);
    assert_int_equal(m->n_raw_events, 1);
    musc_music_free(m);
}

/* ---- overlapping notes ------------------------------------------------------ */

static musc_music *read_overlap(musc_overlap policy)
{
    /* two note-ons of 60 at 0 and 10, note-offs at 20 and 30 */
    const char *t[] = {"00 90 3C 50 0A 90 3C 60 0A 80 3C 00 0A 80 3C 00" EOT, NULL};
    bytes *b = smf(0, 96, t);
    musc_read_options o = musc_read_options_default();
    o.overlap = policy;
    musc_music *m = read_ok(b, &o, NULL, "overlap");
    free(b);
    return m;
}

static void overlap_fifo(void **state)
{
    (void)state;
    musc_music *m = read_overlap(MUSC_OVERLAP_FIFO);
    assert_int_equal(m->tracks[0].n_notes, 2);
    assert_note(&m->tracks[0].notes[0], 0, 20, 60, 0x50);
    assert_note(&m->tracks[0].notes[1], 10, 20, 60, 0x60);
    musc_music_free(m);
}

static void overlap_lifo(void **state)
{
    (void)state;
    musc_music *m = read_overlap(MUSC_OVERLAP_LIFO);
    assert_int_equal(m->tracks[0].n_notes, 2);
    assert_note(&m->tracks[0].notes[0], 0, 30, 60, 0x50);
    assert_note(&m->tracks[0].notes[1], 10, 10, 60, 0x60);
    musc_music_free(m);
}

static void overlap_close_all(void **state)
{
    (void)state;
    musc_music *m = read_overlap(MUSC_OVERLAP_CLOSE_ALL);
    assert_int_equal(m->tracks[0].n_notes, 2);
    assert_note(&m->tracks[0].notes[0], 0, 20, 60, 0x50);
    assert_note(&m->tracks[0].notes[1], 10, 10, 60, 0x60);
    musc_music_free(m);
}

static void unmatched_note_off_ignored(void **state)
{
    (void)state;
    musc_music *m = read1("00 80 3C 00 00 90 3E 64 10 80 3E 00 00 80 3E 00" EOT, "unmatched_off");
    assert_int_equal(m->n_tracks, 1);
    assert_int_equal(m->tracks[0].n_notes, 1);
    assert_note(&m->tracks[0].notes[0], 0, 0x10, 62, 100);
    musc_music_free(m);
}

static void unclosed_note_closed_at_track_end(void **state)
{
    (void)state;
    const char *t[] = {"00 90 3C 64 10 90 3E 64 10 80 3E 00 20 FF 2F 00", NULL};
    bytes *b = smf(0, 96, t);
    /* the first note-on's event starts after the 14-byte header and 8-byte chunk header */
    musc_music *m = repairs(b, MUSC_REPAIR_UNCLOSED_NOTE, 22, "unclosed");
    assert_note(&m->tracks[0].notes[0], 0, 0x40, 60, 100);
    musc_music_free(m);
    /* legal SMF: strict mode reads it too, and still reports */
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    musc_report rep = {0};
    m = read_ok(b, &o, &rep, NULL);
    assert_int_equal(rep.n_repairs, 1);
    assert_int_equal(rep.repairs[0].kind, MUSC_REPAIR_UNCLOSED_NOTE);
    musc_report_clear(&rep);
    musc_music_free(m);
    free(b);
}

/* ---- meta and system events ------------------------------------------------- */

static const musc_raw_event *find_raw(const musc_music *m, int type)
{
    for (size_t i = 0; i < m->n_raw_events; i++)
        if (m->raw_events[i].type == type)
            return &m->raw_events[i];
    return NULL;
}

static void every_meta_event(void **state)
{
    (void)state;
    const char *tracks[] = {
        "00 FF 00 02 00 07"             /* sequence number */
        "00 FF 02 04 28 63 29 58"       /* copyright "(c)X" */
        "00 FF 03 04 53 6F 6E 67"       /* track name "Song" -> title */
        "00 FF 51 03 07 A1 20"          /* tempo 500000 us = 120 qpm */
        "00 FF 54 05 60 00 03 00 00"    /* SMPTE offset */
        "00 FF 58 04 06 03 18 08"       /* 6/8 */
        "00 FF 59 02 FD 01"             /* 3 flats minor: C minor */
        "00 FF 59 02 02 00"             /* 2 sharps major: D major */
        "10 FF 01 03 74 78 74"          /* text */
        "00 FF 05 02 6C 61"             /* lyric */
        "00 FF 06 01 41"                /* marker */
        "00 FF 07 01 42"                /* cue */
        "00 FF 7F 03 00 00 41"          /* sequencer specific */
        "00 FF 60 01 01"                /* unknown meta type */
        "00 F0 03 43 12 F7"             /* sysex */
        "00 F7 02 F3 01" EOT,           /* escape */
        "00 FF 03 05 50 69 61 6E 6F"    /* track name "Piano" */
        "00 FF 04 03 47 72 64"          /* instrument name "Grd" */
        "00 FF 08 02 50 31"             /* program name */
        "00 FF 09 02 44 31"             /* device name */
        "00 FF 20 01 00"                /* channel prefix */
        "00 FF 21 01 01"                /* port */
        "00 90 3C 64 10 80 3C 00" EOT,
        NULL};
    bytes *b = smf(1, 480, tracks);
    musc_music *m = read_ok(b, NULL, NULL, "meta_all");
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    musc_music_free(read_ok(b, &o, NULL, NULL));
    free(b);
    assert_string_equal(m->metadata.title, "Song");
    assert_string_equal(m->metadata.copyright, "(c)X");
    assert_int_equal(m->n_tempos, 1);
    assert_true(m->tempos[0].qpm > 119.999 && m->tempos[0].qpm < 120.001);
    assert_int_equal(m->n_time_signatures, 1);
    assert_int_equal(m->time_signatures[0].numerator, 6);
    assert_int_equal(m->time_signatures[0].denominator, 8);
    assert_int_equal(m->n_key_signatures, 2);
    assert_int_equal(m->key_signatures[0].fifths, -3);
    assert_int_equal(m->key_signatures[0].mode, MUSC_MODE_MINOR);
    assert_int_equal(m->key_signatures[0].root, 0);
    assert_int_equal(m->key_signatures[1].root, 2);
    assert_int_equal(m->key_signatures[1].mode, MUSC_MODE_MAJOR);
    assert_int_equal(m->n_annotations, 3);
    assert_int_equal(m->annotations[0].kind, MUSC_ANN_TEXT);
    assert_string_equal(m->annotations[0].text, "txt");
    assert_int_equal(m->annotations[0].time, 0x10);
    assert_int_equal(m->annotations[1].kind, MUSC_ANN_MARKER);
    assert_string_equal(m->annotations[1].text, "A");
    assert_int_equal(m->annotations[2].kind, MUSC_ANN_CUE);
    assert_int_equal(m->n_lyrics, 1);
    assert_string_equal(m->lyrics[0].text, "la");
    const int raw_types[] = {0x00, 0x54, 0x7F, 0x60, MUSC_RAW_SYSEX, MUSC_RAW_ESCAPE,
                             0x08, 0x09, 0x20, 0x21};
    for (size_t i = 0; i < sizeof raw_types / sizeof *raw_types; i++)
        if (!find_raw(m, raw_types[i]))
            fail_msg("no raw event of type 0x%02X", raw_types[i]);
    const musc_raw_event *sx = find_raw(m, MUSC_RAW_SYSEX);
    assert_int_equal(sx->size, 3);
    assert_int_equal(sx->data[2], 0xF7);
    assert_int_equal(sx->track, 0);
    assert_int_equal(find_raw(m, 0x20)->track, 1);
    assert_int_equal(m->n_tracks, 1);
    assert_string_equal(m->tracks[0].name, "Piano");
    assert_string_equal(m->tracks[0].instrument_name, "Grd");
    musc_music_free(m);
}

static void text_latin1_and_nul(void **state)
{
    (void)state;
    musc_music *m = read1("00 FF 01 04 43 61 66 E9  00 FF 01 05 61 62 00 78 79  00 FF 01 03 C3 A9 21" EOT,
                          "text_latin1");
    assert_int_equal(m->n_annotations, 3);
    assert_string_equal(m->annotations[0].text, "Caf\xC3\xA9");
    assert_string_equal(m->annotations[1].text, "ab");
    assert_string_equal(m->annotations[2].text, "\xC3\xA9!");
    musc_music_free(m);
}

/* ---- file structure ------------------------------------------------------ */

static void smpte_division(void **state)
{
    (void)state;
    /* -25 frames/s, 40 ticks/frame: 1000 ticks per second */
    const char *t[] = {"00 FF 51 03 07 A1 20 00 90 3C 64 87 68 80 3C 00" EOT, NULL};
    bytes *b = smf(0, 0xE728, t);
    musc_music *m = read_ok(b, NULL, NULL, "smpte");
    assert_int_equal(m->resolution, 1000);
    assert_int_equal(m->n_tempos, 1);
    assert_true(m->tempos[0].qpm == 60.0);
    assert_non_null(find_raw(m, 0x51));
    assert_note(&m->tracks[0].notes[0], 0, 1000, 60, 100);
    assert_true(musc_music_ticks_to_seconds(m, 1000) > 0.999 &&
                musc_music_ticks_to_seconds(m, 1000) < 1.001);
    musc_music_free(m);
    free(b);
    /* 29.97 drop frame counts as 30 */
    b = smf(0, 0xE350, t);
    m = read_ok(b, NULL, NULL, NULL);
    assert_int_equal(m->resolution, 30 * 80);
    musc_music_free(m);
    free(b);
}

static void rmid_wrapper(void **state)
{
    (void)state;
    const char *t[] = {"00 90 3C 64 10 80 3C 00" EOT, NULL};
    bytes *s = smf(0, 96, t);
    bytes *b = calloc(1, sizeof *b);
    uint32_t riff = (uint32_t)(4 + 8 + 2 + 8 + s->n);
    hex(b, "52494646");
    uint8_t le[4] = {(uint8_t)riff, (uint8_t)(riff >> 8), (uint8_t)(riff >> 16), (uint8_t)(riff >> 24)};
    put(b, le, 4);
    hex(b, "524D4944  494E464F 02000000 4142"); /* "RMID", an INFO chunk first */
    hex(b, "64617461");
    uint32_t n = (uint32_t)s->n;
    uint8_t ln[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
    put(b, ln, 4);
    put(b, s->d, s->n);
    musc_music *m = read_ok(b, NULL, NULL, "rmid");
    assert_int_equal(m->tracks[0].n_notes, 1);
    musc_music_free(m);
    free(s);
    free(b);
}

static void format_1_tracks_start_together(void **state)
{
    (void)state;
    const char *t[] = {"00 FF 51 03 07 A1 20" EOT, "00 90 3C 64 10 80 3C 00" EOT,
                       "00 91 40 64 10 81 40 00" EOT, NULL};
    bytes *b = smf(1, 96, t);
    musc_music *m = read_ok(b, NULL, NULL, "format1");
    assert_int_equal(m->n_tracks, 2);
    assert_int_equal(m->tracks[0].notes[0].time, 0);
    assert_int_equal(m->tracks[1].notes[0].time, 0);
    assert_int_equal(m->tracks[1].channel, 1);
    assert_null(m->metadata.title);
    musc_music_free(m);
    free(b);
}

static void format_2_patterns_follow_each_other(void **state)
{
    (void)state;
    const char *t[] = {"00 90 3C 64 10 80 3C 00 10 FF 2F 00", "00 90 40 64 10 80 40 00" EOT,
                       NULL};
    bytes *b = smf(2, 96, t);
    musc_music *m = read_ok(b, NULL, NULL, "format2");
    assert_int_equal(m->n_tracks, 2);
    assert_int_equal(m->tracks[0].notes[0].time, 0);
    assert_int_equal(m->tracks[1].notes[0].time, 0x20);
    musc_music_free(m);
    free(b);
}

static void unknown_chunk_skipped(void **state)
{
    (void)state;
    bytes *b = calloc(1, sizeof *b);
    header(b, 1, 2, 96);
    hex(b, "58464948 00000003 010203"); /* "XFIH" */
    track(b, "00 90 3C 64 10 80 3C 00" EOT);
    track(b, EOT);
    hex(b, "4A554E4B 00000000"); /* "JUNK", empty */
    musc_music *m = read_ok(b, NULL, NULL, "unknown_chunk");
    assert_int_equal(m->tracks[0].n_notes, 1);
    musc_music_free(m);
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    m = read_ok(b, &o, NULL, NULL);
    musc_music_free(m);
    free(b);
}

/* ---- repairs: each kind, and the matching strict error ---------------------------- */

static void repair_truncated(void **state)
{
    (void)state;
    const char *t[] = {"00 90 3C 64 10 80 3C 00 00 90 3E 64 10 80 3E 00" EOT, NULL};
    bytes *b = smf(0, 96, t);
    b->n -= 6; /* cut inside the last note-off */
    musc_music *m = repairs(b, MUSC_REPAIR_TRUNCATED, -1, "truncated");
    assert_int_equal(m->tracks[0].n_notes, 2);
    assert_note(&m->tracks[0].notes[1], 0x10, 0, 62, 100); /* closed at the last event */
    musc_music_free(m);
    strict_fails(b, NULL);
    /* cut inside the header */
    b->n = 10;
    musc_music *x = NULL;
    assert_int_equal(musc_midi_read_mem(b->d, b->n, NULL, &x, NULL), MUSC_ERR_FORMAT);
    free(b);
}

static void repair_chunk_length(void **state)
{
    (void)state;
    /* length 0 (a streaming writer's placeholder), followed by a second track */
    bytes *b = calloc(1, sizeof *b);
    header(b, 1, 2, 96);
    hex(b, "4D54726B 00000000 00 90 3C 64 10 80 3C 00" EOT);
    track(b, "00 91 40 64 10 81 40 00" EOT);
    musc_music *m = repairs(b, MUSC_REPAIR_CHUNK_LENGTH, 18, "chunk_length_short");
    assert_int_equal(m->n_tracks, 2);
    musc_music_free(m);
    strict_fails(b, "end-of-track");
    free(b);

    /* length too long: swallows the next track's header */
    b = calloc(1, sizeof *b);
    header(b, 1, 2, 96);
    hex(b, "4D54726B 00000014 00 90 3C 64 10 80 3C 00" EOT);
    track(b, "00 91 40 64 10 81 40 00" EOT);
    m = repairs(b, MUSC_REPAIR_CHUNK_LENGTH, -1, "chunk_length_long");
    assert_int_equal(m->n_tracks, 2);
    musc_music_free(m);
    strict_fails(b, NULL);
    free(b);
}

static void repair_garbage_between_and_inside_chunks(void **state)
{
    (void)state;
    /* 3 padding bytes after end-of-track inside the first chunk */
    bytes *b = calloc(1, sizeof *b);
    header(b, 1, 2, 96);
    track(b, "00 90 3C 64 10 80 3C 00" EOT "00 00 00");
    track(b, "00 91 40 64 10 81 40 00" EOT);
    musc_music *m = repairs(b, MUSC_REPAIR_CHUNK_LENGTH, 34, "padding");
    assert_int_equal(m->n_tracks, 2);
    musc_music_free(m);
    strict_fails(b, "end-of-track");
    free(b);

    /* 9 bytes of junk between the tracks */
    b = calloc(1, sizeof *b);
    header(b, 1, 2, 96);
    track(b, "00 90 3C 64 10 80 3C 00" EOT);
    size_t junk = b->n;
    hex(b, "01 FE 02 FD 03 FC 04 FB 05");
    track(b, "00 91 40 64 10 81 40 00" EOT);
    m = repairs(b, MUSC_REPAIR_OTHER, (int64_t)junk, "garbage");
    assert_int_equal(m->n_tracks, 2);
    musc_music_free(m);
    free(b);
}

static bytes *patched(size_t at, const char *hexbytes)
{
    const char *t[] = {"00 90 3C 64 10 80 3C 00" EOT, NULL};
    bytes *b = smf(0, 96, t), p = {.n = 0};
    hex(&p, hexbytes);
    memcpy(b->d + at, p.d, p.n);
    return b;
}

static void repair_bad_header_fields(void **state)
{
    (void)state;
    bytes *b = patched(8, "0005"); /* format 5 */
    musc_music *m = repairs(b, MUSC_REPAIR_BAD_DATA, 8, "format5");
    assert_int_equal(m->tracks[0].n_notes, 1);
    musc_music_free(m);
    strict_fails(b, "format");
    free(b);

    b = patched(12, "0000"); /* 0 ticks per quarter */
    m = repairs(b, MUSC_REPAIR_BAD_DATA, 12, "division0");
    assert_int_equal(m->resolution, 480);
    musc_music_free(m);
    strict_fails(b, "division");
    free(b);

    b = patched(12, "E904"); /* -23 frames per second */
    m = repairs(b, MUSC_REPAIR_BAD_DATA, 12, "smpte23");
    assert_int_equal(m->resolution, 23 * 4);
    musc_music_free(m);
    strict_fails(b, "SMPTE");
    free(b);

    b = patched(4, "00000002"); /* header length 2 */
    m = repairs(b, MUSC_REPAIR_CHUNK_LENGTH, 4, "header_short");
    assert_int_equal(m->resolution, 96);
    musc_music_free(m);
    strict_fails(b, "header length");
    free(b);

    /* a longer header is legal: its extra bytes are skipped */
    b = calloc(1, sizeof *b);
    hex(b, "4D546864 00000008 0000 0001 0060 ABCD");
    track(b, "00 90 3C 64 10 80 3C 00" EOT);
    musc_report rep = {0};
    m = read_ok(b, NULL, &rep, "header_long");
    assert_int_equal(rep.n_repairs, 0);
    assert_int_equal(m->tracks[0].n_notes, 1);
    musc_music_free(m);
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    musc_music_free(read_ok(b, &o, NULL, NULL));
    free(b);
}

static void repair_missing_end_of_track(void **state)
{
    (void)state;
    const char *t[] = {"00 90 3C 64 10 80 3C 00", "00 91 40 64 10 81 40 00" EOT, NULL};
    bytes *b = smf(1, 96, t);
    musc_music *m = repairs(b, MUSC_REPAIR_MISSING_EOT, -1, "missing_eot");
    assert_int_equal(m->n_tracks, 2);
    musc_music_free(m);
    strict_fails(b, "end-of-track");
    free(b);
}

static void repair_bad_status(void **state)
{
    (void)state;
    /* a data byte before any status, then a real-time byte 0xF8 */
    const char *t[] = {"00 3C 00 90 3C 64 10 F8 10 80 3C 00" EOT, NULL};
    bytes *b = smf(0, 96, t);
    musc_music *m = repairs(b, MUSC_REPAIR_BAD_STATUS, 23, "bad_status");
    musc_music_free(m);
    m = repairs(b, MUSC_REPAIR_BAD_STATUS, 29, NULL);
    assert_int_equal(m->tracks[0].n_notes, 1);
    assert_note(&m->tracks[0].notes[0], 0, 0x20, 60, 100);
    musc_music_free(m);
    strict_fails(b, "status");
    free(b);
}

static void repair_bad_data(void **state)
{
    (void)state;
    /* velocity 0xC8 > 127 is clamped */
    const char *t[] = {"00 90 3C C8 10 80 3C 00" EOT, NULL};
    bytes *b = smf(0, 96, t);
    musc_music *m = repairs(b, MUSC_REPAIR_BAD_DATA, 22, "bad_data");
    assert_int_equal(m->tracks[0].notes[0].velocity, 127);
    musc_music_free(m);
    strict_fails(b, "0x7F");
    free(b);
    /* a tempo event with 2 bytes is kept raw */
    const char *t2[] = {"00 FF 51 02 07 A1" EOT, NULL};
    b = smf(0, 96, t2);
    m = repairs(b, MUSC_REPAIR_BAD_DATA, 22, "bad_tempo");
    assert_int_equal(m->n_tempos, 0);
    assert_non_null(find_raw(m, 0x51));
    musc_music_free(m);
    strict_fails(b, "tempo");
    free(b);
}

static void repair_track_count(void **state)
{
    (void)state;
    bytes *b = calloc(1, sizeof *b);
    header(b, 1, 3, 96);
    track(b, "00 90 3C 64 10 80 3C 00" EOT);
    musc_music *m = repairs(b, MUSC_REPAIR_TRACK_COUNT, -1, "track_count");
    assert_int_equal(m->tracks[0].n_notes, 1);
    musc_music_free(m);
    strict_fails(b, "tracks");
    free(b);
}

static void repair_junk_before_header(void **state)
{
    (void)state;
    const char *t[] = {"00 90 3C 64 10 80 3C 00" EOT, NULL};
    bytes *s = smf(0, 96, t);
    bytes *b = calloc(1, sizeof *b);
    hex(b, "00 01 02 03 04 05 06 07");
    put(b, s->d, s->n);
    musc_music *m = repairs(b, MUSC_REPAIR_OTHER, 0, "junk_prefix");
    assert_int_equal(m->tracks[0].n_notes, 1);
    musc_music_free(m);
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    assert_int_equal(musc_midi_read_mem(b->d, b->n, &o, &m, NULL), MUSC_ERR_FORMAT);
    free(s);
    free(b);
}

/* ---- hostile input -------------------------------------------------------- */

static void hostile_huge_lengths(void **state)
{
    (void)state;
    /* a 20-byte file whose chunk claims 4 GiB must not allocate it */
    bytes *b = calloc(1, sizeof *b);
    header(b, 0, 1, 96);
    hex(b, "4D54726B FFFFFFFF 00 90");
    musc_music *m = repairs(b, MUSC_REPAIR_TRUNCATED, -1, "huge_chunk");
    musc_music_free(m);
    strict_fails(b, NULL);
    free(b);
    /* a meta event claiming 256 MiB of data */
    const char *t[] = {"00 FF 01 FF FF FF 7F 41 42" EOT, NULL};
    b = smf(0, 96, t);
    m = repairs(b, MUSC_REPAIR_TRUNCATED, -1, "huge_meta");
    musc_music_free(m);
    free(b);
}

static void hostile_huge_track_count(void **state)
{
    (void)state;
    bytes *b = calloc(1, sizeof *b);
    header(b, 1, 0xFFFF, 96);
    track(b, EOT);
    musc_music *m = repairs(b, MUSC_REPAIR_TRACK_COUNT, -1, "huge_track_count");
    assert_int_equal(m->n_tracks, 0);
    musc_music_free(m);
    strict_fails(b, NULL);
    free(b);
}

static void hostile_deep_vlq(void **state)
{
    (void)state;
    bytes *b = calloc(1, sizeof *b);
    header(b, 0, 1, 96);
    bytes t = {.n = 0};
    for (int i = 0; i < 1000; i++)
        hex(&t, "FF");
    hex(&t, "00 90 3C 64 10 80 3C 00" EOT);
    hex(b, "4D54726B");
    be32(b, (uint32_t)t.n);
    put(b, t.d, t.n);
    musc_music *m = repairs(b, MUSC_REPAIR_BAD_DATA, 22, "deep_vlq");
    assert_int_equal(m->tracks[0].notes[0].time, 0x0FFFFFFF);
    musc_music_free(m);
    strict_fails(b, "4 bytes");
    free(b);
    /* a VLQ that never ends */
    b = calloc(1, sizeof *b);
    header(b, 0, 1, 96);
    hex(b, "4D54726B 00000010 FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
    m = repairs(b, MUSC_REPAIR_TRUNCATED, -1, "endless_vlq");
    assert_int_equal(m->n_tracks, 0);
    musc_music_free(m);
    free(b);
}

static void hostile_many_events_stay_bounded(void **state)
{
    (void)state;
    /* 10000 note-ons of one pitch at tick 0 with falling pitches: the chord
     * sort must not go quadratic, and every note closes at the end */
    bytes *b = calloc(1, sizeof *b);
    header(b, 0, 1, 96);
    bytes t = {.n = 0};
    hex(&t, "00 90 7F 64");
    for (int i = 0; i < 10000; i++) {
        uint8_t ev[3] = {0, (uint8_t)(127 - i % 128), 100};
        put(&t, ev, 3);
    }
    hex(&t, EOT);
    hex(b, "4D54726B");
    be32(b, (uint32_t)t.n);
    put(b, t.d, t.n);
    musc_report rep = {0};
    musc_music *m = read_ok(b, NULL, &rep, NULL);
    assert_int_equal(m->tracks[0].n_notes, 10001);
    for (size_t i = 1; i < m->tracks[0].n_notes; i++)
        assert_true(m->tracks[0].notes[i - 1].pitch <= m->tracks[0].notes[i].pitch);
    assert_true(rep.n_repairs > 0);
    musc_report_clear(&rep);
    musc_music_free(m);
    free(b);
}

static void empty_and_foreign_input(void **state)
{
    (void)state;
    musc_music *m = (musc_music *)1;
    assert_int_equal(musc_midi_read_mem(NULL, 0, NULL, &m, NULL), MUSC_ERR_FORMAT);
    assert_null(m);
    const uint8_t junk[] = "RIFF\x04\x00\x00\x00WAVEfmt ";
    assert_int_equal(musc_midi_read_mem(junk, sizeof junk - 1, NULL, &m, NULL), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "MThd"));
    const uint8_t rmid[] = "RIFF\x04\x00\x00\x00RMIDLIST\x00\x00\x00\x00";
    assert_int_equal(musc_midi_read_mem(rmid, sizeof rmid - 1, NULL, &m, NULL), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "data"));
    /* a header and no tracks at all */
    bytes *b = calloc(1, sizeof *b);
    header(b, 1, 0, 96);
    m = read_ok(b, NULL, NULL, "header_only");
    assert_int_equal(m->n_tracks, 0);
    musc_music_free(m);
    free(b);
    musc_read_options o = musc_read_options_default();
    o.overlap = 9;
    assert_int_equal(musc_midi_read_mem(junk, 4, &o, &m, NULL), MUSC_ERR_ARG);
}

static void read_from_file_sets_metadata(void **state)
{
    (void)state;
    const char *t[] = {"00 90 3C 64 10 80 3C 00" EOT, NULL};
    bytes *b = smf(0, 96, t);
    char *path = test_tmp_path("midi_read_test.mid");
    assert_int_equal(test_write_file(path, b->d, b->n), 0);
    musc_music *m;
    assert_int_equal(musc_midi_read(path, NULL, &m, NULL), MUSC_OK);
    assert_string_equal(m->metadata.source_filename, "midi_read_test.mid");
    assert_string_equal(m->metadata.source_format, "midi");
    musc_music_free(m);
    remove(path);
    assert_int_equal(musc_midi_read(path, NULL, &m, NULL), MUSC_ERR_IO);
    free(path);
    free(b);
}

/* ---- real files ------------------------------------------------------------ */

static int read_dir(const char *dir, int depth, size_t *files, size_t *notes)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096 + 512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len = strlen(e->d_name);
        if (len > 4 && (!strcmp(e->d_name + len - 4, ".mid") || !strcmp(e->d_name + len - 4, ".MID"))) {
            musc_music *m = NULL;
            int rc = musc_midi_read(path, NULL, &m, NULL);
            if (rc)
                fail_msg("%s", musc_errmsg());
            if (musc_music_validate(m))
                fail_msg("%s: %s", path, musc_errmsg());
            *notes += musc_music_note_count(m);
            (*files)++;
            musc_music_free(m);
        } else if (depth > 0) {
            read_dir(path, depth - 1, files, notes);
        }
    }
    closedir(d);
    return 1;
}

static void reads_every_dataset_file(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        print_message("SKIP: reads_every_dataset_file needs ../shared/data\n");
        skip();
    }
    char dir[4096];
    size_t files = 0, notes = 0;
    snprintf(dir, sizeof dir, "%s/pop909/POP909", data);
    read_dir(dir, 1, &files, &notes);
    size_t pop = files;
    snprintf(dir, sizeof dir, "%s/nottingham/MIDI", data);
    read_dir(dir, 0, &files, &notes);
    print_message("read %zu POP909 and %zu Nottingham files, %zu notes\n", pop, files - pop, notes);
    assert_true(pop >= 909);
    assert_true(files - pop >= 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(notes_on_off_and_velocity_zero),
        cmocka_unit_test(every_channel_message),
        cmocka_unit_test(channel_ten_is_drums),
        cmocka_unit_test(tracks_ordered_by_first_note_end),
        cmocka_unit_test(tracks_split_by_program_at_note_end),
        cmocka_unit_test(controls_before_program_join_the_notes),
        cmocka_unit_test(chord_notes_sorted_by_pitch),
        cmocka_unit_test(running_status),
        cmocka_unit_test(running_status_across_meta_and_sysex),
        cmocka_unit_test(overlap_fifo),
        cmocka_unit_test(overlap_lifo),
        cmocka_unit_test(overlap_close_all),
        cmocka_unit_test(unmatched_note_off_ignored),
        cmocka_unit_test(unclosed_note_closed_at_track_end),
        cmocka_unit_test(every_meta_event),
        cmocka_unit_test(text_latin1_and_nul),
        cmocka_unit_test(smpte_division),
        cmocka_unit_test(rmid_wrapper),
        cmocka_unit_test(format_1_tracks_start_together),
        cmocka_unit_test(format_2_patterns_follow_each_other),
        cmocka_unit_test(unknown_chunk_skipped),
        cmocka_unit_test(repair_truncated),
        cmocka_unit_test(repair_chunk_length),
        cmocka_unit_test(repair_garbage_between_and_inside_chunks),
        cmocka_unit_test(repair_bad_header_fields),
        cmocka_unit_test(repair_missing_end_of_track),
        cmocka_unit_test(repair_bad_status),
        cmocka_unit_test(repair_bad_data),
        cmocka_unit_test(repair_track_count),
        cmocka_unit_test(repair_junk_before_header),
        cmocka_unit_test(hostile_huge_lengths),
        cmocka_unit_test(hostile_huge_track_count),
        cmocka_unit_test(hostile_deep_vlq),
        cmocka_unit_test(hostile_many_events_stay_bounded),
        cmocka_unit_test(empty_and_foreign_input),
        cmocka_unit_test(read_from_file_sets_metadata),
        cmocka_unit_test(reads_every_dataset_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
