/*
 * MusicXML reader: one small hand-written score per feature, error cases,
 * hostile input, and every file of the shared Bach and OpenEWLD sets.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zip.h>

#include "musc/musc.h"
#include "test_support.h"

static size_t sample_counter;

/* A one-part score-partwise document around `measures`. */
#define SCORE(measures)                                                                    \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                           \
    "<score-partwise version=\"4.0\"><part-list><score-part id=\"P1\"><part-name>Lead"       \
    "</part-name></score-part></part-list><part id=\"P1\">" measures "</part></score-partwise>"

#define ATTR(div) "<attributes><divisions>" #div "</divisions></attributes>"
#define NOTE(step, oct, dur) \
    "<note><pitch><step>" #step "</step><octave>" #oct "</octave></pitch><duration>" #dur \
    "</duration></note>"
#define REST(dur) "<note><rest/><duration>" #dur "</duration></note>"

static int seed_no;

static musc_status read_flags(const char *xml, int flags, musc_music **m, musc_report *rep)
{
    char name[32];
    snprintf(name, sizeof name, "read-%02d.xml", seed_no++);
    test_save_seed("musicxml", name, xml, strlen(xml));
    musc_read_options o = musc_read_options_default();
    o.flags = flags;
    return musc_musicxml_read_mem((const uint8_t *)xml, strlen(xml), &o, m, rep);
}

static musc_music *read_ok(const char *xml, int flags)
{
    musc_music *m = NULL;
    musc_status st = read_flags(xml, flags, &m, NULL);
    if (st)
        fprintf(stderr, "unexpected error: %s\n", musc_errmsg());
    assert_int_equal(st, MUSC_OK);
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    return m;
}

static void assert_note(const musc_track *t, size_t i, int64_t time, int64_t dur, int pitch)
{
    assert_true(i < t->n_notes);
    if (t->notes[i].time != time || t->notes[i].duration != dur || t->notes[i].pitch != pitch)
        fprintf(stderr, "note %zu is (%lld, %lld, %d), expected (%lld, %lld, %d)\n", i,
                (long long)t->notes[i].time, (long long)t->notes[i].duration, t->notes[i].pitch,
                (long long)time, (long long)dur, pitch);
    assert_int_equal(t->notes[i].time, time);
    assert_int_equal(t->notes[i].duration, dur);
    assert_int_equal(t->notes[i].pitch, pitch);
}

static void notes_rests_and_names(void **state)
{
    (void)state;
    musc_music *m = read_ok(SCORE("<measure number=\"1\">" ATTR(2) NOTE(C, 4, 2) REST(2)
                                  "<note><pitch><step>F</step><alter>1</alter><octave>4</octave>"
                                  "</pitch><duration>4</duration></note></measure>"),
                            0);
    assert_int_equal(m->resolution, 2);
    assert_int_equal(m->n_tracks, 1);
    assert_string_equal(m->tracks[0].name, "Lead");
    assert_string_equal(m->metadata.source_format, "musicxml");
    assert_int_equal(m->tracks[0].n_notes, 2);
    assert_note(&m->tracks[0], 0, 0, 2, 60);
    assert_note(&m->tracks[0], 1, 4, 4, 66);
    assert_int_equal(m->tracks[0].notes[0].velocity, MUSC_DEFAULT_VELOCITY);
    musc_music_free(m);
}

static void chords_and_backup_voices(void **state)
{
    (void)state;
    musc_music *m = read_ok(
        SCORE("<measure>" ATTR(1) NOTE(C, 4, 2)
              "<note><chord/><pitch><step>E</step><octave>4</octave></pitch><duration>2</duration>"
              "</note>" NOTE(G, 4, 2) "<backup><duration>4</duration></backup>" NOTE(C, 3, 3)
              "<forward><duration>1</duration></forward></measure>"
              "<measure>" NOTE(D, 4, 4) "</measure>"),
        0);
    const musc_track *t = &m->tracks[0];
    assert_int_equal(t->n_notes, 5);
    assert_note(t, 0, 0, 3, 48);
    assert_note(t, 1, 0, 2, 60);
    assert_note(t, 2, 0, 2, 64);
    assert_note(t, 3, 2, 2, 67);
    assert_note(t, 4, 4, 4, 62);
    musc_music_free(m);
}

static void ties_merge_across_barlines(void **state)
{
    (void)state;
    musc_music *m = read_ok(
        SCORE("<measure>" ATTR(1) REST(2)
              "<note><pitch><step>A</step><octave>4</octave></pitch><duration>2</duration>"
              "<tie type=\"start\"/></note></measure><measure>"
              "<note><pitch><step>A</step><octave>4</octave></pitch><duration>4</duration>"
              "<tie type=\"stop\"/><tie type=\"start\"/></note></measure><measure>"
              "<note><pitch><step>A</step><octave>4</octave></pitch><duration>1</duration>"
              "<notations><tied type=\"stop\"/></notations></note>" NOTE(A, 4, 3) "</measure>"),
        0);
    const musc_track *t = &m->tracks[0];
    assert_int_equal(t->n_notes, 2);
    assert_note(t, 0, 2, 7, 69);
    assert_note(t, 1, 9, 3, 69);
    musc_music_free(m);
    /* a tie out of an underfilled measure (a half written where the bar
     * holds three quarters: Beethoven op. 18 no. 1/3, m. 21) still joins
     * the first note of the next measure, as MuseScore plays it */
    m = read_ok(SCORE("<measure>" ATTR(1)
                      "<note><pitch><step>A</step><octave>4</octave></pitch><duration>2"
                      "</duration><tie type=\"start\"/></note><forward><duration>1</duration>"
                      "</forward></measure><measure>"
                      "<note><pitch><step>A</step><octave>4</octave></pitch><duration>1"
                      "</duration><tie type=\"stop\"/></note>" NOTE(B, 4, 2) "</measure>"),
                0);
    t = &m->tracks[0];
    assert_int_equal(t->n_notes, 2);
    assert_note(t, 0, 0, 4, 69);
    assert_note(t, 1, 4, 2, 71);
    musc_music_free(m);
}

/* A drawn tie (<tied type="start">) whose next note in its voice sounds
 * the same pitch is joined to it even without a tie stop, spelled alike or
 * not (E flat tied to D sharp: Haydn op. 74 no. 1/4, m. 88, as MuseScore
 * plays it). A dangling start followed by another pitch ties to nothing
 * (MuseScore would tie it to the next note of its pitch however far on), a
 * note of another voice does not end it, and a <tie type="start"> alone
 * (sound only: Beethoven op. 132, m. 11) needs its stop. */
