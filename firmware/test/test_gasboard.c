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
#include "test/seal.h"
#include "test/fake_hal.h"

static gasboard_t board;

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
    fake_host_send(test_sealed(body));
    fake_host_send("\n");
    poll_all();
}

/* The board's next line must be the sealed body. */
#define EXPECT(body) expect_line((body), __FILE__, __LINE__)
static void expect_line(const char *body, const char *file, int line)
{
    const char *got = fake_host_next_line();
    char want[512];

    strcpy(want, test_sealed(body));
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

/* The board's newest sample of a quantity, as its module driver keeps it: tests of the board logic set them
 * directly; the module drivers have tests of their own (test_modules.c), and test_sensor_path below feeds
 * real module bytes through the UARTs. */
static sample_t *sample_of(sensor_t sensor)
{
    switch (sensor) {
    case SENSOR_O2:
        return &board.o2m.o2;
    case SENSOR_CO2:
        return &board.co2m.co2;
    case SENSOR_TEMP:
    default:
        return &board.o2m.temp;
    }
}

static void sensor_set_at(sensor_t sensor, int32_t value, uint32_t at_ms)
{
    sample_t *s = sample_of(sensor);

    s->valid = 1;
    s->value = value;
    s->at_ms = at_ms;
}

static void sensor_set(sensor_t sensor, int32_t value) { sensor_set_at(sensor, value, hal_millis()); }

static void sensor_none(sensor_t sensor)
{
    sample_of(sensor)->valid = 0;
    sample_of(sensor)->at_ms = hal_millis();
}

/* A power cycle: time back to 0, the EEPROM kept, the board started again with the default config. */
static void reboot(hal_reset_cause_t cause)
{
    gasboard_config_t cfg = gasboard_config_default();

    fake_power_cycle(cause);
    gasboard_init(&board, &cfg);
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
    CHECK_EQ_U(gasboard_idle_ms(&board), GB_CO2_TIMEOUT_MS); /* the CO2 module was just asked */
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
    gasboard_poll(&board); /* the reading due (late) is taken before the HELLO, so it is not sent */
    send("HELLO id=1 proto=1");
    EXPECT("ID id=1 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=" GB_CAPS " t=5230 boot=1 cal=0");
    EXPECT_SILENCE();

    /* Another serial number from the config. */
    {
        gasboard_config_t cfg = gasboard_config_default();
        cfg.sn = "GB-0042";
        fake_reset();
        gasboard_init(&board, &cfg);
        send("HELLO id=4294967295 proto=1");
        EXPECT("ID id=4294967295 kind=gasboard fw=0.1.0 sn=GB-0042 proto=1 caps=" GB_CAPS " t=0 boot=1 cal=0");
    }

    /* Field order is free for a receiver. */
    power_up();
    send("HELLO proto=1 id=9");
    EXPECT("ID id=9 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=" GB_CAPS " t=0 boot=1 cal=0");

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
    send("REPLAYS id=6");
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
    CHECK_EQ_U(board.engine.counters.rx_no_id, 7);
    CHECK_EQ_U(board.engine.counters.rx_bad_syntax, 0); /* the frames were valid */
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

    CHECK_EQ_U(board.engine.counters.rx_bad_crc, 1);
    CHECK_EQ_U(board.engine.counters.rx_bad_syntax, 5);
    CHECK_EQ_U(board.engine.counters.rx_too_long, 1);
    CHECK_EQ_U(board.engine.counters.rx_ok, 2); /* the HELLO and the last SET */
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
    send("ST id=4 up=1 boot=1 seq=0 ring=0 crc=0 syn=0 long=0 sto=0 wdt=0 drop=0");
    EXPECT_SILENCE();
    CHECK_EQ_U(board.engine.counters.rx_ignored, 7);
    CHECK_EQ_U(board.engine.counters.rx_ok, 8);
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
        strcpy(line, test_sealed("HELLO id=1 proto=1"));
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
    EXPECT("ID id=1 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=" GB_CAPS " t=0 boot=1 cal=0");
    /* Reads that return one byte at a time within a poll. */
    fake_set_read_chunk(1);
    send("PING id=2");
    EXPECT("NAK id=2 code=E_UNKNOWN");
    fake_set_read_chunk(0);

    /* Several commands in one read: answered in order. */
    fake_host_send(test_sealed("SET id=2 valve=n2 on=1"));
    fake_host_send("\n");
    fake_host_send(test_sealed("SET id=3 valve=air on=1"));
    fake_host_send("\n");
    fake_host_send(test_sealed("PING id=4"));
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
        const char *s = test_sealed("PING id=5");
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

/* Polls every step_ms from the current fake time up to and including ms. */
static void step_to(uint32_t ms, uint32_t step_ms)
{
    uint32_t t = hal_millis();

    while ((uint32_t)(ms - t) >= step_ms && (uint32_t)(ms - t) < 0x80000000u) {
        t += step_ms;
        fake_set_time(t);
        gasboard_poll(&board);
    }
    fake_set_time(ms);
    gasboard_poll(&board);
}

static void test_streaming(void)
{
    power_up();
    sensor_set(SENSOR_O2, 2090);
    sensor_set(SENSOR_CO2, 40);
    sensor_set(SENSOR_TEMP, 150);

    /* Measuring starts at power-up, one reading per period, silent until a HELLO. */
    step_to(3000, 100);
    EXPECT_SILENCE();
    CHECK_EQ_U(gasboard_last_seq(&board), 3);
    CHECK_EQ_U(board.engine.ring.count, 3);

    fake_set_time(3500);
    send("HELLO id=1 proto=1");
    EXPECT("ID id=1 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=" GB_CAPS " t=3500 boot=1 cal=0");
    CHECK_EQ_U(gasboard_idle_ms(&board), 500); /* the rhythm is power-up's, not the HELLO's */
    fake_set_time(3999);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    CHECK_EQ_U(gasboard_idle_ms(&board), 1);

    /* The first reading after the HELLO goes out; its t is when the values were sampled. */
    fake_set_time(4000);
    CHECK_EQ_U(gasboard_idle_ms(&board), 0);
    gasboard_poll(&board);
    EXPECT("RD seq=4 t=0 o2=20.90 co2=0.040 temp=1.50 cell=1");
    gasboard_poll(&board);
    EXPECT_SILENCE(); /* once per period, not once per poll */
    CHECK_EQ_U(gasboard_idle_ms(&board), GB_CO2_TIMEOUT_MS); /* the CO2 module's answer is due before */

    /* New values arrive. */
    fake_set_time(4100);
    sensor_set(SENSOR_O2, 80);
    sensor_set(SENSOR_CO2, 1234);
    sensor_set(SENSOR_TEMP, -50);
    EXPECT_RD_AT(5000, "RD seq=5 t=4100 o2=0.80 co2=1.234 temp=-0.50");

    /* Nothing new: the same measurement is reported, with its own t, until it is stale (5000 ms). */
    EXPECT_RD_AT(6000, "RD seq=6 t=4100 o2=0.80 ");
    EXPECT_RD_AT(7000, "RD seq=7 t=4100 o2=0.80 ");
    EXPECT_RD_AT(8000, "RD seq=8 t=4100 o2=0.80 ");
    EXPECT_RD_AT(9000, "RD seq=9 t=4100 o2=0.80 ");
    fake_set_time(10000);
    gasboard_poll(&board);
    EXPECT("RD seq=10 t=10000 o2=NA co2=NA temp=NA cell=1"); /* no value at all: t is the reading's own time */
    EXPECT_RD_AT(11000, "RD seq=11 t=11000 o2=NA ");

    /* One fresh value among stale ones: only it is sent; t is its sample time. */
    fake_set_time(11200);
    sensor_set(SENSOR_O2, 100);
    fake_set_time(12000);
    gasboard_poll(&board);
    EXPECT("RD seq=12 t=11200 o2=1.00 co2=NA temp=NA cell=1");

    /* Values of different ages: t is the oldest of those sent. */
    fake_set_time(12500);
    sensor_set(SENSOR_CO2, 500);
    sensor_set(SENSOR_TEMP, 0);
    fake_set_time(13000);
    gasboard_poll(&board);
    EXPECT("RD seq=13 t=11200 o2=1.00 co2=0.500 temp=0.00 cell=1");

    /* A sensor that reports no value; a value too large for a reading (CO2 over 32.767 kPa) is NA, counted. */
    sensor_none(SENSOR_CO2);
    fake_set_time(14000);
    gasboard_poll(&board);
    EXPECT("RD seq=14 t=11200 o2=1.00 co2=NA temp=0.00 cell=1");
    sensor_set(SENSOR_CO2, 40000);
    sensor_set(SENSOR_TEMP, -32768);
    fake_set_time(15000);
    gasboard_poll(&board);
    EXPECT("RD seq=15 t=11200 o2=1.00 co2=NA temp=-327.68 cell=1");
    CHECK_EQ_U(board.engine.counters.value_range, 1);

    /* A stalled loop does not get a burst of catch-up readings: one RD, then the rhythm restarts from now. */
    EXPECT_RD_AT(19300, "RD seq=16 ");
    gasboard_poll(&board);
    EXPECT_SILENCE();
    fake_set_time(20299);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    EXPECT_RD_AT(20300, "RD seq=17 ");

    /* A second HELLO does not move the rhythm; seq goes on. */
    fake_set_time(20500);
    hello(2);
    fake_set_time(21299);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    EXPECT_RD_AT(21300, "RD seq=18 ");
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
    sensor_set(SENSOR_O2, 2090);
    fake_set_time(249);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    fake_set_time(250);
    gasboard_poll(&board);
    EXPECT("RD seq=1 t=150 o2=20.90 co2=NA temp=NA cell=1");
    fake_set_time(399);
    sensor_set(SENSOR_O2, 2000);
    fake_set_time(500);
    gasboard_poll(&board);
    EXPECT("RD seq=2 t=500 o2=NA co2=NA temp=NA cell=1"); /* 101 ms old */

    /* seq wraps to 0 after 4294967295. */
    board.engine.ring.newest_seq = 4294967294u;
    board.engine.live_next = 4294967295u;
    EXPECT_RD_AT(750, "RD seq=4294967295 ");
    EXPECT_RD_AT(1000, "RD seq=0 ");
    EXPECT_RD_AT(1250, "RD seq=1 ");

    /* The clock wraps after 49.7 days: readings go on across the wrap, values keep their age. */
    fake_reset();
    fake_set_time(4294966000u);
    gasboard_init(&board, &cfg);
    fake_set_time(4294967000u);
    sensor_set(SENSOR_TEMP, 150);
    gasboard_poll(&board); /* a reading now (the config's period is 250 ms: this one is late) */
    board.cfg.period_ms = 1000;
    board.cfg.stale_ms = 5000;
    board.manifold.period_ms = 1000;
    board.manifold.due_ms = 704u; /* 4294967000 + 1000, wrapped */
    hello(1);
    fake_set_time(4294967295u);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    fake_set_time(704);
    gasboard_poll(&board);
    EXPECT("RD seq=2 t=4294967000 o2=NA co2=NA temp=1.50 cell=1");
    fake_set_time(1704);
    gasboard_poll(&board);
    EXPECT("RD seq=3 t=4294967000 o2=NA co2=NA temp=1.50 cell=1");
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

    /* The host goes away in the middle of sending a line. Measuring goes on; nothing is sent. */
    fake_host_send("SET id=9 valve=n2");
    gasboard_poll(&board);
    fake_set_present(0);
    fake_set_time(2000);
    gasboard_poll(&board);
    fake_set_time(5000);
    gasboard_poll(&board);
    CHECK_EQ_U(board.engine.streaming, 0);
    CHECK_EQ_U(board.engine.counters.tx_dropped, 0); /* streaming stopped: nothing was even tried */
    CHECK_EQ_U(gasboard_last_seq(&board), 3);

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
    fake_set_time(8000);
    gasboard_poll(&board);
    line = fake_host_next_line();
    CHECK(line != NULL && strncmp(line, "RD seq=6 ", 9) == 0);

    /* What it missed is in the ring. */
    send("REPLAY id=11 from=2 to=5");
    line = fake_host_next_line();
    CHECK(line != NULL && strncmp(line, "RD seq=2 t=2000 ", 16) == 0);
    line = fake_host_next_line();
    CHECK(line != NULL && strncmp(line, "RD seq=3 t=5000 ", 16) == 0);
    line = fake_host_next_line();
    CHECK(line != NULL && strncmp(line, "RD seq=4 t=6000 ", 16) == 0);
    line = fake_host_next_line();
    CHECK(line != NULL && strncmp(line, "RD seq=5 t=7000 ", 16) == 0);
    EXPECT("ACK id=11 n=4 from=2 to=5");
    EXPECT_SILENCE();
}

static void test_link_full(void)
{
    const char *line;

    power_up();
    hello(1);

    /* The link has room for 5 bytes: the ACK is dropped whole (and counted) ... */
    fake_set_write_room(5);
    send("SET id=2 valve=n2 on=1");
    CHECK_EQ_U(fake_output(GB_OUT_N2), 1); /* the command was executed all the same */
    CHECK_EQ_U(board.engine.counters.tx_dropped, 1);
    fake_set_write_room((size_t)-1);
    send("SET id=3 valve=n2 on=0");
    EXPECT("ACK id=3"); /* ... and nothing of it reaches the host */

    /* A link that takes less than it said it would: the frame counts as dropped ... */
    fake_set_room(1000);
    fake_set_write_room(5);
    send("SET id=4 valve=air on=1");
    CHECK_EQ_U(board.engine.counters.tx_dropped, 2);
    /* ... and, room again, the fragment is ended by a '\n' of its own, so the next frame arrives intact. */
    fake_set_room((size_t)-1);
    fake_set_write_room((size_t)-1);
    send("SET id=5 valve=air on=0");
    line = fake_host_next_line();
    CHECK_STR(line, "ACK i"); /* the fragment, which the host rejects as one bad line */
    EXPECT("ACK id=5");
    EXPECT_SILENCE();

    /* Nothing at all taken: no fragment, no extra '\n'. */
    fake_set_write_room(0);
    send("SET id=6 valve=air on=0");
    fake_set_write_room((size_t)-1);
    send("SET id=7 valve=air on=1");
    EXPECT("ACK id=7");
    EXPECT_SILENCE();
    CHECK_EQ_U(board.engine.counters.tx_dropped, 3);

    /* A reading waits for room (it is in the ring) rather than being dropped, and keeps room for an answer. */
    fake_set_write_room(100);
    fake_set_time(1000);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    CHECK_EQ_U(gasboard_idle_ms(&board), 1);
    send("SET id=8 valve=air on=0");
    EXPECT("ACK id=8");
    fake_set_write_room((size_t)-1);
    gasboard_poll(&board);
    line = fake_host_next_line();
    CHECK(line != NULL && strncmp(line, "RD seq=1 ", 9) == 0);
    CHECK_EQ_U(board.engine.counters.tx_dropped, 3);
}

/* Steps one period at a time up to seq `last`, each reading with o2 = its seq (in 0.01 kPa), t = seq s. */
static void take_numbered_readings(uint32_t last)
{
    uint32_t k;

    for (k = 1; k <= last; k++) {
        fake_set_time(k * 1000u);
        sensor_set(SENSOR_O2, (int32_t)k);
        gasboard_poll(&board);
    }
}

/* The next line must be "RD seq=<seq> t=<seq*1000> o2=<seq/100> co2=NA temp=NA". */
#define EXPECT_NUMBERED_RD(seq) expect_numbered_rd((seq), __FILE__, __LINE__)
static void expect_numbered_rd(uint32_t seq, const char *file, int line)
{
    char body[96];

    sprintf(body, "RD seq=%lu t=%lu o2=%lu.%02lu co2=NA temp=NA cell=1", (unsigned long)seq, (unsigned long)seq * 1000ul,
            (unsigned long)seq / 100ul, (unsigned long)seq % 100ul);
    expect_line(body, file, line);
}

static void test_replay(void)
{
    const char *line;
    uint32_t k;
    uint32_t rd = 0;
    uint32_t next_seq = 45;
    int acked = 0;
    int polls = 0;

    power_up();
    take_numbered_readings(300);
    EXPECT_SILENCE();
    CHECK_EQ_U(board.engine.ring.count, GB_RING_LEN);
    CHECK_EQ_U(reading_ring_oldest_seq(&board.engine.ring), 300 - GB_RING_LEN + 1);

    send("REPLAY id=1 from=1 to=10");
    EXPECT("NAK id=1 code=E_STATE"); /* like every command but HELLO */
    fake_set_time(300500);
    hello(2);

    /* Partly older than the ring: F > S. The original fields and values. */
    send("REPLAY id=3 from=40 to=50");
    for (k = 45; k <= 50; k++) {
        EXPECT_NUMBERED_RD(k);
    }
    EXPECT("ACK id=3 n=6 from=45 to=50");
    /* Partly newer than the newest: up to the newest. */
    send("REPLAY id=4 from=299 to=400");
    EXPECT_NUMBERED_RD(299);
    EXPECT_NUMBERED_RD(300);
    EXPECT("ACK id=4 n=2 from=299 to=300");
    /* Nothing held: n=0 without from and to. */
    send("REPLAY id=5 from=1 to=10");
    EXPECT("ACK id=5 n=0");
    send("REPLAY id=6 from=301 to=301");
    EXPECT("ACK id=6 n=0");
    send("REPLAY id=7 from=100 to=100");
    EXPECT_NUMBERED_RD(100);
    EXPECT("ACK id=7 n=1 from=100 to=100");

    /* Refusals. */
    {
        static const char *const bad[] = {
            "REPLAY id=8 from=10 to=9",    /* S > E */
            "REPLAY id=8 from=1 to=1025",  /* 1025 readings */
            "REPLAY id=8 from=10",         /* a missing bound */
            "REPLAY id=8 to=10",
            "REPLAY id=8 from=a to=10",
            "REPLAY id=8 from=1 to=2 cell=1", /* a field REPLAY does not have */
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            send(bad[i]);
            EXPECT("NAK id=8 code=E_ARG");
        }
    }
    EXPECT_SILENCE();

    /* The whole ring (1..1024 is the widest range): paced by the link, readings taken meanwhile come after the
     * ACK, a second REPLAY meanwhile is refused, other commands are answered at once. */
    send("REPLAY id=9 from=1 to=1024");
    send("REPLAY id=10 from=1 to=1");
    send("SET id=11 valve=n2 on=1");
    while (!acked && ++polls < 1000) {
        while (!acked && (line = fake_host_next_line()) != NULL) {
            char want[64];
            if (strncmp(line, "RD ", 3) == 0) {
                sprintf(want, "RD seq=%lu ", (unsigned long)next_seq);
                CHECK(strncmp(line, want, strlen(want)) == 0);
                next_seq++;
                rd++;
            } else if (strncmp(line, "ACK id=9 ", 9) == 0) {
                CHECK_STR(line, test_sealed("ACK id=9 n=256 from=45 to=300"));
                acked = 1;
            } else {
                CHECK(strncmp(line, "NAK id=10 code=E_STATE*", 23) == 0 || strncmp(line, "ACK id=11*", 10) == 0);
            }
        }
        fake_set_time(hal_millis() + 100u); /* time passes: readings 301, 302 ... are taken */
        gasboard_poll(&board);
    }
    CHECK_EQ_U(rd, 256);
    CHECK(gasboard_last_seq(&board) > 300);
    /* Then the readings taken during the replay, live, in order. */
    line = fake_host_next_line();
    CHECK(line != NULL && strncmp(line, "RD seq=301 ", 11) == 0);

    /* A HELLO ends a replay without its ACK; so does the host going away. */
    send("REPLAY id=12 from=100 to=300");
    send("HELLO id=13 proto=1");
    for (k = 0; k < 300 && (line = fake_host_next_line()) != NULL; k++) {
        CHECK(strncmp(line, "ACK id=12", 9) != 0);
    }
    CHECK_EQ_U(board.engine.replay.active, 0);
    send("REPLAY id=14 from=100 to=300");
    CHECK_EQ_U(board.engine.replay.active, 1);
    fake_set_present(0);
    gasboard_poll(&board);
    CHECK_EQ_U(board.engine.replay.active, 0);
}

static void test_status(void)
{
    char want[200];
    char big[200];

    power_up();
    send("STATUS id=1");
    EXPECT("NAK id=1 code=E_STATE");
    sensor_set(SENSOR_O2, 2090);
    fake_set_time(500);
    hello(2);
    fake_host_send("ACK id=2*0000\n");  /* E_CRC */
    fake_host_send("garbage\n");        /* E_SYNTAX */
    memset(big, 'x', sizeof big);
    fake_host_send_bytes(big, sizeof big);
    fake_host_send("\n");               /* E_TOOLONG */
    poll_all();
    send("PING");                       /* no id: E_SYNTAX too */
    send("ACK id=77");                  /* ignored */
    fake_host_next_line();
    fake_host_next_line();
    fake_host_next_line();
    fake_host_next_line();
    step_to(8000, 1000);                /* 8 readings, the O2 value stale from 6000 on */
    while (fake_host_next_line() != NULL) {
    }
    fake_set_write_room(0);
    send("SET id=3 valve=n2 on=1");     /* its ACK is dropped */
    fake_set_write_room((size_t)-1);
    fake_set_time(8040);
    send("STATUS id=4");
    /* ok: HELLO, the ACK, SET, STATUS (the ok count is taken when the ST is built, its own line included). */
    /* tx: NAK E_STATE, ID, 4 ERR, 8 RD (the ST itself is counted once it has gone). */
    /* sto: no module answers: the O2 stream's silence (once) and the CO2 requests of 0 .. 7000 ms (8). */
    sprintf(want, "ST id=4 up=8040 boot=1 seq=8 ring=8 crc=1 syn=2 long=1 sto=9 wdt=0 drop=1 ok=5 tx=14 o2bad=0 "
                  "mbcrc=0 mbex=0");
    EXPECT(want);
    CHECK_EQ_U(board.engine.counters.tx_frames, 15);
    send("STATUS id=5 verbose=1");
    EXPECT("NAK id=5 code=E_ARG");
    EXPECT_SILENCE();
}

static void test_calibration_commands(void)
{
    char want[200];
    unsigned writes;

    power_up();
    send("CAL id=1 gas=o2 point=zero ref=0");
    EXPECT("NAK id=1 code=E_STATE");
    hello(2);

    /* No fresh value of the gas: nothing to calibrate against. */
    send("CAL id=3 gas=o2 point=zero ref=0");
    EXPECT("NAK id=3 code=E_SENSOR");
    sensor_set(SENSOR_O2, 12);
    fake_set_time(5001);
    send("CAL id=4 gas=o2 point=zero ref=0");
    EXPECT("NAK id=4 code=E_SENSOR"); /* 5001 ms old: stale */
    while (fake_host_next_line() != NULL) {
    }

    /* Zero with N2 on the sensor (0.12 where 0 is true), span with air (20.00 where 20.95 is true). */
    sensor_set(SENSOR_O2, 12);
    send("CAL id=5 gas=o2 point=zero ref=0.00");
    EXPECT("ACK id=5 cal=1");
    sensor_set(SENSOR_O2, 2000);
    send("CAL id=6 gas=o2 point=span ref=20.95");
    EXPECT("ACK id=6 cal=2");
    sensor_set(SENSOR_CO2, 1000);
    send("CAL id=7 gas=co2 point=span ref=1.1");   /* fewer decimals than RD's are fine */
    EXPECT("ACK id=7 cal=3");
    /* Readings are calibrated. */
    fake_set_time(6001);
    gasboard_poll(&board);
    EXPECT("RD seq=2 t=5001 o2=20.95 co2=1.100 temp=NA cell=1");

    /* Refusals change nothing. */
    {
        static const char *const bad[] = {
            "CAL id=8 gas=n2 point=zero ref=0",
            "CAL id=8 gas=o2 point=middle ref=0",
            "CAL id=8 gas=o2 point=zero",            /* ref missing */
            "CAL id=8 gas=o2 point=zero ref=0.001",  /* more decimals than O2 has */
            "CAL id=8 gas=o2 point=zero ref=abc",
            "CAL id=8 gas=o2 point=zero ref=1.",
            "CAL id=8 gas=o2 point=factory ref=0",  /* factory takes no ref */
            "CAL id=8 point=zero ref=0",
            "CAL id=8 gas=o2 point=zero ref=0 t=5",
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            send(bad[i]);
            EXPECT("NAK id=8 code=E_ARG");
        }
    }
    sensor_set(SENSOR_O2, 500);
    send("CAL id=9 gas=o2 point=zero ref=0"); /* 5.00 kPa off: not zero gas */
    EXPECT("NAK id=9 code=E_RANGE");
    sensor_set(SENSOR_O2, 200);
    send("CAL id=10 gas=o2 point=span ref=20.95"); /* too close to the zero point */
    EXPECT("NAK id=10 code=E_RANGE");
    writes = fake_eeprom_writes();
    fake_eeprom_fail_writes(1);
    sensor_set(SENSOR_O2, 2000);
    send("CAL id=11 gas=o2 point=factory");
    EXPECT("NAK id=11 code=E_STORE");
    fake_eeprom_fail_writes(0);
    CHECK_EQ_U(fake_eeprom_writes(), writes);
    CHECK_EQ_U(board.engine.cal.count, 3);

    /* It survives a power cycle, and shows in ID. */
    reboot(HAL_RESET_POWER);
    send("HELLO id=12 proto=1");
    EXPECT("ID id=12 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=" GB_CAPS " t=0 boot=2 cal=3");
    sensor_set(SENSOR_O2, 2000);
    sensor_set(SENSOR_CO2, 1000);
    fake_set_time(1000);
    gasboard_poll(&board);
    EXPECT("RD seq=1 t=0 o2=20.95 co2=1.100 temp=NA cell=1");
    /* Back to factory, one gas at a time. */
    send("CAL id=13 gas=o2 point=factory");
    EXPECT("ACK id=13 cal=4");
    fake_set_time(2000);
    gasboard_poll(&board);
    EXPECT("RD seq=2 t=0 o2=20.00 co2=1.100 temp=NA cell=1");

    /* A corrupted record: factory calibration, said in the log; ID says cal=0. */
    fake_eeprom()[GB_EE_CAL_ADDR + 10u] ^= 0x40u;
    reboot(HAL_RESET_POWER);
    CHECK(fake_log_count() >= 1u);
    send("HELLO id=14 proto=1");
    sprintf(want, "ID id=14 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=" GB_CAPS " t=0 boot=3 cal=0");
    EXPECT(want);
}

/* The longest ID this board can send still fits a line. */
static void test_longest_id(void)
{
    gasboard_config_t cfg = gasboard_config_default();
    const char *line;

    cfg.sn = "ABCDEFGHIJKLMNOP"; /* GB_SN_MAX characters */
    fake_reset();
    fake_set_time(4294967295u);
    gasboard_init(&board, &cfg);
    board.engine.boot = 4294967295u;
    board.engine.cal.count = 4294967295u;
    send("HELLO id=4294967295 proto=1");
    line = fake_host_next_line();
    CHECK(line != NULL && strlen(line) <= 160u);
    CHECK_STR(line, test_sealed("ID id=4294967295 kind=gasboard fw=0.1.0 sn=ABCDEFGHIJKLMNOP proto=1 caps=" GB_CAPS
                           " t=4294967295 boot=4294967295 cal=65535"));
    CHECK_EQ_U(board.engine.counters.tx_dropped, 0);

    /* The widest ST: counters saturate, extras only while they fit. */
    board.engine.ring.newest_seq = 4294967295u;
    board.engine.wdt_resets = 4294967295u;
    board.engine.counters.rx_bad_crc = 4294967295u;
    board.engine.counters.rx_bad_syntax = 4294967295u;
    board.engine.counters.rx_too_long = 4294967295u;
    board.engine.counters.tx_dropped = 4294967295u;
    board.o2m.timeouts = 4294967295u;
    send("STATUS id=4294967295");
    line = fake_host_next_line();
    CHECK(line != NULL && strlen(line) <= 160u);
    CHECK(line != NULL && strncmp(line, "ST id=4294967295 up=4294967295 boot=4294967295 seq=4294967295 ring=0 "
                                        "crc=99999999 syn=99999999 long=99999999 sto=99999999 wdt=99999999 "
                                        "drop=99999999", 146) == 0);
}

static void test_manifold_schedule(void)
{
    manifold_t m;

    manifold_init(&m, 3, 500, 100, 0);
    CHECK_EQ_U(m.current, 1);
    CHECK(!manifold_due(&m, 599) && manifold_due(&m, 600));
    CHECK(!manifold_sample_ok(&m, 499) && manifold_sample_ok(&m, 500)); /* flush first */
    CHECK_EQ_U(manifold_idle_ms(&m, 100), 500);
    CHECK(manifold_next(&m, 600));
    CHECK_EQ_U(m.current, 2);
    CHECK(!manifold_due(&m, 1199) && manifold_due(&m, 1200));
    CHECK(!manifold_sample_ok(&m, 1099) && manifold_sample_ok(&m, 1100));
    CHECK(manifold_next(&m, 1250)); /* late: the next cell's flush starts when it really switched */
    CHECK_EQ_U(m.current, 3);
    CHECK(manifold_due(&m, 1850) && !manifold_due(&m, 1849));
    CHECK(manifold_next(&m, 1850));
    CHECK_EQ_U(m.current, 1); /* round again */

    /* One cell: no switching, no flush, the rhythm from power-up, no burst after a stall. */
    manifold_init(&m, 1, 500, 100, 0);
    CHECK(manifold_sample_ok(&m, 0));
    CHECK(manifold_due(&m, 100) && !manifold_due(&m, 99));
    CHECK(!manifold_next(&m, 100));
    CHECK_EQ_U(m.due_ms, 200);
    CHECK(!manifold_next(&m, 750)); /* stalled */
    CHECK_EQ_U(m.due_ms, 850);
    /* Out-of-range cell counts are clamped. */
    manifold_init(&m, 0, 0, 0, 0);
    CHECK(m.cells == 1 && m.period_ms == 1u);
    manifold_init(&m, 9, 0, 1, 0);
    CHECK_EQ_U(m.cells, 8);
}

static void test_manifold_board(void)
{
    gasboard_config_t cfg = gasboard_config_default();
    const char *line;

    cfg.cells = 3;
    cfg.flush_ms = 500;
    cfg.period_ms = 100;
    fake_reset();
    gasboard_init(&board, &cfg);
    CHECK_EQ_U(fake_output(GB_OUT_INDEX(1u, GB_OUT_SAMPLE)), 1);
    CHECK_EQ_U(fake_output(GB_OUT_INDEX(2u, GB_OUT_SAMPLE)), 0);
    hello(1);

    /* Cell 1: a sample from the flush is not used, one after it is. */
    fake_set_time(450);
    sensor_set(SENSOR_O2, 2000);
    fake_set_time(599);
    gasboard_poll(&board);
    EXPECT_SILENCE();
    fake_set_time(600);
    gasboard_poll(&board);
    EXPECT("RD seq=1 t=600 o2=NA co2=NA temp=NA cell=1");
    /* The manifold moved on: break before make. */
    CHECK_EQ_U(fake_output(GB_OUT_INDEX(1u, GB_OUT_SAMPLE)), 0);
    CHECK_EQ_U(fake_output(GB_OUT_INDEX(2u, GB_OUT_SAMPLE)), 1);

    fake_set_time(1150);
    sensor_set(SENSOR_O2, 1500);
    sensor_set(SENSOR_TEMP, 100);
    fake_set_time(1200);
    gasboard_poll(&board);
    EXPECT("RD seq=2 t=1150 o2=15.00 co2=NA temp=1.00 cell=2");
    fake_set_time(1750);
    sensor_set(SENSOR_O2, 300);
    fake_set_time(1800);
    gasboard_poll(&board);
    EXPECT("RD seq=3 t=1750 o2=3.00 co2=NA temp=NA cell=3"); /* temp was measured in cell 2's gas */
    CHECK_EQ_U(fake_output(GB_OUT_INDEX(3u, GB_OUT_SAMPLE)), 0);
    CHECK_EQ_U(fake_output(GB_OUT_INDEX(1u, GB_OUT_SAMPLE)), 1);

    /* Per-cell actuators. */
    send("SET id=2 cell=2 valve=n2 on=1");
    EXPECT("ACK id=2");
    CHECK_EQ_U(fake_output(GB_OUT_INDEX(2u, GB_OUT_N2)), 1);
    CHECK_EQ_U(fake_output(GB_OUT_INDEX(1u, GB_OUT_N2)), 0);
    send("SET id=3 valve=scrub on=1"); /* no cell: cell 1 */
    EXPECT("ACK id=3");
    CHECK_EQ_U(fake_output(GB_OUT_INDEX(1u, GB_OUT_SCRUB)), 1);
    send("SET id=4 cell=3 valve=air on=1");
    EXPECT("ACK id=4");
    CHECK_EQ_U(fake_output(GB_OUT_INDEX(3u, GB_OUT_AIR)), 1);
    {
        static const char *const bad[] = {
            "SET id=5 cell=4 valve=n2 on=1",    /* only 3 cells */
            "SET id=5 cell=0 valve=n2 on=1",
            "SET id=5 cell=01 valve=n2 on=1",
            "SET id=5 cell=1 valve=sample on=1", /* the manifold's valves are not SET's */
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            send(bad[i]);
            EXPECT("NAK id=5 code=E_ARG");
        }
    }
    /* A replay repeats the cell too. */
    send("REPLAY id=6 from=2 to=2");
    line = fake_host_next_line();
    CHECK_STR(line, test_sealed("RD seq=2 t=1150 o2=15.00 co2=NA temp=1.00 cell=2"));
    EXPECT("ACK id=6 n=1 from=2 to=2");
}

/* The whole sensor path: module bytes on the fake UARTs, a reading with their values. */
static void test_sensor_path(void)
{
    static const uint8_t answer[15] = { 0x01, 0x04, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x01, 0x8B,
                                        0x00, 0x96, 0x27, 0x95, 0x4F, 0x00 };
    uint8_t req[16];

    power_up();
    hello(1);
    CHECK_EQ_U(fake_uart_take(HAL_UART_CO2, req, sizeof req), 8); /* asked at power-up */
    fake_set_time(10);
    fake_uart_send(HAL_UART_CO2, answer, sizeof answer);
    gasboard_poll(&board);
    fake_set_time(500);
    fake_uart_send(HAL_UART_O2, "O 0209.5 T +01.50 P 1013.2 S 00 *16\r\n", 37);
    gasboard_poll(&board);
    fake_set_time(1000);
    gasboard_poll(&board);
    EXPECT("RD seq=1 t=10 o2=20.95 co2=0.040 temp=1.50 cell=1");
    CHECK_EQ_U(gasboard_sensor_timeouts(&board), 0);
}

/* Runs the board as a target's main loop does: poll, then sleep for its idle (at least 1 ms), up to ms.
 * Returns how many times it polled. */
static uint32_t run_loop_to(uint32_t ms)
{
    uint32_t polls = 0;

    while ((uint32_t)(ms - hal_millis()) != 0u && (uint32_t)(ms - hal_millis()) < 0x80000000u) {
        uint32_t idle = gasboard_idle_ms(&board);
        uint32_t left = ms - hal_millis();
        fake_set_time(hal_millis() + (idle == 0u ? 1u : (idle < left ? idle : left)));
        gasboard_poll(&board);
        polls++;
    }
    return polls;
}

/*
 * A board reporting once a minute asks its CO2 module once a reading, GB_CO2_LEAD_MS before it, and sleeps in
 * between: its idle reaches to the next piece of timed work, not a second at most. Here the O2 module sends a
 * line once a minute too (as in the fast mode), so its silence counts once a minute; a real module streams.
 */
static void test_co2_once_a_reading(void)
{
    static const uint8_t answer[15] = { 0x01, 0x04, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x01, 0x8B,
                                        0x00, 0x96, 0x27, 0x95, 0x4F, 0x00 };
    gasboard_config_t cfg = gasboard_config_default();
    uint8_t req[16];
    uint32_t minute;

    cfg.period_ms = 60000u;
    fake_reset();
    gasboard_init(&board, &cfg);
    hello(1);
    for (minute = 1; minute <= 3; minute++) {
        uint32_t due = minute * 60000u;
        char want[80];
        uint32_t polls = run_loop_to(due - 1500u);
        CHECK(polls <= 3u); /* the previous reading's O2 silence, and this sleep's end */
        CHECK_EQ_U(fake_uart_pending(HAL_UART_CO2), 0); /* not asked before its time */
        fake_uart_send(HAL_UART_O2, "O 0209.5 T +01.50 P 1013.2 S 00 *16\r\n", 37);
        gasboard_poll(&board);
        CHECK_EQ_U(gasboard_idle_ms(&board), 500); /* to the CO2 request */
        CHECK_EQ_U(run_loop_to(due - GB_CO2_LEAD_MS), 1);
        CHECK_EQ_U(fake_uart_take(HAL_UART_CO2, req, sizeof req), 8);
        CHECK_EQ_U(gasboard_idle_ms(&board), GB_CO2_TIMEOUT_MS);
        fake_set_time(due - GB_CO2_LEAD_MS + 20u);
        fake_uart_send(HAL_UART_CO2, answer, sizeof answer);
        gasboard_poll(&board);
        CHECK_EQ_U(gasboard_idle_ms(&board), GB_CO2_LEAD_MS - 20u); /* to the reading, nothing in between */
        CHECK_EQ_U(run_loop_to(due), 1);
        sprintf(want, "RD seq=%lu t=%lu o2=20.95 co2=0.040 temp=1.50 cell=1", (unsigned long)minute,
                (unsigned long)(due - 1500u));
        EXPECT(want);
        CHECK_EQ_U(fake_uart_pending(HAL_UART_CO2), 0); /* one request per reading */
        CHECK_EQ_U(board.co2m.requests, minute);
    }
    CHECK_EQ_U(board.co2m.timeouts, 0);
    CHECK_EQ_U(board.o2m.timeouts, 3); /* power-up's silence, then the minutes between lines */
}

static void test_boot_and_watchdog(void)
{
    char want[200];

    power_up();
    CHECK_EQ_U(board.engine.boot, 1);
    CHECK_EQ_U(board.engine.wdt_resets, 0);
    CHECK_EQ_U(fake_watchdog_timeout(), GB_WATCHDOG_MS);
    {
        unsigned kicks = fake_watchdog_kicks();
        gasboard_poll(&board);
        gasboard_poll(&board);
        CHECK_EQ_U(fake_watchdog_kicks(), kicks + 2u); /* every poll kicks it */
    }

    /* Power cycles count on in EEPROM; a watchdog reset is counted as one too. */
    reboot(HAL_RESET_POWER);
    send("HELLO id=1 proto=1");
    EXPECT("ID id=1 kind=gasboard fw=0.1.0 sn=GB-0001 proto=1 caps=" GB_CAPS " t=0 boot=2 cal=0");
    reboot(HAL_RESET_WATCHDOG);
    reboot(HAL_RESET_POWER);
    hello(1);
    send("STATUS id=2");
    sprintf(want, "ST id=2 up=0 boot=4 seq=0 ring=0 crc=0 syn=0 long=0 sto=0 wdt=1 drop=0 ok=2 tx=1 o2bad=0 mbcrc=0 "
                  "mbex=0");
    EXPECT(want);

    /* A corrupted record starts over (and says so); a failed EEPROM write still counts this boot in RAM. */
    fake_eeprom()[GB_EE_BOOT_ADDR + 5u] ^= 0x01u;
    reboot(HAL_RESET_POWER);
    CHECK_EQ_U(board.engine.boot, 1);
    CHECK(fake_log_count() >= 1u);
    fake_eeprom_fail_writes(1);
    {
        unsigned logs = fake_log_count();
        gasboard_config_t cfg = gasboard_config_default();
        gasboard_init(&board, &cfg);
        CHECK_EQ_U(board.engine.boot, 2);
        CHECK_EQ_U(fake_log_count(), logs + 1u);
    }
    fake_eeprom_fail_writes(0);
    reboot(HAL_RESET_POWER);
    CHECK_EQ_U(board.engine.boot, 2); /* the failed write was not stored */
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
    test_replay();
    test_status();
    test_boot_and_watchdog();
    test_calibration_commands();
    test_longest_id();
    test_manifold_schedule();
    test_manifold_board();
    test_sensor_path();
    test_co2_once_a_reading();
    return check_done();
}
