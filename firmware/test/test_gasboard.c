/*
 * gasboard board logic against the fake HAL: handshake, commands, refusals, streaming with a fake clock,
 * staleness, the host going away, a link that drops.
 */
#include <stdio.h>
#include <string.h>

#include "common/crc16.h"
#include "common/frame.h"
#include "gasboard/gasboard.h"
#include "test/check.h"
#include "test/fake_hal.h"

static gasboard_t board;

/* body + "*CCCC" (upper case), in a static buffer. */
static const char *sealed(const char *body)
{
    static char line[512];
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(body);
    uint16_t crc = crc16(body, n);

    memcpy(line, body, n);
    line[n] = '*';
    line[n + 1u] = hex[(crc >> 12) & 0xFu];
    line[n + 2u] = hex[(crc >> 8) & 0xFu];
    line[n + 3u] = hex[(crc >> 4) & 0xFu];
    line[n + 4u] = hex[crc & 0xFu];
    line[n + 5u] = '\0';
    return line;
}

/* Polls until the board has read everything sent (it reads a bounded number of bytes per poll). */
static void poll_all(void)
{
    int polls = 0;

    do {
        gasboard_poll(&board);
    } while (fake_rx_pending() > 0u && ++polls < 1000);
}

/* Sends a frame (body sealed, '\n' added) and polls until it is read. */
static void send(const char *body)
{
    fake_host_send(sealed(body));
    fake_host_send("\n");
    poll_all();
}

/* The board's next line must be the sealed body. */
#define EXPECT(body) expect_line((body), __FILE__, __LINE__)
static void expect_line(const char *body, const char *file, int line)
{
    const char *got = fake_host_next_line();
    char want[512];

    strcpy(want, sealed(body));
    check_str(got, want, file, line, body);
}

/* The board must have written nothing more. */
#define EXPECT_SILENCE() expect_silence(__FILE__, __LINE__)
static void expect_silence(const char *file, int line)
{
    const char *got = fake_host_next_line();

    if (!check_report(got == NULL && fake_tx_pending() == 0u, file, line, "board stays silent")) {
        fprintf(stderr, "    got \"%s\"\n", got ? got : "(a partial line)");
    }
}

static void power_up(void)
{
    gasboard_config_t cfg = gasboard_config_default();

    fake_reset();
    gasboard_init(&board, &cfg);
}

static void hello(uint32_t id)
{
    char body[64];

    sprintf(body, "HELLO id=%lu proto=1", (unsigned long)id);
    send(body);
    CHECK(fake_host_next_line() != NULL);
}

/* ---- tests ------------------------------------------------------------------------------------------------- */

static void test_power_up(void)
{
    power_up();
    CHECK_EQ_U(fake_output(GB_OUT_N2), 0);
    CHECK_EQ_U(fake_output_calls(GB_OUT_N2), 1); /* driven off at init, whatever the pins did */
    CHECK_EQ_U(fake_output_calls(GB_OUT_AIR), 1);
    CHECK_EQ_U(fake_output_calls(GB_OUT_SCRUB), 1);
    fake_advance(10000);
    gasboard_poll(&board);
    EXPECT_SILENCE(); /* no streaming before a HELLO */
    CHECK_EQ_U(gasboard_idle_ms(&board), 1000);
}

static void test_state_before_hello(void)
{
    power_up();
    send("SET id=1 valve=n2 on=1");
    EXPECT("NAK id=1 code=E_STATE");
    CHECK_EQ_U(fake_output(GB_OUT_N2), 0);
    CHECK_EQ_U(fake_output_calls(GB_OUT_N2), 1);
    /* Unknown types are unknown before a HELLO too. */
    send("PING id=2");
    EXPECT("NAK id=2 code=E_UNKNOWN");
    /* A refused HELLO does not open the session. */
    send("HELLO id=3 proto=2");
    EXPECT("NAK id=3 code=E_PROTO");
    send("SET id=4 valve=n2 on=1");
    EXPECT("NAK id=4 code=E_STATE");
    EXPECT_SILENCE();
}