static void tie_start_without_stop(void **state)
{
    (void)state;
#define P(step, alter, oct, dur, extra)                                                  \
    "<note><pitch><step>" #step "</step><alter>" #alter "</alter><octave>" #oct          \
    "</octave></pitch><duration>" #dur "</duration>" extra "</note>"
#define TIED "<notations><tied type=\"start\"/></notations>"
    musc_music *m = read_ok(
        SCORE("<measure>" ATTR(1) P(E, -1, 4, 4, "<voice>1</voice>" TIED)
              "</measure><measure>" P(D, 1, 4, 2, "<voice>1</voice>")
              P(G, 0, 4, 2, "<voice>1</voice>" TIED)
              "</measure><measure>" P(A, 0, 4, 2, "<voice>1</voice>")
              P(G, 0, 4, 2, "<voice>1</voice>") "</measure><measure>"
              P(C, 0, 5, 4, "<voice>1</voice>" TIED)
              "<backup><duration>4</duration></backup>" P(C, 0, 4, 4, "<voice>2</voice>")
              "</measure><measure>" P(C, 0, 5, 4, "<voice>2</voice>")
              "<backup><duration>4</duration></backup>" P(E, 0, 5, 4, "<voice>1</voice>")
              "</measure><measure>" P(F, 0, 5, 4, "<tie type=\"start\"/>") "</measure>"
              "<measure>" P(F, 0, 5, 4, "") "</measure>"),
        0);
#undef TIED
#undef P
    const musc_track *t = &m->tracks[0];
    assert_int_equal(t->n_notes, 10);
    assert_note(t, 0, 0, 6, 63);   /* E flat 4 + D sharp 4 */
    assert_note(t, 1, 6, 2, 67);   /* G4, its tie dropped */
    assert_note(t, 2, 8, 2, 69);
    assert_note(t, 3, 10, 2, 67);  /* not tied back to the first G4 */
    assert_note(t, 4, 12, 4, 60);
    assert_note(t, 5, 12, 4, 72);  /* voice 1 */
    assert_note(t, 6, 16, 4, 72);  /* voice 2 does not end voice 1's tie */
    assert_note(t, 7, 16, 4, 76);
    assert_note(t, 8, 20, 4, 77);  /* <tie type="start"> without a stop */
    assert_note(t, 9, 24, 4, 77);
    musc_music_free(m);
}

static void tuplets_and_divisions_lcm(void **state)
{
    (void)state;
    /* part 1 in triplet eighths (divisions 3), part 2 in sixteenths (4): LCM 12 */
    const char *xml =
        "<score-partwise><part-list><score-part id=\"A\"/><score-part id=\"B\"/></part-list>"
        "<part id=\"A\"><measure>" ATTR(3)
        "<note><pitch><step>C</step><octave>5</octave></pitch><duration>1</duration>"
        "<type>eighth</type><time-modification><actual-notes>3</actual-notes><normal-notes>2"
        "</normal-notes></time-modification></note>" NOTE(D, 5, 1) NOTE(E, 5, 1)
        "</measure></part><part id=\"B\"><measure>" ATTR(4) NOTE(C, 3, 1) NOTE(D, 3, 3)
        "</measure></part></score-partwise>";
    musc_music *m = read_ok(xml, 0);
    assert_int_equal(m->resolution, 12);
    assert_note(&m->tracks[0], 1, 4, 4, 74);
    assert_note(&m->tracks[0], 2, 8, 4, 76);
    assert_note(&m->tracks[1], 0, 0, 3, 48);
    assert_note(&m->tracks[1], 1, 3, 9, 50);
    musc_music_free(m);
}

static void grace_skipped_or_kept_and_cue_skipped(void **state)
{
    (void)state;
    const char *xml = SCORE(
        "<measure>" ATTR(8)
        "<note><grace/><pitch><step>D</step><octave>5</octave></pitch><type>eighth</type></note>"
        NOTE(C, 5, 8) "<note><cue/><pitch><step>G</step><octave>5</octave></pitch><duration>8"
        "</duration></note>" NOTE(E, 5, 8) "</measure>");
    musc_music *m = read_ok(xml, 0);
    assert_int_equal(m->tracks[0].n_notes, 2);
    assert_note(&m->tracks[0], 0, 0, 8, 72);
    assert_note(&m->tracks[0], 1, 16, 8, 76);
    musc_music_free(m);
    m = read_ok(xml, MUSC_MUSICXML_KEEP_GRACE);
    assert_int_equal(m->tracks[0].n_notes, 3);
    assert_note(&m->tracks[0], 1, 0, 1, 74); /* resolution/8 ticks at the cursor */
    musc_music_free(m);
}

#define ORN_NOTE(step, alter, oct, dur, type, orn)                                          \
    "<note><pitch><step>" #step "</step><alter>" #alter "</alter><octave>" #oct "</octave>"  \
    "</pitch><duration>" #dur "</duration><type>" type "</type><notations><ornaments>" orn     \
    "</ornaments></notations></note>"
#define GRACE(slash, step, oct, type)                                                       \
    "<note><grace" slash "/><pitch><step>" #step "</step><octave>" #oct "</octave></pitch>"   \
    "<type>" type "</type></note>"

/* Expected (time, duration, pitch) triples at 480 ticks a quarter. */
static void assert_notes(const musc_track *t, const int64_t (*want)[3], size_t n)
{
    assert_int_equal(t->n_notes, n);
    for (size_t i = 0; i < n; i++)
        assert_note(t, i, want[i][0], want[i][1], (int)want[i][2]);
}

static void ornaments_and_graces_play_as_musescore(void **state)
{
    (void)state;
    /* D major, 120 quarters a minute (MuseScore's default) */
    const char *xml = SCORE(
        "<measure><attributes><divisions>8</divisions><key><fifths>2</fifths></key></attributes>"
        ORN_NOTE(E, 0, 5, 8, "quarter", "<trill-mark/>")
        ORN_NOTE(G, 0, 5, 8, "quarter", "<mordent/>")
        ORN_NOTE(A, 0, 5, 4, "eighth", "<turn/>")
        ORN_NOTE(C, 1, 5, 2, "16th", "<inverted-mordent/>")
        ORN_NOTE(A, -1, 5, 1, "32nd", "")
        ORN_NOTE(G, 0, 5, 1, "32nd", "<trill-mark/>") "</measure>"
        "<measure>" GRACE(" slash=\"yes\"", D, 5, "eighth") NOTE(C, 5, 8)
        GRACE("", F, 5, "eighth") GRACE("", G, 5, "eighth") NOTE(E, 5, 8)
        ORN_NOTE(G, 0, 5, 16, "half", "<trill-mark/>") "</measure>");
    musc_music *m = read_ok(xml, MUSC_MUSICXML_PLAY_ORNAMENTS);
    assert_int_equal(m->resolution, 480);
    static const int64_t want[][3] = {
        /* trill: 32nds, main and the key's upper note (F#) */
        {0, 60, 76}, {60, 60, 78}, {120, 60, 76}, {180, 60, 78},
        {240, 60, 76}, {300, 60, 78}, {360, 60, 76}, {420, 60, 78},
        /* mordent: main, lower, main held */
        {480, 60, 79}, {540, 60, 78}, {600, 360, 79},
        /* turn on an eighth: upper, main, lower, main */
        {960, 60, 83}, {1020, 60, 81}, {1080, 60, 79}, {1140, 60, 81},
        /* inverted mordent on a 16th: three notes share it, starting at
         * floor(k * 333 / 1000 * 120) ticks, as mscore3 places them */
        {1200, 39, 73}, {1239, 40, 74}, {1279, 41, 73},
        /* Ab in the bar: a trill on a 32nd G goes to Ab, four notes of 15 */
        {1320, 60, 80}, {1380, 15, 79}, {1395, 15, 80}, {1410, 15, 79}, {1425, 15, 80},
        /* acciaccatura: 65 ms at 120 a minute = 62 ticks, taken from C */
        {1440, 62, 74}, {1502, 418, 72},
        /* two appoggiaturas: half of the principal, shared */
        {1920, 120, 77}, {2040, 120, 79}, {2160, 240, 76},
        /* the Ab of the last bar no longer holds: G-A in 32nds for a half,
         * note k at floor(k * 62.5) per mille of the half, rounded down
         * (as mscore3 places them: 59 ticks, then 61) */
        {2400, 59, 79}, {2459, 61, 81}, {2520, 59, 79}, {2579, 61, 81},
        {2640, 59, 79}, {2699, 61, 81}, {2760, 59, 79}, {2819, 61, 81},
        {2880, 59, 79}, {2939, 61, 81}, {3000, 59, 79}, {3059, 61, 81},
        {3120, 59, 79}, {3179, 61, 81}, {3240, 59, 79}, {3299, 61, 81},
    };
    assert_notes(&m->tracks[0], want, sizeof want / sizeof *want);
    musc_music_free(m);
    /* without the option the written notes (and graces skipped) */
    m = read_ok(xml, 0);
    assert_int_equal(m->tracks[0].n_notes, 9);
    musc_music_free(m);
    /* at 240 a minute a trill on a 32nd would be faster than 64 notes a
     * second: played plain; at 40 a quarter's trill moves in 64ths */
    const char *fast = SCORE(
        "<measure>" ATTR(8) "<sound tempo=\"240\"/>"
        ORN_NOTE(G, 0, 5, 1, "32nd", "<trill-mark/>") "</measure>"
        "<measure><sound tempo=\"40\"/>"
        ORN_NOTE(C, 0, 5, 2, "16th", "<trill-mark/>") "</measure>");
    m = read_ok(fast, MUSC_MUSICXML_PLAY_ORNAMENTS);
    static const int64_t want_fast[][3] = {
        {0, 60, 79}, {60, 30, 72}, {90, 30, 74}, {120, 30, 72}, {150, 30, 74}};
    assert_notes(&m->tracks[0], want_fast, sizeof want_fast / sizeof *want_fast);
    musc_music_free(m);
}

