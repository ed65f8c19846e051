/*
 * Framing: the golden frames (path in argv[1]), the line assembler, the writer, the parser's edges, and a
 * fuzz-ish loop of random lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crc16.h"
#include "common/frame.h"
#include "test/check.h"
#include "test/seal.h"

/* ---- helpers ------------------------------------------------------------------------------------------------ */

/* Pushes n bytes through the assembler; returns the last event other than NONE (NONE if there was none). */
static frame_line_event_t push_bytes(frame_lineasm_t *la, const char *bytes, size_t n)
{
    frame_line_event_t last = FRAME_LINE_NONE;
    size_t i;

    for (i = 0; i < n; i++) {
        frame_line_event_t ev = frame_lineasm_push(la, (uint8_t)bytes[i]);
        if (ev != FRAME_LINE_NONE) {
            last = ev;
        }
    }
    return last;
}

/* The verdict the assembler and parser together give for one line sent with "\n". */
static frame_verdict_t verdict_via_assembler(const char *line, size_t len)
{
    frame_lineasm_t la;
    frame_line_event_t ev;
    frame_t f;
    size_t i;

    frame_lineasm_reset(&la);
    for (i = 0; i < len; i++) {
        if (frame_lineasm_push(&la, (uint8_t)line[i]) != FRAME_LINE_NONE) {
            return (frame_verdict_t)99; /* nothing may complete before the '\n' */
        }
    }
    ev = frame_lineasm_push(&la, (uint8_t)'\n');
    if (ev == FRAME_LINE_TOOLONG) {
        return FRAME_E_TOOLONG;
    }
    if (ev != FRAME_LINE_READY) {
        return (frame_verdict_t)98;
    }
    {
        size_t n;
        char *buf = frame_lineasm_line(&la, &n);
        return frame_parse(buf, n, &f);
    }
}

/* ---- golden frames -------------------------------------------------------------------------------------------- */