static void test_hello(void)
{
    power_up();
    fake_set_time(5230);
    send("HELLO id=1 proto=1");
    EXPECT("ID id=1 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=" GB_CAPS " t=5230");
    EXPECT_SILENCE();

    /* Another serial number from the config. */
    {
        gasboard_config_t cfg = gasboard_config_default();
        cfg.sn = "GB-0042";
        fake_reset();
        gasboard_init(&board, &cfg);
        send("HELLO id=4294967295 proto=1");
        EXPECT("ID id=4294967295 kind=gasboard fw=0.1.0 sn=GB-0042 proto=1 caps=" GB_CAPS " t=0");
    }

    /* Field order is free for a receiver. */
    power_up();
    send("HELLO proto=1 id=9");
    EXPECT("ID id=9 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=" GB_CAPS " t=0");

    /* Refusals. */
    send("HELLO id=2 proto=2");
    EXPECT("NAK id=2 code=E_PROTO");
    send("HELLO id=3 proto=0");
    EXPECT("NAK id=3 code=E_PROTO");
    send("HELLO id=4");
    EXPECT("NAK id=4 code=E_ARG");
    send("HELLO id=5 proto=one");
    EXPECT("NAK id=5 code=E_ARG");
    send("HELLO id=6 proto=01");
    EXPECT("NAK id=6 code=E_ARG");
    send("HELLO id=7 proto=1 speed=9600");
    EXPECT("NAK id=7 code=E_ARG");
    EXPECT_SILENCE();
}

static void test_set(void)
{
    power_up();
    hello(1);

    send("SET id=2 valve=n2 on=1");
    EXPECT("ACK id=2");
    CHECK_EQ_U(fake_output(GB_OUT_N2), 1);
    CHECK_EQ_U(fake_output(GB_OUT_AIR), 0);
    send("SET id=3 valve=scrub on=1");
    EXPECT("ACK id=3");
    CHECK_EQ_U(fake_output(GB_OUT_SCRUB), 1);
    send("SET on=1 valve=air id=4");
    EXPECT("ACK id=4");
    CHECK_EQ_U(fake_output(GB_OUT_AIR), 1);
    send("SET id=5 valve=n2 on=0");
    EXPECT("ACK id=5");
    CHECK_EQ_U(fake_output(GB_OUT_N2), 0);
    /* Setting the state an output already has is still a command executed. */
    send("SET id=6 valve=n2 on=0");
    EXPECT("ACK id=6");
    CHECK_EQ_U(board.outputs[GB_OUT_AIR], 1);

    /* Bad arguments: nothing changes. */
    {
        static const char *const bad[] = {
            "SET id=10 valve=co2 on=1", /* not a valve */
            "SET id=10 valve=N2 on=1",  /* names are lower case */
            "SET id=10 valve=n2 on=2",  /* not a boolean */
            "SET id=10 valve=n2 on=01",
            "SET id=10 valve=n2 on=true",
            "SET id=10 valve=n2",       /* on missing */
            "SET id=10 on=1",           /* valve missing */
            "SET id=10 valve=n2 on=1 pulse=5", /* a field SET does not have */
        };
        size_t i;
        unsigned calls = fake_output_calls(GB_OUT_N2);
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            send(bad[i]);
            EXPECT("NAK id=10 code=E_ARG");
        }
        CHECK_EQ_U(fake_output(GB_OUT_N2), 0);
        CHECK_EQ_U(fake_output_calls(GB_OUT_N2), calls);
    }
    EXPECT_SILENCE();
}

static void test_unknown_and_no_id(void)
{
    power_up();
    hello(1);

    send("PING id=5");
    EXPECT("NAK id=5 code=E_UNKNOWN");
    send("STATUS id=6");
    EXPECT("NAK id=6 code=E_UNKNOWN");

    /* Valid frames without a usable id: ERR E_SYNTAX. */
    send("PING");
    EXPECT("ERR code=E_SYNTAX");
    send("SET valve=n2 on=1");
    EXPECT("ERR code=E_SYNTAX");
    send("SET id=0 valve=n2 on=1");
    EXPECT("ERR code=E_SYNTAX");
    send("SET id=abc valve=n2 on=1");
    EXPECT("ERR code=E_SYNTAX");
    send("SET id=4294967296 valve=n2 on=1");
    EXPECT("ERR code=E_SYNTAX");
    send("SET id=01 valve=n2 on=1");
    EXPECT("ERR code=E_SYNTAX");
    send("HELLO proto=1");
    EXPECT("ERR code=E_SYNTAX");
    CHECK_EQ_U(fake_output(GB_OUT_N2), 0);
    CHECK_EQ_U(board.counters.rx_no_id, 7);
    CHECK_EQ_U(board.counters.rx_bad_syntax, 0); /* the frames were valid */
    EXPECT_SILENCE();
}