/* Graces before a dotted note, graces after a note at the end of a bar,
 * and a trill that ends in such graces: the times mscore3 3.2 gives the
 * same bars (measured, 120 quarters a minute, 480 ticks a quarter). */
static void graces_after_and_before_dotted_notes_play_as_musescore(void **state)
{
    (void)state;
    const char *xml = SCORE(
        /* an appoggiatura before a dotted quarter takes its undotted value */
        "<measure>" ATTR(8) GRACE("", D, 5, "eighth")
        "<note><pitch><step>E</step><octave>5</octave></pitch><duration>12</duration>"
        "<type>quarter</type><dot/></note>" REST(4) REST(16) "</measure>"
        /* two graces after a half note (Nachschlag) take its second half */
        "<measure>" NOTE(C, 5, 16) NOTE(B, 4, 16) GRACE("", A, 4, "16th")
        GRACE("", B, 4, "16th") "</measure>"
        /* a trill on an eighth ending in two graces: six notes of 40 ticks */
        "<measure>" REST(28) ORN_NOTE(B, 0, 4, 4, "eighth", "<trill-mark/>")
        GRACE("", A, 4, "16th") GRACE("", B, 4, "16th") "</measure>");
    musc_music *m = read_ok(xml, MUSC_MUSICXML_PLAY_ORNAMENTS);
    assert_int_equal(m->resolution, 480);
    static const int64_t want[][3] = {
        {0, 480, 74}, {480, 240, 76},
        {1920, 960, 72}, {2880, 480, 71}, {3360, 240, 69}, {3600, 240, 71},
        {5520, 39, 71}, {5559, 40, 72}, {5599, 41, 71}, {5640, 39, 72}, {5679, 40, 69},
        {5719, 41, 71},
    };
    assert_notes(&m->tracks[0], want, sizeof want / sizeof *want);
    musc_music_free(m);
    /* a slashed eighth grace cannot follow a note in MuseScore: at a bar's
     * end it is played before the note it follows (65 ms = 62 ticks) */
    m = read_ok(SCORE("<measure>" ATTR(8) NOTE(C, 5, 16) NOTE(B, 4, 16)
                      GRACE(" slash=\"yes\"", A, 4, "eighth") "</measure>"),
                MUSC_MUSICXML_PLAY_ORNAMENTS);
    static const int64_t want_slash[][3] = {{0, 960, 72}, {960, 62, 69}, {1022, 898, 71}};
    assert_notes(&m->tracks[0], want_slash, 3);
    musc_music_free(m);
    /* graces followed by a rest are played after the note before them
     * (Beethoven op. 133, m. 10) */
    m = read_ok(SCORE("<measure>" ATTR(8) NOTE(C, 5, 16) GRACE("", A, 4, "16th")
                      GRACE("", B, 4, "16th") REST(16) "</measure>"),
                MUSC_MUSICXML_PLAY_ORNAMENTS);
    static const int64_t want_rest[][3] = {{0, 480, 72}, {480, 240, 69}, {720, 240, 71}};
    assert_notes(&m->tracks[0], want_rest, 3);
    musc_music_free(m);
    /* a trill mark whose wavy line never stops is dropped by MuseScore's
     * reader (Beethoven op. 18 no. 3, m. 296): the quarter stays plain;
     * with the line stopped it trills (eight 32nds) */
    const char *open_line = "<note><pitch><step>C</step><octave>5</octave></pitch><duration>8"
                            "</duration><type>quarter</type><notations><ornaments><trill-mark/>"
                            "<wavy-line type=\"start\"/>%s</ornaments></notations></note>";
    for (int stopped = 0; stopped < 2; stopped++) {
        char note[512], xml[1024];
        snprintf(note, sizeof note, open_line, stopped ? "<wavy-line type=\"stop\"/>" : "");
        snprintf(xml, sizeof xml, SCORE("<measure>" ATTR(8) "%s" REST(24) "</measure>"), note);
        m = read_ok(xml, MUSC_MUSICXML_PLAY_ORNAMENTS);
        assert_int_equal(m->tracks[0].n_notes, stopped ? 8 : 1);
        musc_music_free(m);
    }
    /* a line from C to the E that stops it: the D under it trills too
     * (MuseScore; Beethoven op. 59 no. 3/4, m. 322-332), E stays plain */
    char line_xml[2048];
    char first[512];
    snprintf(first, sizeof first, open_line, "");
    snprintf(line_xml, sizeof line_xml,
             SCORE("<measure>" ATTR(8) "%s" NOTE(D, 5, 8)
                   "<note><pitch><step>E</step><octave>5</octave></pitch><duration>8</duration>"
                   "<type>quarter</type><notations><ornaments><wavy-line type=\"stop\"/>"
                   "</ornaments></notations></note>" REST(8) "</measure>"),
             first);
    /* two lines started and never stopped, the second on the note after
     * the first (Mozart K. 458/1): both trills play plain */
    char twice[2048];
    snprintf(twice, sizeof twice, SCORE("<measure>" ATTR(8) "%s%s" REST(16) "</measure>"), first,
             first);
    m = read_ok(twice, MUSC_MUSICXML_PLAY_ORNAMENTS);
    assert_int_equal(m->tracks[0].n_notes, 2);
    musc_music_free(m);
    m = read_ok(line_xml, MUSC_MUSICXML_PLAY_ORNAMENTS);
    assert_int_equal(m->tracks[0].n_notes, 17);
    assert_int_equal(m->tracks[0].notes[9].pitch, 76); /* D's upper note */
    assert_int_equal(m->tracks[0].notes[16].pitch, 76); /* E, plain */
    assert_int_equal(m->tracks[0].notes[16].duration, 480);
    musc_music_free(m);
}