static void test_golden(const char *path)
{
    char text[1024];
    FILE *fp = fopen(path, "r");
    unsigned long lineno = 0;
    unsigned long cases = 0;
    unsigned long seen[5] = { 0, 0, 0, 0, 0 }; /* ok, E_TOOLONG, E_SYNTAX, E_CRC, ok-noncanonical */

    if (!CHECK(fp != NULL)) {
        fprintf(stderr, "    cannot open golden frames \"%s\"\n", path);
        return;
    }
    while (fgets(text, sizeof text, fp) != NULL) {
        char *tab;
        char *frame;
        size_t len;
        int noncanonical = 0;
        frame_verdict_t want;
        frame_verdict_t got;
        char work[sizeof text];
        char encoded[FRAME_BUF_SIZE];
        frame_t f;

        lineno++;
        len = strlen(text);
        if (len == 0u || text[len - 1u] != '\n') {
            CHECK(feof(fp)); /* only the last line may lack its '\n'; a longer line would not fit text */
        } else {
            text[--len] = '\0';
        }
        if (len == 0u || text[0] == '#') {
            continue;
        }
        tab = strchr(text, '\t');
        if (!CHECK(tab != NULL)) {
            fprintf(stderr, "    %s:%lu: no TAB\n", path, lineno);
            continue;
        }
        *tab = '\0';
        frame = tab + 1;
        len = strlen(frame);
        if (strcmp(text, "ok") == 0) {
            want = FRAME_OK;
        } else if (strcmp(text, "ok-noncanonical") == 0) {
            want = FRAME_OK;
            noncanonical = 1;
        } else if (strcmp(text, "E_TOOLONG") == 0) {
            want = FRAME_E_TOOLONG;
        } else if (strcmp(text, "E_SYNTAX") == 0) {
            want = FRAME_E_SYNTAX;
        } else if (strcmp(text, "E_CRC") == 0) {
            want = FRAME_E_CRC;
        } else {
            CHECK(!"unknown verdict in golden frames");
            fprintf(stderr, "    %s:%lu: verdict \"%s\"\n", path, lineno, text);
            continue;
        }
        cases++;
        seen[noncanonical ? 4 : (int)want]++;

        memcpy(work, frame, len + 1u);
        got = frame_parse(work, len, &f);
        if (!CHECK_STR(frame_verdict_name(got), frame_verdict_name(want))) {
            fprintf(stderr, "    %s:%lu: %s\n", path, lineno, frame);
        }
        if (!CHECK_STR(frame_verdict_name(verdict_via_assembler(frame, len)), frame_verdict_name(want))) {
            fprintf(stderr, "    %s:%lu (through the line assembler): %s\n", path, lineno, frame);
        }
        if (got != FRAME_OK || want != FRAME_OK) {
            continue;
        }

        /* Decode then encode. */
        {
            size_t n = frame_write(&f, encoded, sizeof encoded);
            if (!CHECK(n == len + 1u || noncanonical)) {
                fprintf(stderr, "    %s:%lu: re-encoded to %lu bytes: %s\n", path, lineno, (unsigned long)n, frame);
                continue;
            }
            if (!noncanonical) {
                if (!CHECK(memcmp(encoded, frame, len) == 0 && encoded[len] == '\n')) {
                    fprintf(stderr, "    %s:%lu: re-encoded differently:\n    %s    %s\n", path, lineno, encoded,
                            frame);
                }
            } else {
                /* Not the same bytes (that is what makes it non-canonical), yet the same frame: equal up to the
                 * case of the checksum digits, and itself ok. */
                char again[FRAME_BUF_SIZE];
                frame_t g;
                size_t k;
                int same_but_case = (n == len + 1u) && memcmp(encoded, frame, len - 4u) == 0;
                for (k = len - 4u; same_but_case && k < len; k++) {
                    char a = encoded[k];
                    char b = frame[k];
                    if (b >= 'a' && b <= 'f') {
                        b = (char)(b - 'a' + 'A');
                    }
                    same_but_case = (a == b);
                }
                CHECK(memcmp(encoded, frame, len) != 0);
                if (!CHECK(same_but_case)) {
                    fprintf(stderr, "    %s:%lu: %s re-encoded as %s", path, lineno, frame, encoded);
                }
                memcpy(again, encoded, n + 1u);
                CHECK(frame_parse(again, n - 1u, &g) == FRAME_OK);
            }
        }
    }
    fclose(fp);

    /* A missing or truncated file must not pass as "no failures". */
    CHECK(cases >= 40u);
    CHECK(seen[0] > 0u && seen[1] > 0u && seen[2] > 0u && seen[3] > 0u && seen[4] > 0u);
    printf("golden frames: %lu cases from %s\n", cases, path);
}

/* ---- line assembler ----------------------------------------------------------------------------------------- */