static void test_rejected_lines(void)
{
    char big[300];

    power_up();
    hello(1);

    fake_host_send("SET id=2 valve=n2 on=1*0000\n");
    gasboard_poll(&board);
    EXPECT("ERR code=E_CRC");
    fake_host_send("SET id=2 valve=n2 on=1\n");
    gasboard_poll(&board);
    EXPECT("ERR code=E_SYNTAX");
    send("SET id=2 valve=n2 valve=air on=1"); /* duplicate key, correct checksum */
    EXPECT("ERR code=E_SYNTAX");
    fake_host_send("garbage\n");
    gasboard_poll(&board);
    EXPECT("ERR code=E_SYNTAX");
    fake_host_send("\n"); /* an empty line is a line without a checksum */
    gasboard_poll(&board);
    EXPECT("ERR code=E_SYNTAX");
    memset(big, 'x', sizeof big);
    fake_host_send_bytes(big, sizeof big);
    fake_host_send("\n");
    poll_all();
    EXPECT("ERR code=E_TOOLONG");
    fake_host_send_bytes("\0\0\0\n", 4);
    gasboard_poll(&board);
    EXPECT("ERR code=E_SYNTAX");
    CHECK_EQ_U(fake_output(GB_OUT_N2), 0);

    /* Still alive: a good command after all that. */
    send("SET id=3 valve=n2 on=1");
    EXPECT("ACK id=3");
    EXPECT_SILENCE();

    CHECK_EQ_U(board.counters.rx_bad_crc, 1);
    CHECK_EQ_U(board.counters.rx_bad_syntax, 5);
    CHECK_EQ_U(board.counters.rx_too_long, 1);
    CHECK_EQ_U(board.counters.rx_ok, 2); /* the HELLO and the last SET */
}

static void test_board_frames_ignored(void)
{
    power_up();
    hello(1);

    send("ACK id=2");
    send("NAK id=3 code=E_ARG");
    send("ID id=1 kind=gasboard fw=0.1.0 sn=GB-0002 proto=1 caps=o2 t=5");
    send("ERR code=E_CRC");
    send("RD seq=1 t=6000 o2=20.90 co2=0.040 temp=1.50");
    send("ERR"); /* even without the fields it would have */
    EXPECT_SILENCE();
    CHECK_EQ_U(board.counters.rx_ignored, 6);
    CHECK_EQ_U(board.counters.rx_ok, 7);
}