/* Graces before an ornamented note are its first notes, at the
 * ornament's speed, and a trill's main-upper pairs fill the slots left
 * between them and the graces after it, an odd slot lengthening the last
 * pair's upper note; the neighbours ignore the accidentals of the note's
 * own graces (mscore3 3.2 on the same bars, 120 a minute; Beethoven
 * op. 59 no. 3/1, m. 13). */
static void graces_inside_ornaments_play_as_musescore(void **state)
{
    (void)state;
    const char *xml = SCORE(
        /* a flat grace before a trilled A: the trill still goes to B */
        "<measure>" ATTR(8)
        "<note><grace slash=\"yes\"/><pitch><step>B</step><alter>-1</alter><octave>5</octave>"
        "</pitch><type>eighth</type></note>"
        ORN_NOTE(A, 0, 5, 8, "quarter", "<trill-mark/>") REST(24) "</measure>"
        /* a dotted eighth's trill after a grace: 6 slots, grace + 2 pairs,
         * the last upper note held for two */
        "<measure>" GRACE(" slash=\"yes\"", B, 5, "eighth")
        ORN_NOTE(A, -1, 5, 6, "eighth", "<trill-mark/>") REST(2) REST(24) "</measure>"
        /* a quarter's trill ending in one grace: 8 slots, 3 pairs, the
         * last upper note held for two, then the grace */
        "<measure>" REST(24) ORN_NOTE(A, 0, 5, 8, "quarter", "<trill-mark/>")
        GRACE("", G, 5, "16th") "</measure>"
        /* a mordent after a grace: grace, main, lower, main held */
        "<measure>" GRACE(" slash=\"yes\"", B, 5, "eighth")
        ORN_NOTE(A, 0, 5, 8, "quarter", "<mordent/>") REST(24) "</measure>");
    musc_music *m = read_ok(xml, MUSC_MUSICXML_PLAY_ORNAMENTS);
    assert_int_equal(m->resolution, 480);
    static const int64_t want[][3] = {
        {0, 60, 82}, {60, 60, 81}, {120, 60, 83}, {180, 60, 81},
        {240, 60, 83}, {300, 60, 81}, {360, 120, 83},
        {1920, 59, 83}, {1979, 60, 80}, {2039, 61, 83}, {2100, 59, 80}, {2159, 121, 83},
        {5280, 60, 81}, {5340, 60, 83}, {5400, 60, 81}, {5460, 60, 83},
        {5520, 60, 81}, {5580, 120, 83}, {5700, 60, 79},
        {5760, 60, 83}, {5820, 60, 81}, {5880, 60, 79}, {5940, 300, 81},
    };
    assert_notes(&m->tracks[0], want, sizeof want / sizeof *want);
    musc_music_free(m);
}

static void lyric_verses_keep_their_number(void **state)
{
    (void)state;
    const char *xml = SCORE(
        "<measure>" ATTR(1)
        "<note><pitch><step>C</step><octave>4</octave></pitch><duration>1</duration>"
        "<lyric number=\"1\"><text>One</text></lyric><lyric number=\"2\"><text>Two</text>"
        "</lyric><lyric number=\"chorus\"><text>Three</text></lyric></note>"
        "<note><pitch><step>D</step><octave>4</octave></pitch><duration>1</duration>"
        "<lyric><text>only</text></lyric></note></measure>");
    musc_music *m = read_ok(xml, 0);
    const musc_track *t = &m->tracks[0];
    assert_int_equal(t->n_lyrics, 4);
    const char *text[] = {"One", "Two", "Three", "only"};
    const int verse[] = {0, 1, 2, 0}; /* a named verse: its position on the note */
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(t->lyrics[i].text, text[i]);
        assert_int_equal(t->lyrics[i].verse, verse[i]);
    }
    musc_music_free(m);
}

static void transpose_written_to_sounding(void **state)
{
    (void)state;
    /* B-flat clarinet: written D5 sounds C5 */
    musc_music *m = read_ok(
        "<score-partwise><part-list><score-part id=\"P1\"><part-name>Clarinet in Bb</part-name>"
        "</score-part></part-list><part id=\"P1\"><measure><attributes><divisions>1</divisions>"
        "<key><fifths>2</fifths></key><transpose><diatonic>-1</diatonic><chromatic>-2"
        "</chromatic></transpose></attributes>" NOTE(D, 5, 4) "</measure></part></score-partwise>",
        0);
    assert_note(&m->tracks[0], 0, 0, 4, 72);
    assert_int_equal(m->tracks[0].program, 71); /* by name: clarinet */
    musc_music_free(m);
}

/* Pitches of track 0 in order: one letter per measure-long note. */
static void assert_melody(const musc_music *m, const int *pitches, size_t n)
{
    const musc_track *t = &m->tracks[0];
    if (t->n_notes != n) {
        fprintf(stderr, "got %zu notes:", t->n_notes);
        for (size_t i = 0; i < t->n_notes; i++)
            fprintf(stderr, " %d", t->notes[i].pitch);
        fprintf(stderr, "\n");
    }
    assert_int_equal(t->n_notes, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t->notes[i].pitch, pitches[i]);
        assert_int_equal(t->notes[i].time, (int64_t)(4 * i));
    }
}

#define FWD "<barline location=\"left\"><repeat direction=\"forward\"/></barline>"
#define BWD "<barline location=\"right\"><repeat direction=\"backward\"/></barline>"
#define END1 "<barline location=\"left\"><ending number=\"1\" type=\"start\"/></barline>"
#define END1STOP "<barline location=\"right\"><ending number=\"1\" type=\"stop\"/>" \
                 "<repeat direction=\"backward\"/></barline>"
#define END2 "<barline location=\"left\"><ending number=\"2\" type=\"start\"/></barline>"
#define END2STOP "<barline location=\"right\"><ending number=\"2\" type=\"discontinue\"/></barline>"