static void test_lineasm(void)
{
    frame_lineasm_t la;
    char big[400];
    size_t n;
    char *line;

    /* One line, byte by byte: nothing until '\n'. */
    frame_lineasm_reset(&la);
    CHECK(push_bytes(&la, "ACK id=2*AC83", 13) == FRAME_LINE_NONE);
    CHECK(frame_lineasm_push(&la, '\n') == FRAME_LINE_READY);
    line = frame_lineasm_line(&la, &n);
    CHECK_EQ_U(n, 13);
    CHECK_STR(line, "ACK id=2*AC83");

    /* CR LF: the CR is dropped. */
    frame_lineasm_reset(&la);
    CHECK(push_bytes(&la, "ACK id=2*AC83\r\n", 15) == FRAME_LINE_READY);
    line = frame_lineasm_line(&la, &n);
    CHECK_EQ_U(n, 13);
    CHECK_STR(line, "ACK id=2*AC83");

    /* A CR not followed by LF is data; CR CR LF keeps the first CR. */
    frame_lineasm_reset(&la);
    CHECK(push_bytes(&la, "a\rb\n", 4) == FRAME_LINE_READY);
    line = frame_lineasm_line(&la, &n);
    CHECK_EQ_U(n, 3);
    CHECK(memcmp(line, "a\rb", 3) == 0);
    CHECK(push_bytes(&la, "x\r\r\n", 4) == FRAME_LINE_READY);
    line = frame_lineasm_line(&la, &n);
    CHECK_EQ_U(n, 2);
    CHECK(memcmp(line, "x\r", 2) == 0);

    /* An empty line is a line (of length 0). */
    frame_lineasm_reset(&la);
    CHECK(frame_lineasm_push(&la, '\n') == FRAME_LINE_READY);
    frame_lineasm_line(&la, &n);
    CHECK_EQ_U(n, 0);
    CHECK(push_bytes(&la, "\r\n", 2) == FRAME_LINE_READY);
    frame_lineasm_line(&la, &n);
    CHECK_EQ_U(n, 0);

    /* NUL bytes are data: the length counts them, the parser rejects them. */
    frame_lineasm_reset(&la);
    CHECK(push_bytes(&la, "AC\0K\0\n", 6) == FRAME_LINE_READY);
    line = frame_lineasm_line(&la, &n);
    CHECK_EQ_U(n, 5);
    CHECK(line[2] == '\0' && line[3] == 'K');

    /* A long run of NULs without '\n' is just a too-long line: it ends at the next '\n'. */
    memset(big, 0, sizeof big);
    frame_lineasm_reset(&la);
    CHECK(push_bytes(&la, big, sizeof big) == FRAME_LINE_NONE);
    CHECK(frame_lineasm_push(&la, '\n') == FRAME_LINE_TOOLONG);

    /* Exactly 160 bytes is a line; 161 is too long, reported once, at its '\n'; the next line is fine. */
    memset(big, 'x', sizeof big);
    frame_lineasm_reset(&la);
    CHECK(push_bytes(&la, big, 160) == FRAME_LINE_NONE);
    CHECK(frame_lineasm_push(&la, '\n') == FRAME_LINE_READY);
    frame_lineasm_line(&la, &n);
    CHECK_EQ_U(n, 160);
    CHECK(push_bytes(&la, big, 161) == FRAME_LINE_NONE);
    CHECK(frame_lineasm_push(&la, '\n') == FRAME_LINE_TOOLONG);
    CHECK(push_bytes(&la, "ACK id=2*AC83\n", 14) == FRAME_LINE_READY);
    line = frame_lineasm_line(&la, &n);
    CHECK_STR(line, "ACK id=2*AC83");

    /* 160 bytes and CR LF: a good line. 160 bytes, CR and more: too long (the CR was data). */
    frame_lineasm_reset(&la);
    CHECK(push_bytes(&la, big, 160) == FRAME_LINE_NONE);
    CHECK(push_bytes(&la, "\r\n", 2) == FRAME_LINE_READY);
    frame_lineasm_line(&la, &n);
    CHECK_EQ_U(n, 160);
    CHECK(push_bytes(&la, big, 160) == FRAME_LINE_NONE);
    CHECK(push_bytes(&la, "\ry\n", 3) == FRAME_LINE_TOOLONG);

    /* A very long line (several buffers' worth) followed by a good line in the same stream. */
    {
        int events_long = 0;
        int events_ready = 0;
        size_t i;
        frame_lineasm_reset(&la);
        for (i = 0; i < 5000u; i++) {
            if (frame_lineasm_push(&la, (uint8_t)('a' + i % 26u)) != FRAME_LINE_NONE) {
                events_long = -100; /* nothing may complete before the '\n' */
            }
        }
        if (frame_lineasm_push(&la, '\n') == FRAME_LINE_TOOLONG) {
            events_long++;
        }
        for (i = 0; i < 14u; i++) {
            if (frame_lineasm_push(&la, (uint8_t)"ACK id=2*AC83\n"[i]) == FRAME_LINE_READY) {
                events_ready++;
            }
        }
        CHECK_EQ_I(events_long, 1);
        CHECK_EQ_I(events_ready, 1);
        line = frame_lineasm_line(&la, &n);
        CHECK_STR(line, "ACK id=2*AC83");
    }

    /* Several lines in one buffer, then a line split across reads. */
    {
        const char *stream = "HELLO id=1 proto=1*7BCF\r\nACK id=2*AC83\nPI";
        size_t i;
        int ready = 0;
        frame_lineasm_reset(&la);
        for (i = 0; i < strlen(stream); i++) {
            if (frame_lineasm_push(&la, (uint8_t)stream[i]) == FRAME_LINE_READY) {
                ready++;
                line = frame_lineasm_line(&la, &n);
                CHECK_STR(line, ready == 1 ? "HELLO id=1 proto=1*7BCF" : "ACK id=2*AC83");
            }
        }
        CHECK_EQ_I(ready, 2);
        CHECK(push_bytes(&la, "NG*6427", 7) == FRAME_LINE_NONE);
        CHECK(frame_lineasm_push(&la, '\n') == FRAME_LINE_READY);
        line = frame_lineasm_line(&la, &n);
        CHECK_STR(line, "PING*6427");
    }
}