static void test_input_shapes(void)
{
    power_up();
    /* CR LF, and a frame arriving one byte per poll: nothing happens until its '\n'. */
    {
        char line[64];
        size_t i;
        size_t n;
        int early = 0;
        strcpy(line, sealed("HELLO id=1 proto=1"));
        strcat(line, "\r\n");
        n = strlen(line);
        for (i = 0; i < n; i++) {
            fake_host_send_bytes(&line[i], 1);
            gasboard_poll(&board);
            if (i + 1u < n && fake_tx_pending() != 0u) {
                early = 1;
            }
        }
        CHECK(!early);
    }
    EXPECT("ID id=1 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=" GB_CAPS " t=0");
    /* Reads that return one byte at a time within a poll. */
    fake_set_read_chunk(1);
    send("PING id=2");
    EXPECT("NAK id=2 code=E_UNKNOWN");
    fake_set_read_chunk(0);

    /* Several commands in one read: answered in order. */
    fake_host_send(sealed("SET id=2 valve=n2 on=1"));
    fake_host_send("\n");
    fake_host_send(sealed("SET id=3 valve=air on=1"));
    fake_host_send("\n");
    fake_host_send(sealed("PING id=4"));
    fake_host_send("\n");
    gasboard_poll(&board);
    EXPECT("ACK id=2");
    EXPECT("ACK id=3");
    EXPECT("NAK id=4 code=E_UNKNOWN");

    /* A lower-case checksum is accepted. */
    fake_host_send("ACK id=2*ac83\n");
    fake_host_send("PING id=5*");
    {
        char tail[8];
        const char *s = sealed("PING id=5");
        size_t n = strlen(s);
        size_t i;
        for (i = 0; i < 4u; i++) {
            char c = s[n - 4u + i];
            tail[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
        }
        tail[4] = '\n';
        tail[5] = '\0';
        fake_host_send(tail);
    }
    gasboard_poll(&board);
    EXPECT("NAK id=5 code=E_UNKNOWN");
    EXPECT_SILENCE();
}

/* Polls at `ms` and expects the RD line that starts with `prefix` (seq and t checked, values not). */
#define EXPECT_RD_AT(ms, prefix) expect_rd_at((ms), (prefix), __FILE__, __LINE__)
static void expect_rd_at(uint32_t ms, const char *prefix, const char *file, int line)
{
    const char *got;

    fake_set_time(ms);
    gasboard_poll(&board);
    got = fake_host_next_line();
    if (!check_report(got != NULL && strncmp(got, prefix, strlen(prefix)) == 0, file, line, prefix)) {
        fprintf(stderr, "    got \"%s\" at %lu ms\n", got ? got : "(nothing)", (unsigned long)ms);
    }
}

static void test_streaming(void)
{
    power_up();
    fake_set_time(10000);
    fake_sensor_set(HAL_SENSOR_O2, 2090);
    fake_sensor_set(HAL_SENSOR_CO2, 40);
    fake_sensor_set(HAL_SENSOR_TEMP, 150);
    fake_set_time(10500);
    hello(1);
    CHECK_EQ_U(gasboard_idle_ms(&board), 1000);

    fake_set_time(11499);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    CHECK_EQ_U(gasboard_idle_ms(&board), 1);

    /* One period after the HELLO: the first RD; its t is when the values were sampled. */
    fake_set_time(11500);
    CHECK_EQ_U(gasboard_idle_ms(&board), 0);
    gasboard_poll(&board);
    EXPECT("RD seq=1 t=10000 o2=20.90 co2=0.040 temp=1.50");
    gasboard_poll(&board);
    EXPECT_SILENCE(); /* once per period, not once per poll */
    CHECK_EQ_U(gasboard_idle_ms(&board), 1000);

    /* New values arrive. */
    fake_set_time(12100);
    fake_sensor_set(HAL_SENSOR_O2, 80);
    fake_sensor_set(HAL_SENSOR_CO2, 1234);
    fake_sensor_set(HAL_SENSOR_TEMP, -50);
    fake_set_time(12500);
    gasboard_poll(&board);
    EXPECT("RD seq=2 t=12100 o2=0.80 co2=1.234 temp=-0.50");

    /* Nothing new: the same measurement is reported, with its own t, until it is stale (5000 ms). */
    EXPECT_RD_AT(13500, "RD seq=3 t=12100 o2=0.80 ");
    EXPECT_RD_AT(14500, "RD seq=4 t=12100 o2=0.80 ");
    EXPECT_RD_AT(15500, "RD seq=5 t=12100 o2=0.80 ");
    EXPECT_RD_AT(16500, "RD seq=6 t=12100 o2=0.80 ");
    fake_set_time(17500);
    gasboard_poll(&board);
    EXPECT("RD seq=7 t=17500 o2=NA co2=NA temp=NA"); /* no value at all: t is the reading's own time */

    /* One fresh value among stale ones: only it is sent; t is its sample time. */
    fake_set_time(18200);
    fake_sensor_set(HAL_SENSOR_O2, 100);
    fake_set_time(18500);
    gasboard_poll(&board);
    EXPECT("RD seq=8 t=18200 o2=1.00 co2=NA temp=NA");

    /* Values of different ages: t is the oldest of those sent. */
    fake_set_time(19000);
    fake_sensor_set(HAL_SENSOR_CO2, 500);
    fake_sensor_set(HAL_SENSOR_TEMP, 0);
    fake_set_time(19500);
    gasboard_poll(&board);
    EXPECT("RD seq=9 t=18200 o2=1.00 co2=0.500 temp=0.00");

    /* A sensor that reports no value. */
    fake_sensor_none(HAL_SENSOR_CO2);
    fake_set_time(20500);
    gasboard_poll(&board);
    EXPECT("RD seq=10 t=18200 o2=1.00 co2=NA temp=0.00");

    /* A stalled loop does not get a burst of catch-up readings: one RD, then the rhythm restarts from now. */
    EXPECT_RD_AT(24800, "RD seq=11 ");
    gasboard_poll(&board);
    EXPECT_SILENCE();
    fake_set_time(25799);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    EXPECT_RD_AT(25800, "RD seq=12 ");

    /* A second HELLO restarts the rhythm from itself; seq goes on. */
    fake_set_time(26000);
    hello(2);
    fake_set_time(26800);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    EXPECT_RD_AT(27000, "RD seq=13 ");
    EXPECT_SILENCE();
}

static void test_streaming_config_and_wrap(void)
{
    gasboard_config_t cfg = gasboard_config_default();

    /* Period and stale limit from the config; the stale limit is inclusive (exactly 100 ms old is sent). */
    cfg.period_ms = 250;
    cfg.stale_ms = 100;
    fake_reset();
    gasboard_init(&board, &cfg);
    hello(1);
    fake_set_time(150);
    fake_sensor_set(HAL_SENSOR_O2, 2090);
    fake_set_time(249);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    fake_set_time(250);
    gasboard_poll(&board);
    EXPECT("RD seq=1 t=150 o2=20.90 co2=NA temp=NA");
    fake_set_time(399);
    fake_sensor_set(HAL_SENSOR_O2, 2000);
    fake_set_time(500);
    gasboard_poll(&board);
    EXPECT("RD seq=2 t=500 o2=NA co2=NA temp=NA"); /* 101 ms old */

    /* seq wraps to 0 after 4294967295. */
    board.seq = 4294967294u;
    EXPECT_RD_AT(750, "RD seq=4294967295 ");
    EXPECT_RD_AT(1000, "RD seq=0 ");

    /* The clock wraps after 49.7 days: readings go on across the wrap, values keep their age. */
    power_up();
    fake_set_time(4294967000u);
    fake_sensor_set(HAL_SENSOR_TEMP, 150);
    hello(1);
    fake_set_time(4294967295u);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    fake_set_time(704); /* 4294967000 + 1000, wrapped */
    gasboard_poll(&board);
    EXPECT("RD seq=1 t=4294967000 o2=NA co2=NA temp=1.50");
    fake_set_time(1704);
    gasboard_poll(&board);
    EXPECT("RD seq=2 t=4294967000 o2=NA co2=NA temp=1.50");
}

static void test_host_away(void)
{
    const char *line;

    power_up();
    hello(1);
    fake_set_time(1000);
    gasboard_poll(&board);
    line = fake_host_next_line();
    CHECK(line != NULL && strncmp(line, "RD seq=1 ", 9) == 0);

    /* The host goes away in the middle of sending a line. */
    fake_host_send("SET id=9 valve=n2");
    gasboard_poll(&board);
    fake_set_present(0);
    fake_set_time(2000);
    gasboard_poll(&board);
    fake_set_time(5000);
    gasboard_poll(&board);
    CHECK_EQ_U(board.streaming, 0);
    CHECK_EQ_U(board.counters.tx_dropped, 0); /* streaming stopped: nothing was even tried */

    /* It comes back: still silent until a HELLO; its first line is not glued to the old half line. */
    fake_set_present(1);
    fake_set_time(6000);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    send("SET id=10 valve=air on=1");
    EXPECT("ACK id=10"); /* the session (first HELLO) is still open for commands */
    fake_set_time(7000);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    fake_set_time(7100);
    hello(2);
    fake_set_time(8100);
    gasboard_poll(&board);
    line = fake_host_next_line();
    CHECK(line != NULL && strncmp(line, "RD seq=2 ", 9) == 0);
}

static void test_link_full(void)
{
    const char *line;
    char expect[64];

    power_up();
    hello(1);

    /* The link takes only 5 bytes of the ACK: the frame counts as dropped... */
    fake_set_write_room(5);
    send("SET id=2 valve=n2 on=1");
    CHECK_EQ_U(fake_output(GB_OUT_N2), 1); /* the command was executed all the same */
    CHECK_EQ_U(board.counters.tx_dropped, 1);
    /* ... and the link is full: the next frame is dropped whole. */
    send("SET id=3 valve=n2 on=0");
    CHECK_EQ_U(board.counters.tx_dropped, 2);
    /* Room again: the fragment is ended by a '\n' of its own, so the next frame arrives intact. */
    fake_set_write_room((size_t)-1);
    send("SET id=4 valve=air on=1");
    line = fake_host_next_line();
    CHECK_STR(line, "ACK i"); /* the fragment, which the host rejects as one bad line */
    EXPECT("ACK id=4");
    EXPECT_SILENCE();
    CHECK_EQ_U(board.counters.tx_dropped, 2);

    /* Nothing at all taken: no fragment, no extra '\n'. */
    fake_set_write_room(0);
    send("SET id=5 valve=air on=0");
    fake_set_write_room((size_t)-1);
    send("SET id=6 valve=air on=1");
    strcpy(expect, "ACK id=6");
    EXPECT(expect);
    EXPECT_SILENCE();
    CHECK_EQ_U(board.counters.tx_dropped, 3);
}

int main(void)
{
    test_power_up();
    test_state_before_hello();
    test_hello();
    test_set();
    test_unknown_and_no_id();
    test_rejected_lines();
    test_board_frames_ignored();
    test_input_shapes();
    test_streaming();
    test_streaming_config_and_wrap();
    test_host_away();
    test_link_full();
    return check_done();
}