static void repeats_and_voltas_expand(void **state)
{
    (void)state;
    /* C |: D E :| F  ->  C D E D E F */
    musc_music *m = read_ok(SCORE("<measure>" ATTR(1) NOTE(C, 4, 4) "</measure><measure>" FWD
                                  NOTE(D, 4, 4) "</measure><measure>" NOTE(E, 4, 4) BWD
                                  "</measure><measure>" NOTE(F, 4, 4) "</measure>"),
                            0);
    assert_melody(m, (int[]){60, 62, 64, 62, 64, 65}, 6);
    musc_music_free(m);
    /* C [1 D :| [2 E | F  ->  C D C E F */
    const char *volta = SCORE("<measure>" ATTR(1) NOTE(C, 4, 4) "</measure><measure>" END1
                              NOTE(D, 4, 4) END1STOP "</measure><measure>" END2 NOTE(E, 4, 4)
                                  END2STOP "</measure><measure>" NOTE(F, 4, 4) "</measure>");
    m = read_ok(volta, 0);
    assert_melody(m, (int[]){60, 62, 60, 64, 65}, 5);
    musc_music_free(m);
    m = read_ok(volta, MUSC_MUSICXML_WRITTEN_ORDER);
    assert_melody(m, (int[]){60, 62, 64, 65}, 4);
    musc_music_free(m);
    /* lone backward repeats go to the start, and each is taken once:
     * C :| D :|  ->  C C D C D (as MuseScore plays it) */
    m = read_ok(SCORE("<measure>" ATTR(1) NOTE(C, 4, 4) BWD "</measure><measure>" NOTE(D, 4, 4)
                      BWD "</measure>"),
                0);
    assert_melody(m, (int[]){60, 60, 62, 60, 62}, 5);
    musc_music_free(m);
    /* a first ending that stops before the repeat sign, the second after
     * it: C [1 D] E :| [2 F] G  ->  C D E C E F G (MuseScore's order; the
     * layout of Beethoven op. 18 no. 3, measures 108-110) */
    m = read_ok(SCORE("<measure>" ATTR(1) NOTE(C, 4, 4) "</measure><measure>" END1 NOTE(D, 4, 4)
                      "<barline location=\"right\"><ending number=\"1\" type=\"stop\"/>"
                      "</barline></measure><measure>" NOTE(E, 4, 4) BWD "</measure><measure>"
                      END2 NOTE(F, 4, 4) END2STOP "</measure><measure>" NOTE(G, 4, 4)
                      "</measure>"),
                0);
    assert_melody(m, (int[]){60, 62, 64, 60, 64, 65, 67}, 7);
    musc_music_free(m);
    /* the same layout played again after a D.C.: only the second ending
     * (MuseScore; Beethoven op. 132, m. 364-369)  ->  C D E C E F G C E F G */
    m = read_ok(SCORE("<measure>" ATTR(1) NOTE(C, 4, 4) "</measure><measure>" END1 NOTE(D, 4, 4)
                      "<barline location=\"right\"><ending number=\"1\" type=\"stop\"/>"
                      "</barline></measure><measure>" NOTE(E, 4, 4) BWD "</measure><measure>"
                      END2 NOTE(F, 4, 4) END2STOP "</measure><measure>" NOTE(G, 4, 4)
                      "<direction><direction-type><words>D.C.</words></direction-type>"
                      "</direction></measure>"),
                0);
    assert_melody(m, (int[]){60, 62, 64, 60, 64, 65, 67, 60, 64, 65, 67}, 11);
    musc_music_free(m);
    /* a forward repeat on the second ending's measure (Beethoven op. 18
     * no. 4, measure 79): C |: D [1 E :| [2 |: F] G  ->  C D E D F G */
    m = read_ok(SCORE("<measure>" ATTR(1) NOTE(C, 4, 4) "</measure><measure>" FWD NOTE(D, 4, 4)
                      "</measure><measure>" END1 NOTE(E, 4, 4) END1STOP "</measure><measure>"
                      "<barline location=\"left\"><ending number=\"2\" type=\"start\"/>"
                      "<repeat direction=\"forward\"/></barline>" NOTE(F, 4, 4)
                      END2STOP "</measure><measure>" NOTE(G, 4, 4) "</measure>"),
                0);
    assert_melody(m, (int[]){60, 62, 64, 62, 65, 67}, 6);
    musc_music_free(m);
    /* times="3" */
    m = read_ok(SCORE("<measure>" ATTR(1) NOTE(C, 4, 4)
                      "<barline><repeat direction=\"backward\" times=\"3\"/></barline></measure>"),
                0);
    assert_melody(m, (int[]){60, 60, 60}, 3);
    musc_music_free(m);
}

static void da_capo_al_fine_and_dal_segno_al_coda(void **state)
{
    (void)state;
    /* C D(Fine) E(D.C.)  ->  C D E C D */
    musc_music *m = read_ok(
        SCORE("<measure>" ATTR(1) NOTE(C, 4, 4) "</measure><measure>" NOTE(D, 4, 4)
              "<direction><direction-type><words>Fine</words></direction-type>"
              "<sound fine=\"yes\"/></direction></measure><measure>" NOTE(E, 4, 4)
              "<direction><direction-type><words>D.C. al Fine</words></direction-type>"
              "<sound dacapo=\"yes\"/></direction></measure>"),
        0);
    assert_melody(m, (int[]){60, 62, 64, 60, 62}, 5);
    musc_music_free(m);
    /* C S:D E(To Coda) F(D.S. al Coda) Coda:G  ->  C D E F D E G (words only) */
    m = read_ok(SCORE("<measure>" ATTR(1) NOTE(C, 4, 4) "</measure><measure>"
                      "<direction><direction-type><segno/></direction-type></direction>"
                      NOTE(D, 4, 4) "</measure><measure>" NOTE(E, 4, 4)
                      "<direction><direction-type><words>To Coda</words></direction-type>"
                      "</direction></measure><measure>" NOTE(F, 4, 4)
                      "<direction><direction-type><words>D.S. al Coda</words></direction-type>"
                      "</direction></measure><measure><direction><direction-type><coda/>"
                      "</direction-type><sound coda=\"c1\"/></direction>" NOTE(G, 4, 4)
                      "</measure>"),
                0);
    assert_melody(m, (int[]){60, 62, 64, 65, 62, 64, 67}, 7);
    musc_music_free(m);
    /* words count as a jump only when they are the whole standard phrase
     * (case and spaces aside), as MuseScore 3 reads them: "d. c. AL fine"
     * jumps; "Da Capo ma senza replicarlo" (Mozart K. 80/4) is prose */
    const char *words[] = {"d. c. AL fine", "Da Capo ma senza replicarlo, poi segue la Coda",
                           "Menuetto da capo"};
    for (size_t w = 0; w < 3; w++) {
        char xml[2048];
        snprintf(xml, sizeof xml,
                 SCORE("<measure>" ATTR(1) NOTE(C, 4, 4) "</measure><measure>" NOTE(D, 4, 4)
                       "<direction><direction-type><words>Fine</words></direction-type>"
                       "</direction></measure><measure>" NOTE(E, 4, 4)
                       "<direction><direction-type><words>%s</words></direction-type>"
                       "</direction></measure>"),
                 words[w]);
        m = read_ok(xml, 0);
        if (w == 0)
            assert_melody(m, (int[]){60, 62, 64, 60, 62}, 5);
        else
            assert_melody(m, (int[]){60, 62, 64}, 3);
        musc_music_free(m);
    }
}