/* ---- parser edges ----------------------------------------------------------------------------------------- */

static void test_parser(void)
{
    char buf[256];
    size_t n;
    frame_t f;
    uint32_t v;
    static const char bad_bytes[] = { '\0', '\t', '\r', 0x7F, (char)0x80, (char)0xFF, 0x01 };
    size_t i;

    /* Fields are found by key, in any order, and point into the line. */
    strcpy(buf, "SET on=1 valve=air id=4*08A1");
    CHECK(frame_parse(buf, strlen(buf), &f) == FRAME_OK);
    CHECK_STR(f.type, "SET");
    CHECK_EQ_U(f.nfields, 3);
    CHECK_STR(frame_get(&f, "id"), "4");
    CHECK_STR(frame_get(&f, "valve"), "air");
    CHECK_STR(frame_get(&f, "on"), "1");
    CHECK(frame_get(&f, "proto") == NULL);

    /* Every non-printable byte in a value, with a correct checksum over it, is E_SYNTAX; in the checksum, also. */
    for (i = 0; i < sizeof bad_bytes; i++) {
        char body[16] = "ACK id=2";
        body[6] = bad_bytes[i]; /* "ACK id" + X + "2" */
        n = test_seal(body, 8, buf, sizeof buf);
        CHECK(frame_parse(buf, n, &f) == FRAME_E_SYNTAX);
        n = test_seal("ACK id=2", 8, buf, sizeof buf);
        buf[n - 2u] = bad_bytes[i];
        CHECK(frame_parse(buf, n, &f) == FRAME_E_SYNTAX);
    }
    /* A NUL in the type, with its checksum: E_SYNTAX (lengths, not terminators, bound the line). */
    n = test_seal("AC\0K id=2", 9, buf, sizeof buf);
    CHECK(frame_parse(buf, n, &f) == FRAME_E_SYNTAX);
    /* The same NUL without a matching checksum: E_CRC. */
    memcpy(buf, "AC\0K id=2*AC83", 14);
    CHECK(frame_parse(buf, 14, &f) == FRAME_E_CRC);

    /* A rejected frame leaves an empty frame. */
    strcpy(buf, "SET id=2 valve=n2 valve=air on=1*712F");
    CHECK(frame_parse(buf, strlen(buf), &f) == FRAME_E_SYNTAX);
    CHECK_EQ_U(f.nfields, 0);
    CHECK_STR(f.type, "");

    /* Too short for a tail at all. */
    CHECK(frame_parse(buf, 0, &f) == FRAME_E_SYNTAX);
    strcpy(buf, "*FFF");
    CHECK(frame_parse(buf, 4, &f) == FRAME_E_SYNTAX);

    /* Numbers as PROTOCOL.md writes them. */
    CHECK(frame_parse_u32("0", &v) && v == 0u);
    CHECK(frame_parse_u32("42", &v) && v == 42u);
    CHECK(frame_parse_u32("4294967295", &v) && v == 4294967295u);
    CHECK(!frame_parse_u32("4294967296", &v));
    CHECK(!frame_parse_u32("99999999999", &v));
    CHECK(!frame_parse_u32("01", &v));
    CHECK(!frame_parse_u32("", &v));
    CHECK(!frame_parse_u32("-1", &v));
    CHECK(!frame_parse_u32("+1", &v));
    CHECK(!frame_parse_u32("1a", &v));
    CHECK(!frame_parse_u32(NULL, &v));
}

