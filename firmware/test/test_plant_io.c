/*
 * The host tooling the host target and the simavr harness share: the plant link's ends (T lines into a clock,
 * outputs as O and M lines on stdout) and the EEPROM file (size, erased bytes, the reset-cause byte).
 */
#define _XOPEN_SOURCE 700 /* mkstemp, pread, pwrite, dup */

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "targets/host/eeprom_file.h"
#include "targets/host/plant_io.h"
#include "test/check.h"

static unsigned logged;

static void count_log(const char *fmt, ...)
{
    (void)fmt;
    logged++;
}

static void feed(plant_clock_t *c, const char *s)
{
    plant_clock_feed(c, (const uint8_t *)s, strlen(s));
}

static void test_clock(void)
{
    plant_clock_t c;
    char longline[300];
    unsigned i;

    plant_clock_init(&c, count_log);
    CHECK_EQ_U(c.ms, 0u);
    feed(&c, "T 1000\n");
    CHECK_EQ_U(c.ms, 1000u);
    feed(&c, "T 15");
    CHECK_EQ_U(c.ms, 1000u); /* not a line yet */
    feed(&c, "00\r\n");
    CHECK_EQ_U(c.ms, 1500u);
    feed(&c, "T 900\n"); /* from the past: ignored, not malformed */
    CHECK_EQ_U(c.ms, 1500u);
    CHECK_EQ_U(c.bad_lines, 0u);
    feed(&c, "T 2000000000\nT 4000000000\nT 4294967295\n");
    CHECK_EQ_U(c.ms, 4294967295u);
    feed(&c, "T 5\n"); /* across the wrap: forward */
    CHECK_EQ_U(c.ms, 5u);
    CHECK_EQ_U(c.lines, 7u);

    logged = 0;
    for (i = 0; i < 7u; i++) {
        feed(&c, "X 1\n");
    }
    CHECK_EQ_U(c.bad_lines, 7u);
    CHECK_EQ_U(logged, PLANT_CLOCK_LOG_MAX); /* logged one by one, then quiet */
    memset(longline, '1', sizeof longline);
    longline[0] = 'T';
    longline[1] = ' ';
    longline[sizeof longline - 1u] = '\n';
    plant_clock_feed(&c, (const uint8_t *)longline, sizeof longline);
    CHECK_EQ_U(c.bad_lines, 8u);
    CHECK_EQ_U(c.ms, 5u);
    feed(&c, "T 6\n"); /* the assembler is not stuck after a long line */
    CHECK_EQ_U(c.ms, 6u);
}

/* Runs fn with stdout going to a file and returns what it wrote (NUL-terminated, at most cap - 1 bytes). */
static void capture_stdout(void (*fn)(plant_outputs_t *), plant_outputs_t *o, char *out, size_t cap)
{
    char path[] = "/tmp/cb-plant-io-XXXXXX";
    int fd = mkstemp(path);
    int saved;
    ssize_t n;

    CHECK(fd >= 0);
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    fn(o);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    n = pread(fd, out, cap - 1u, 0);
    out[n > 0 ? (size_t)n : 0u] = '\0';
    close(fd);
    unlink(path);
}

static void announce(plant_outputs_t *o)
{
    plant_outputs_announce(o);
}

static void switch_outputs(plant_outputs_t *o)
{
    plant_outputs_set(o, 3u, 1u); /* cell 1's sample valve: M */
    plant_outputs_set(o, 3u, 1u); /* no change: nothing */
    plant_outputs_set(o, 4u, 1u); /* cell 2's n2: O */
    plant_outputs_set(o, 3u, 0u); /* break before make */
    plant_outputs_set(o, 7u, 1u); /* cell 2's sample valve */
    plant_outputs_set(o, 8u, 1u); /* past the cells: ignored */
}

static void test_outputs(void)
{
    static const char *const names[3] = { "n2", "air", "scrub" };
    static const char *const pu_names[3] = { "n2", "air", "fan" };
    plant_outputs_t o;
    char text[512];

    CHECK(plant_outputs_init(&o, names, 3u, 4u, 3u, 9u) != 0); /* over PLANT_IO_CELLS_MAX */
    CHECK(plant_outputs_init(&o, names, 5u, 4u, 3u, 1u) != 0); /* more kinds than outputs per cell */
    CHECK(plant_outputs_init(&o, names, 3u, 4u, 3u, 2u) == 0);
    capture_stdout(announce, &o, text, sizeof text);
    CHECK_STR(text, "O n2=00 air=00 scrub=00\nM sample=0\n");
    capture_stdout(switch_outputs, &o, text, sizeof text);
    CHECK_STR(text, "M sample=1\nO n2=01 air=00 scrub=00\nM sample=0\nM sample=2\n");

    CHECK(plant_outputs_init(&o, pu_names, 3u, 3u, 0xFFu, 1u) == 0); /* no manifold: no M line */
    capture_stdout(announce, &o, text, sizeof text);
    CHECK_STR(text, "O n2=0 air=0 fan=0\n");
}

static void test_eeprom_file(void)
{
    char path[] = "/tmp/cb-eeprom-XXXXXX";
    int fd = mkstemp(path);
    uint8_t b[EEPROM_FILE_BYTES + 1u];
    struct stat st;
    unsigned i;
    int all_erased = 1;

    CHECK(fd >= 0);
    CHECK(write(fd, "\x01\x02", 2) == 2); /* a short file: its bytes are kept, the rest erased */
    close(fd);
    fd = eeprom_file_open(path, count_log);
    CHECK(fd >= 0);
    CHECK(fstat(fd, &st) == 0);
    CHECK_EQ_U(st.st_size, EEPROM_FILE_BYTES + 1u);
    CHECK(pread(fd, b, sizeof b, 0) == (ssize_t)sizeof b);
    CHECK_EQ_U(b[0], 1u);
    CHECK_EQ_U(b[1], 2u);
    for (i = 2; i < sizeof b; i++) {
        all_erased = all_erased && b[i] == 0xFFu;
    }
    CHECK(all_erased);
    CHECK(!eeprom_file_take_watchdog_cause(fd, path, count_log));
    b[0] = EEPROM_FILE_CAUSE_WATCHDOG;
    CHECK(pwrite(fd, b, 1, EEPROM_FILE_CAUSE_OFFSET) == 1);
    CHECK(eeprom_file_take_watchdog_cause(fd, path, count_log));
    CHECK(!eeprom_file_take_watchdog_cause(fd, path, count_log)); /* cleared once read */
    close(fd);

    fd = eeprom_file_open(path, count_log); /* a full file is left as it is */
    CHECK(fd >= 0);
    CHECK(pread(fd, b, 2, 0) == 2 && b[0] == 1u && b[1] == 2u);
    close(fd);
    unlink(path);

    logged = 0;
    CHECK(eeprom_file_open("/nonexistent-dir/cb.eeprom", count_log) < 0);
    CHECK_EQ_U(logged, 1u); /* says why */
}

int main(void)
{
    test_clock();
    test_outputs();
    test_eeprom_file();
    return check_done();
}