static void harmony_becomes_chord_annotations(void **state)
{
    (void)state;
    musc_music *m = read_ok(
        SCORE("<measure>" ATTR(2)
              "<harmony><root><root-step>A</root-step></root><kind>minor-seventh</kind></harmony>"
              NOTE(A, 4, 4)
              "<harmony><root><root-step>C</root-step></root><kind text=\"\">major</kind>"
              "<bass><bass-step>E</bass-step></bass></harmony>" NOTE(E, 4, 2)
              "<harmony><root><root-step>B</root-step><root-alter>-1</root-alter></root>"
              "<kind>dominant</kind><degree><degree-value>9</degree-value><degree-alter>-1"
              "</degree-alter><degree-type>add</degree-type></degree><offset>1</offset>"
              "</harmony>" NOTE(B, 4, 2) "</measure><measure>"
              "<harmony><root><root-step>F</root-step><root-alter>1</root-alter></root>"
              "<kind>half-diminished</kind></harmony>"
              "<harmony><root><root-step>C</root-step></root><kind>none</kind></harmony>"
              NOTE(C, 4, 8) "</measure>"),
        0);
    const musc_track *t = &m->tracks[0];
    assert_int_equal(t->n_annotations, 5);
    const char *texts[] = {"Am7", "C/E", "Bb7addb9", "F#m7b5", "N.C."};
    const int64_t times[] = {0, 4, 7, 8, 8};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(t->annotations[i].kind, MUSC_ANN_CHORD);
        assert_string_equal(t->annotations[i].text, texts[i]);
        assert_int_equal(t->annotations[i].time, times[i]);
    }
    musc_music_free(m);
}

static void lyrics_tempo_key_time_dynamics(void **state)
{
    (void)state;
    musc_music *m = read_ok(
        SCORE("<measure>"
              "<attributes><divisions>1</divisions><key><fifths>-3</fifths><mode>minor</mode>"
              "</key><time><beats>3</beats><beat-type>4</beat-type></time></attributes>"
              "<direction><direction-type><metronome><beat-unit>quarter</beat-unit>"
              "<beat-unit-dot/><per-minute>60</per-minute></metronome></direction-type>"
              "</direction>"
              "<direction><direction-type><dynamics><ff/></dynamics></direction-type></direction>"
              "<note><pitch><step>C</step><octave>4</octave></pitch><duration>3</duration>"
              "<lyric number=\"1\"><syllabic>single</syllabic><text>Hey</text></lyric>"
              "<lyric number=\"2\"><text>Ho</text></lyric></note></measure><measure>"
              "<attributes><key><fifths>2</fifths></key><time><beats>2+3</beats>"
              "<beat-type>8</beat-type></time></attributes>"
              "<sound tempo=\"90.5\" dynamics=\"50\"/>"
              "<note dynamics=\"100\"><pitch><step>D</step><octave>4</octave></pitch>"
              "<duration>1</duration></note>"
              "<note><pitch><step>E</step><octave>4</octave></pitch><duration>1</duration>"
              "</note></measure>"),
        0);
    assert_int_equal(m->n_tempos, 2);
    assert_true(m->tempos[0].qpm == 90.0); /* dotted quarter = 60 */
    assert_int_equal(m->tempos[1].time, 3);
    assert_true(m->tempos[1].qpm == 90.5);
    assert_int_equal(m->n_key_signatures, 2);
    assert_int_equal(m->key_signatures[0].fifths, -3);
    assert_int_equal(m->key_signatures[0].mode, MUSC_MODE_MINOR);
    assert_int_equal(m->key_signatures[0].root, 0); /* C minor */
    assert_int_equal(m->key_signatures[1].root, 2); /* D major */
    assert_int_equal(m->n_time_signatures, 2);
    assert_int_equal(m->time_signatures[1].numerator, 5);
    assert_int_equal(m->time_signatures[1].denominator, 8);
    const musc_track *t = &m->tracks[0];
    assert_int_equal(t->n_lyrics, 2); /* both verses */
    assert_string_equal(t->lyrics[0].text, "Hey");
    assert_string_equal(t->lyrics[1].text, "Ho");
    assert_int_equal(t->lyrics[1].verse, 1);
    assert_int_equal(t->notes[0].velocity, 112);
    assert_int_equal(t->notes[1].velocity, 90);
    assert_int_equal(t->notes[2].velocity, 45);
    musc_music_free(m);
}

static void parts_programs_and_drums(void **state)
{
    (void)state;
    musc_music *m = read_ok(
        "<score-partwise><part-list>"
        "<score-part id=\"P1\"><part-name>Violin</part-name><score-instrument id=\"P1-I1\">"
        "<instrument-name>Violin</instrument-name></score-instrument><midi-instrument "
        "id=\"P1-I1\"><midi-channel>1</midi-channel><midi-program>1</midi-program>"
        "</midi-instrument></score-part>"
        "<score-part id=\"P2\"><part-name>Drums</part-name>"
        "<score-instrument id=\"P2-I36\"><instrument-name>Kick</instrument-name>"
        "</score-instrument><score-instrument id=\"P2-I39\"><instrument-name>Snare"
        "</instrument-name></score-instrument>"
        "<midi-instrument id=\"P2-I36\"><midi-channel>10</midi-channel><midi-unpitched>36"
        "</midi-unpitched></midi-instrument><midi-instrument id=\"P2-I39\"><midi-channel>10"
        "</midi-channel><midi-unpitched>39</midi-unpitched></midi-instrument></score-part>"
        "<score-part id=\"P3\"><part-name>Violoncello</part-name></score-part>"
        "</part-list>"
        "<part id=\"P1\"><measure>" ATTR(1) NOTE(G, 3, 4) "</measure></part>"
        "<part id=\"P2\"><measure>" ATTR(1)
        "<note><unpitched><display-step>F</display-step><display-octave>4</display-octave>"
        "</unpitched><duration>2</duration><instrument id=\"P2-I36\"/></note>"
        "<note><unpitched><display-step>C</display-step><display-octave>5</display-octave>"
        "</unpitched><duration>2</duration><instrument id=\"P2-I39\"/></note></measure></part>"
        "<part id=\"P3\"><measure>" ATTR(1) NOTE(C, 2, 4) "</measure></part>"
        "</score-partwise>",
        0);
    assert_int_equal(m->n_tracks, 3);
    assert_int_equal(m->tracks[0].program, 0); /* midi-program is 1-based */
    assert_string_equal(m->tracks[0].instrument_name, "Violin");
    assert_int_equal(m->tracks[1].is_drum, 1);
    assert_note(&m->tracks[1], 0, 0, 2, 35);
    assert_note(&m->tracks[1], 1, 2, 2, 38);
    assert_int_equal(m->tracks[2].program, 42); /* by name */
    assert_int_equal(m->tracks[2].is_drum, 0);
    musc_music_free(m);
}

static void score_timewise_is_transposed(void **state)
{
    (void)state;
    musc_music *m = read_ok(
        "<score-timewise><part-list><score-part id=\"A\"/><score-part id=\"B\"/></part-list>"
        "<measure number=\"1\"><part id=\"A\">" ATTR(1) NOTE(C, 4, 4) "</part><part id=\"B\">"
        ATTR(1) NOTE(C, 3, 4) "</part></measure><measure number=\"2\"><part id=\"A\">"
        NOTE(D, 4, 4) "</part><part id=\"B\">" NOTE(D, 3, 4) "</part></measure></score-timewise>",
        0);
    assert_int_equal(m->n_tracks, 2);
    assert_note(&m->tracks[0], 1, 4, 4, 62);
    assert_note(&m->tracks[1], 1, 4, 4, 50);
    musc_music_free(m);
}