/* Parses body (a frame without its "*CCCC") after adding its checksum; 1 when it is FRAME_OK. */
static int parse_with_crc(char *buf, frame_t *f)
{
    size_t n = test_seal(buf, strlen(buf), buf, FRAME_BUF_SIZE);

    return frame_parse(buf, n, f) == FRAME_OK;
}
/* ---- command helpers: fixed-point values and key checks ------------------------------------------------------ */

static void test_command_helpers(void)
{
    static const char *const allowed[] = { "id", "on", NULL };
    char buf[FRAME_BUF_SIZE];
    frame_t f;
    int32_t v = 7;

    /* Signed, up to 9 digits (CAL's ref). */
    CHECK(frame_parse_fixed("20.95", 2u, 9u, 1, &v) && v == 2095);
    CHECK(frame_parse_fixed("5", 3u, 9u, 1, &v) && v == 5000);
    CHECK(frame_parse_fixed("-0.5", 2u, 9u, 1, &v) && v == -50);
    CHECK(frame_parse_fixed("0.040", 3u, 9u, 1, &v) && v == 40);
    CHECK(frame_parse_fixed("1234567.89", 2u, 9u, 1, &v) && v == 123456789);
    CHECK(!frame_parse_fixed("1.001", 2u, 9u, 1, &v));      /* more decimals than the unit has */
    CHECK(!frame_parse_fixed("5.", 2u, 9u, 1, &v));
    CHECK(!frame_parse_fixed(".5", 2u, 9u, 1, &v));
    CHECK(!frame_parse_fixed("1.2.3", 2u, 9u, 1, &v));
    CHECK(!frame_parse_fixed("-", 2u, 9u, 1, &v));
    CHECK(!frame_parse_fixed("+1", 2u, 9u, 1, &v));
    CHECK(!frame_parse_fixed("abc", 2u, 9u, 1, &v));
    CHECK(!frame_parse_fixed("", 2u, 9u, 1, &v));
    CHECK(!frame_parse_fixed(NULL, 2u, 9u, 1, &v));
    CHECK(!frame_parse_fixed("1234567890", 0u, 9u, 1, &v)); /* ten digits */
    CHECK(!frame_parse_fixed("999999999", 3u, 9u, 1, &v));  /* its scaling would not fit */
    CHECK(frame_parse_fixed("1", 2u, 20u, 1, &v) && v == 100);
    CHECK(!frame_parse_fixed("1234567890", 0u, 20u, 1, &v)); /* max_digits is capped at 9, not trusted */
    /* Unsigned, up to 8 digits (SETPT's values). */
    CHECK(frame_parse_fixed("1.5", 2u, 8u, 0, &v) && v == 150);
    CHECK(!frame_parse_fixed("-1.5", 2u, 8u, 0, &v));
    CHECK(!frame_parse_fixed("123456789", 0u, 8u, 0, &v));
    CHECK(frame_parse_fixed("12345678", 0u, 8u, 0, &v) && v == 12345678);
    CHECK_EQ_I(v, 12345678); /* a failed parse leaves *out alone */
    CHECK(!frame_parse_fixed("1x", 0u, 8u, 0, &v));
    CHECK_EQ_I(v, 12345678);

    strcpy(buf, "LOOP id=1 on=1");
    CHECK(parse_with_crc(buf, &f));
    CHECK(frame_only_keys(&f, allowed));
    strcpy(buf, "LOOP id=1 on=1 fan=1");
    CHECK(parse_with_crc(buf, &f));
    CHECK(!frame_only_keys(&f, allowed));
    strcpy(buf, "LOOP");
    CHECK(parse_with_crc(buf, &f));
    CHECK(frame_only_keys(&f, allowed)); /* no fields: nothing unknown */
}

/* ---- writer ------------------------------------------------------------------------------------------------ */

static void test_writer(void)
{
    char buf[FRAME_BUF_SIZE];
    char small[16];
    frame_writer_t w;
    size_t n;
    int i;

    frame_writer_begin(&w, buf, sizeof buf, "RD");
    frame_writer_u32(&w, "seq", 1);
    frame_writer_u32(&w, "t", 6000);
    frame_writer_fixed(&w, "o2", 2090, 2);
    frame_writer_fixed(&w, "co2", 40, 3);
    frame_writer_fixed(&w, "temp", 150, 2);
    n = frame_writer_end(&w);
    CHECK_STR(buf, "RD seq=1 t=6000 o2=20.90 co2=0.040 temp=1.50*16E3\n");
    CHECK_EQ_U(n, strlen(buf));

    /* Fixed-point formatting: signs, zeros, extremes. */
    {
        static const struct {
            int32_t value;
            uint8_t decimals;
            const char *text;
        } cases[] = {
            { 0, 2, "0.00" },          { 5, 2, "0.05" },         { -50, 2, "-0.50" },
            { -1, 3, "-0.001" },       { 2090, 2, "20.90" },     { 40, 3, "0.040" },
            { 12345, 0, "12345" },     { -7, 0, "-7" },          { 2147483647, 2, "21474836.47" },
            { (-2147483647 - 1), 3, "-2147483.648" },
        };
        size_t k;
        for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            char expect[64];
            frame_writer_begin(&w, buf, sizeof buf, "XX");
            frame_writer_fixed(&w, "v", cases[k].value, cases[k].decimals);
            n = frame_writer_end(&w);
            sprintf(expect, "XX v=%s*", cases[k].text);
            CHECK(n > 0u);
            if (!CHECK(strncmp(buf, expect, strlen(expect)) == 0)) {
                fprintf(stderr, "    got %s    want %s...\n", buf, expect);
            }
        }
    }
    frame_writer_begin(&w, buf, sizeof buf, "XX");
    frame_writer_fixed(&w, "v", 1, 10);
    CHECK_EQ_U(frame_writer_end(&w), 0);

    frame_writer_begin(&w, buf, sizeof buf, "XX");
    frame_writer_u32(&w, "v", 4294967295u);
    CHECK(frame_writer_end(&w) > 0u);
    CHECK(strncmp(buf, "XX v=4294967295*", 16) == 0);

    /* Grammar violations make the whole frame fail. */
    frame_writer_begin(&w, buf, sizeof buf, "Xx");
    CHECK_EQ_U(frame_writer_end(&w), 0);
    frame_writer_begin(&w, buf, sizeof buf, "X");
    CHECK_EQ_U(frame_writer_end(&w), 0);
    frame_writer_begin(&w, buf, sizeof buf, "ABCDEFGHI");
    CHECK_EQ_U(frame_writer_end(&w), 0);
    frame_writer_begin(&w, buf, sizeof buf, "ABCDEFGH");
    CHECK(frame_writer_end(&w) > 0u);
    frame_writer_begin(&w, buf, sizeof buf, "XX");
    frame_writer_str(&w, "Key", "v");
    CHECK_EQ_U(frame_writer_end(&w), 0);
    frame_writer_begin(&w, buf, sizeof buf, "XX");
    frame_writer_str(&w, "sample_count1", "v");
    CHECK_EQ_U(frame_writer_end(&w), 0);
    frame_writer_begin(&w, buf, sizeof buf, "XX");
    frame_writer_str(&w, "k", "a b");
    CHECK_EQ_U(frame_writer_end(&w), 0);
    frame_writer_begin(&w, buf, sizeof buf, "XX");
    frame_writer_str(&w, "k", "");
    CHECK_EQ_U(frame_writer_end(&w), 0);
    frame_writer_begin(&w, buf, sizeof buf, "XX");
    frame_writer_str(&w, "k", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); /* 65 */
    CHECK_EQ_U(frame_writer_end(&w), 0);
    frame_writer_begin(&w, buf, sizeof buf, "XX");
    frame_writer_str(&w, "k", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); /* 64 */
    CHECK(frame_writer_end(&w) > 0u);

    /* 16 fields fit, 17 do not. */
    frame_writer_begin(&w, buf, sizeof buf, "XX");
    for (i = 0; i < 16; i++) {
        char key[4] = { 'f', (char)('a' + i), '\0', '\0' };
        frame_writer_str(&w, key, "1");
    }
    CHECK(frame_writer_end(&w) > 0u);
    frame_writer_begin(&w, buf, sizeof buf, "XX");
    for (i = 0; i < 17; i++) {
        char key[4] = { 'f', (char)('a' + i), '\0', '\0' };
        frame_writer_str(&w, key, "1");
    }
    CHECK_EQ_U(frame_writer_end(&w), 0);

    /* The line limit: 160 bytes fit exactly, one more does not, even in a big buffer. */
    {
        char huge[512];
        frame_writer_begin(&w, huge, sizeof huge, "XX");
        for (i = 0; i < 4; i++) {
            char key[4] = { 'k', (char)('a' + i), '\0', '\0' };
            frame_writer_str(&w, key, "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"); /* 4 x 36 = 144, body 146 */
        }
        frame_writer_str(&w, "z", "123456"); /* " z=123456": body 155, + "*CCCC" = 160 */
        n = frame_writer_end(&w);
        CHECK_EQ_U(n, 161u);
        frame_writer_begin(&w, huge, sizeof huge, "XX");
        for (i = 0; i < 4; i++) {
            char key[4] = { 'k', (char)('a' + i), '\0', '\0' };
            frame_writer_str(&w, key, "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv");
        }
        frame_writer_str(&w, "z", "1234567");
        CHECK_EQ_U(frame_writer_end(&w), 0);
    }

    /* A small buffer is never overrun: the writer fails instead. */
    memset(small, '#', sizeof small);
    frame_writer_begin(&w, small, 12, "ACK");
    frame_writer_u32(&w, "id", 2); /* "ACK id=2*AC83\n" needs 15 with the NUL */
    CHECK_EQ_U(frame_writer_end(&w), 0);
    CHECK(small[12] == '#' && small[15] == '#');
    frame_writer_begin(&w, small, 15, "ACK");
    frame_writer_u32(&w, "id", 2);
    CHECK_EQ_U(frame_writer_end(&w), 14);
    CHECK_STR(small, "ACK id=2*AC83\n");
    frame_writer_begin(&w, NULL, 0, "ACK");
    CHECK_EQ_U(frame_writer_end(&w), 0);
}