static void pickup_measure_keeps_its_length(void **state)
{
    (void)state;
    musc_music *m = read_ok(
        SCORE("<measure implicit=\"yes\" number=\"0\"><attributes><divisions>1</divisions><time>"
              "<beats>4</beats><beat-type>4</beat-type></time></attributes>" NOTE(G, 4, 1)
              "</measure><measure>" NOTE(C, 5, 4) "</measure><measure></measure><measure>"
              NOTE(D, 5, 4) "</measure>"),
        0);
    assert_note(&m->tracks[0], 1, 1, 4, 72);
    assert_note(&m->tracks[0], 2, 9, 4, 74); /* the empty bar lasts its 4/4 */
    musc_music_free(m);
}

static void exploding_divisions_are_rescaled(void **state)
{
    (void)state;
    /* two large primes: their LCM is far over the 2^20 cap */
    const char *xml =
        "<score-partwise><part-list><score-part id=\"A\"/><score-part id=\"B\"/></part-list>"
        "<part id=\"A\"><measure>" ATTR(1048573) NOTE(C, 4, 1048573) "</measure></part>"
        "<part id=\"B\"><measure>" ATTR(1048571) NOTE(E, 4, 524285) "</measure></part>"
        "</score-partwise>";
    musc_music *m = NULL;
    musc_report rep = {0};
    assert_int_equal(read_flags(xml, 0, &m, &rep), MUSC_OK);
    assert_int_equal(rep.n_repairs, 1);
    assert_true(m->resolution <= 1 << 20);
    assert_note(&m->tracks[0], 0, 0, m->resolution, 60);
    assert_true(llabs(m->tracks[1].notes[0].duration - m->resolution / 2) <= 1);
    musc_music_free(m);
    musc_report_clear(&rep);
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    assert_int_equal(musc_musicxml_read_mem((const uint8_t *)xml, strlen(xml), &o, &m, NULL),
                     MUSC_ERR_FORMAT);
}

static void utf16_documents_are_read(void **state)
{
    (void)state;
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><score-partwise><work><work-title>"
        "Caf\xc3\xa9</work-title></work><part-list><score-part id=\"P1\"/></part-list>"
        "<part id=\"P1\"><measure>" ATTR(1) NOTE(E, 4, 4) "</measure></part></score-partwise>";
    /* UTF-8 -> UTF-16LE with a byte-order mark (the text is BMP-only) */
    size_t n = strlen(xml);
    uint8_t *u = malloc(2 * n + 2);
    size_t k = 0;
    u[k++] = 0xFF;
    u[k++] = 0xFE;
    for (size_t i = 0; i < n;) {
        unsigned c = (unsigned char)xml[i];
        if (c >= 0xC0) {
            c = ((c & 0x1F) << 6) | ((unsigned char)xml[i + 1] & 0x3F);
            i += 2;
        } else {
            i++;
        }
        u[k++] = (uint8_t)(c & 0xFF);
        u[k++] = (uint8_t)(c >> 8);
    }
    test_save_seed("musicxml", "utf16.xml", u, k);
    musc_music *m = NULL;
    assert_int_equal(musc_musicxml_read_mem(u, k, NULL, &m, NULL), MUSC_OK);
    assert_string_equal(m->metadata.title, "Caf\xc3\xa9");
    assert_note(&m->tracks[0], 0, 0, 4, 64);
    musc_music_free(m);
    free(u);
}

static void mxl_archive_via_container(void **state)
{
    (void)state;
    const char *score = SCORE("<measure>" ATTR(1) NOTE(A, 3, 2) NOTE(B, 3, 2) "</measure>");
    const char *container =
        "<?xml version=\"1.0\"?><container><rootfiles><rootfile full-path=\"scores/song.xml\" "
        "media-type=\"application/vnd.recordare.musicxml+xml\"/></rootfiles></container>";
    char *path = test_tmp_path("container-test.mxl");
    remove(path);
    int err = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    zip_source_t *s1 = zip_source_buffer(z, "decoy", 5, 0);
    zip_source_t *s2 = zip_source_buffer(z, container, strlen(container), 0);
    zip_source_t *s3 = zip_source_buffer(z, score, strlen(score), 0);
    assert_true(zip_file_add(z, "aaa.xml", s1, 0) >= 0); /* not the rootfile */
    assert_true(zip_file_add(z, "META-INF/container.xml", s2, 0) >= 0);
    assert_true(zip_file_add(z, "scores/song.xml", s3, 0) >= 0);
    assert_int_equal(zip_close(z), 0);
    musc_music *m = NULL;
    assert_int_equal(musc_read(path, NULL, &m, NULL), MUSC_OK);
    assert_int_equal(m->tracks[0].n_notes, 2);
    assert_note(&m->tracks[0], 1, 2, 2, 59);
    assert_string_equal(m->metadata.source_filename, "container-test.mxl");
    size_t size;
    char *bytes = test_read_file(path, &size);
    test_save_seed("musicxml", "container.mxl", bytes, size);
    free(bytes);
    musc_music_free(m);
    remove(path);
    free(path);
}

static void errors_name_the_line(void **state)
{
    (void)state;
    musc_music *m = NULL;
    assert_int_equal(read_flags("this is not XML", 0, &m, NULL), MUSC_ERR_FORMAT);
    assert_null(m);
    assert_non_null(strstr(musc_errmsg(), "not well-formed"));
    assert_int_equal(read_flags("<score-partwise><part", 0, &m, NULL), MUSC_ERR_FORMAT);
    assert_int_equal(read_flags("<html/>", 0, &m, NULL), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "expected <score-partwise>"));
    /* no divisions anywhere */
    assert_int_equal(read_flags(SCORE("<measure>\n\n" NOTE(C, 4, 1) "</measure>"), 0, &m, NULL),
                     MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "line 4"));
    assert_non_null(strstr(musc_errmsg(), "divisions"));
    /* bad values */
    assert_int_equal(read_flags(SCORE("<measure>" ATTR(0) "</measure>"), 0, &m, NULL),
                     MUSC_ERR_FORMAT);
    assert_int_equal(read_flags(SCORE("<measure>" ATTR(1) NOTE(H, 4, 1) "</measure>"), 0, &m,
                                NULL),
                     MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "<step>"));
    assert_int_equal(read_flags(SCORE("<measure>" ATTR(1) NOTE(C, 4, -1) "</measure>"), 0, &m,
                                NULL),
                     MUSC_ERR_FORMAT);
    assert_int_equal(read_flags(SCORE("<measure>" ATTR(1) NOTE(C, 4, 1e300) "</measure>"), 0, &m,
                                NULL),
                     MUSC_ERR_FORMAT);
    /* a bar of more beats than a time signature holds (found by fuzz_musicxml) */
    assert_int_equal(read_flags(SCORE("<measure><attributes><divisions>1</divisions><time><beats>"
                                      "x323</beats><beat-type>4</beat-type></time></attributes>"
                                      NOTE(C, 4, 1) "</measure>"),
                                0, &m, NULL),
                     MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "255 beats"));
    assert_null(m);
}