/* ---- fuzz-ish ----------------------------------------------------------------------------------------------- */

static uint32_t rng_state = 0xC0FFEEu; /* fixed seed: the same 20,000 lines every run */

static uint32_t rng(void)
{
    /* xorshift32 */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_fuzz(void)
{
    static const char *const seeds[] = {
        "HELLO id=1 proto=1*7BCF", "RD seq=1 t=6000 o2=20.90 co2=0.040 temp=1.50*16E3",
        "SET id=2 valve=n2 on=1*DA3A", "ACK id=2*AC83", "PING*6427", "ERR code=E_SYNTAX*451E",
    };
    frame_lineasm_t la;
    unsigned long lines = 0;
    unsigned long verdicts[4] = { 0, 0, 0, 0 };
    unsigned long bad_invariants = 0;
    int i;

    frame_lineasm_reset(&la);
    for (i = 0; i < 20000; i++) {
        char line[256];
        size_t len = 0;
        size_t k;
        uint32_t kind = rng() % 4u;

        if (kind == 0u) {
            /* Random bytes of any value, any length up to 220 (lines longer than 160 included). */
            len = rng() % 221u;
            for (k = 0; k < len; k++) {
                line[k] = (char)(rng() & 0xFFu);
            }
        } else {
            /* A good frame, mutated: flips, insertions, deletions; sometimes resealed so that it gets past the
             * checksum and exercises the grammar. */
            const char *s = seeds[rng() % (sizeof seeds / sizeof seeds[0])];
            uint32_t edits = rng() % 4u;
            len = strlen(s);
            memcpy(line, s, len);
            while (edits-- > 0u && len > 0u) {
                size_t at = rng() % len;
                uint32_t op = rng() % 3u;
                char c = (char)(kind == 3u ? (rng() & 0xFFu) : (0x20u + rng() % 0x5Fu));
                if (op == 0u) {
                    line[at] = c;
                } else if (op == 1u && len < 200u) {
                    memmove(&line[at + 1u], &line[at], len - at);
                    line[at] = c;
                    len++;
                } else {
                    memmove(&line[at], &line[at + 1u], len - at - 1u);
                    len--;
                }
            }
            if (kind == 2u && len > 5u) {
                char sealed[sizeof line];
                size_t m = test_seal(line, len - 5u, sealed, sizeof sealed); /* replace the old tail */
                if (m > 0u) {
                    memcpy(line, sealed, m);
                    len = m;
                }
            }
        }
        /* '\n' inside the random bytes makes several lines: that is fine, each gets a verdict. */
        for (k = 0; k <= len; k++) {
            uint8_t byte = (k == len) ? (uint8_t)'\n' : (uint8_t)line[k];
            frame_line_event_t ev = frame_lineasm_push(&la, byte);
            if (ev == FRAME_LINE_TOOLONG) {
                lines++;
                verdicts[FRAME_E_TOOLONG]++;
            } else if (ev == FRAME_LINE_READY) {
                size_t n;
                char *got = frame_lineasm_line(&la, &n);
                frame_t f;
                frame_verdict_t v;
                lines++;
                if (n > FRAME_LINE_MAX) {
                    bad_invariants++;
                }
                v = frame_parse(got, n, &f);
                if ((unsigned)v > (unsigned)FRAME_E_CRC) {
                    bad_invariants++;
                    continue;
                }
                verdicts[v]++;
                if (v == FRAME_OK) {
                    /* Whatever was accepted re-encodes to a frame that is accepted again. */
                    char enc[FRAME_BUF_SIZE];
                    frame_t g;
                    size_t m = frame_write(&f, enc, sizeof enc);
                    if (m == 0u || frame_parse(enc, m - 1u, &g) != FRAME_OK || g.nfields != f.nfields) {
                        bad_invariants++;
                    }
                }
            }
        }
    }
    CHECK_EQ_U(bad_invariants, 0);
    CHECK(lines >= 20000u);
    /* The mix reaches every verdict, so the loop exercises every path. */
    CHECK(verdicts[FRAME_OK] > 0u && verdicts[FRAME_E_TOOLONG] > 0u && verdicts[FRAME_E_SYNTAX] > 0u &&
          verdicts[FRAME_E_CRC] > 0u);
    printf("fuzz: %lu lines: %lu ok, %lu E_TOOLONG, %lu E_SYNTAX, %lu E_CRC\n", lines, verdicts[FRAME_OK],
           verdicts[FRAME_E_TOOLONG], verdicts[FRAME_E_SYNTAX], verdicts[FRAME_E_CRC]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_frame GOLDEN-FRAMES-FILE\n");
        CHECK(!"golden frames file not given");
    } else {
        test_golden(argv[1]);
    }
    test_lineasm();
    test_parser();
    test_command_helpers();
    test_writer();
    test_fuzz();
    return check_done();
}