static void repairs_are_reported_or_refused_when_strict(void **state)
{
    (void)state;
    const char *xml = SCORE("<measure>" ATTR(1)
                            "<note><pitch><step>C</step><octave>4</octave></pitch>"
                            "<type>half</type></note>"
                            "<backup><duration>9</duration></backup>" NOTE(C, 11, 1) "</measure>");
    musc_music *m = NULL;
    musc_report rep = {0};
    assert_int_equal(read_flags(xml, 0, &m, &rep), MUSC_OK);
    assert_int_equal(rep.n_repairs, 3); /* duration from type, backup clamped, pitch dropped */
    assert_int_equal(m->tracks[0].n_notes, 1);
    assert_note(&m->tracks[0], 0, 0, 2, 60);
    musc_music_free(m);
    musc_report_clear(&rep);
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    assert_int_equal(musc_musicxml_read_mem((const uint8_t *)xml, strlen(xml), &o, &m, NULL),
                     MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "strict"));
}

static void entity_bombs_do_not_expand(void **state)
{
    (void)state;
    const char *bomb =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE score-partwise [\n"
        "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
        "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
        "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
        "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
        "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
        "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
        "<!ENTITY ext SYSTEM \"file:///etc/passwd\">\n"
        "]>\n<score-partwise><work><work-title>&h;&ext;</work-title></work><part-list>"
        "<score-part id=\"P1\"><part-name>&h;</part-name></score-part></part-list>"
        "<part id=\"P1\"><measure>" ATTR(1) NOTE(C, 4, 1) "</measure></part></score-partwise>";
    clock_t t0 = clock();
    musc_music *m = NULL;
    musc_status st = read_flags(bomb, 0, &m, NULL);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_true(secs < 2.0);
    if (st == MUSC_OK) { /* read, but with the references left out */
        assert_true(!m->metadata.title || strlen(m->metadata.title) < 100);
        assert_true(!m->tracks[0].name || strlen(m->tracks[0].name) < 100);
        musc_music_free(m);
    } else {
        assert_int_equal(st, MUSC_ERR_FORMAT);
    }
}

static void deep_nesting_is_refused(void **state)
{
    (void)state;
    size_t depth = 100000;
    char *xml = malloc(depth * 7 + 64);
    size_t k = (size_t)sprintf(xml, "<score-partwise>");
    for (size_t i = 0; i < depth; i++)
        k += (size_t)sprintf(xml + k, "<a>");
    xml[k] = '\0';
    musc_music *m = NULL;
    assert_int_equal(musc_musicxml_read_mem((uint8_t *)xml, k, NULL, &m, NULL), MUSC_ERR_FORMAT);
    free(xml);
}

/* ---- the shared datasets ------------------------------------------------ */

typedef struct tally {
    size_t files, failed, notes, chords, lyrics;
} tally;

static void read_tree(const char *dir, tally *t)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            read_tree(path, t);
            continue;
        }
        musc_format f = musc_format_from_path(path);
        if (f != MUSC_FORMAT_MUSICXML && f != MUSC_FORMAT_MXL)
            continue;
        if (sample_counter++ % SAMPLE)
            continue;
        t->files++;
        musc_music *m = NULL;
        if (musc_read(path, NULL, &m, NULL) != MUSC_OK || musc_music_validate(m) != MUSC_OK) {
            fprintf(stderr, "FAILED %s: %s\n", path, musc_errmsg());
            t->failed++;
        } else {
            t->notes += musc_music_note_count(m);
            for (size_t i = 0; i < m->n_tracks; i++) {
                t->chords += m->tracks[i].n_annotations;
                t->lyrics += m->tracks[i].n_lyrics;
            }
        }
        musc_music_free(m);
    }
    closedir(d);
}

static void every_shared_file_reads(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: every_shared_file_reads needs ../shared/data\n");
        skip();
    }
    const char *sets[] = {"music21_corpus/bach", "openewld", "music21_corpus/beethoven",
                          "music21_corpus/haydn", "music21_corpus/mozart"};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", data, sets[i]);
        tally t = {0};
        read_tree(dir, &t);
        printf("musicxml read %-26s files %4zu failed %zu notes %7zu chord symbols %6zu "
               "lyrics %6zu%s\n",
               sets[i], t.files, t.failed, t.notes, t.chords, t.lyrics,
               SAMPLE > 1 ? " (sampled)" : "");
        assert_int_equal(t.failed, 0);
        if (i < 2)
            assert_true(t.files > 400 / SAMPLE);
    }
}

/* Counts from tests/io/count_notes.py (an independent python xml count of
 * <note> elements that are not rests, grace, cue or tie continuations), in
 * written order. */
static void bach_note_counts_match_an_independent_count(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: bach_note_counts needs ../shared/data\n");
        skip();
    }
    const struct {
        const char *file;
        size_t notes, expanded;
    } C[] = {{"bwv1.6.mxl", 491, 491}, {"bwv9.7.mxl", 214, 293}, {"bwv10.7.mxl", 206, 206},
             {"bwv101.7.mxl", 207, 207}};
    for (size_t i = 0; i < sizeof C / sizeof *C; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/music21_corpus/bach/%s", data, C[i].file);
        musc_read_options o = musc_read_options_default();
        o.flags = MUSC_MUSICXML_WRITTEN_ORDER;
        musc_music *m = NULL;
        assert_int_equal(musc_read(path, &o, &m, NULL), MUSC_OK);
        assert_int_equal(musc_music_note_count(m), C[i].notes);
        musc_music_free(m);
        assert_int_equal(musc_read(path, NULL, &m, NULL), MUSC_OK);
        assert_int_equal(musc_music_note_count(m), C[i].expanded);
        musc_music_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(notes_rests_and_names),
        cmocka_unit_test(chords_and_backup_voices),
        cmocka_unit_test(ties_merge_across_barlines),
        cmocka_unit_test(tie_start_without_stop),
        cmocka_unit_test(tuplets_and_divisions_lcm),
        cmocka_unit_test(grace_skipped_or_kept_and_cue_skipped),
        cmocka_unit_test(ornaments_and_graces_play_as_musescore),
        cmocka_unit_test(graces_after_and_before_dotted_notes_play_as_musescore),
        cmocka_unit_test(graces_inside_ornaments_play_as_musescore),
        cmocka_unit_test(lyric_verses_keep_their_number),
        cmocka_unit_test(transpose_written_to_sounding),
        cmocka_unit_test(repeats_and_voltas_expand),
        cmocka_unit_test(da_capo_al_fine_and_dal_segno_al_coda),
        cmocka_unit_test(harmony_becomes_chord_annotations),
        cmocka_unit_test(lyrics_tempo_key_time_dynamics),
        cmocka_unit_test(parts_programs_and_drums),
        cmocka_unit_test(score_timewise_is_transposed),
        cmocka_unit_test(pickup_measure_keeps_its_length),
        cmocka_unit_test(exploding_divisions_are_rescaled),
        cmocka_unit_test(utf16_documents_are_read),
        cmocka_unit_test(mxl_archive_via_container),
        cmocka_unit_test(errors_name_the_line),
        cmocka_unit_test(repairs_are_reported_or_refused_when_strict),
        cmocka_unit_test(entity_bombs_do_not_expand),
        cmocka_unit_test(deep_nesting_is_refused),
        cmocka_unit_test(every_shared_file_reads),
        cmocka_unit_test(bach_note_counts_match_an_independent_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
