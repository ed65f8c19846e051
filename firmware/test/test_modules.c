/*
 * The sensor-module drivers on the fake HAL: the O2 module's line stream (common/o2_module.c), Modbus-RTU
 * (common/modbus.c) and the CO2 module poller (common/co2_module.c), with the bytes a real module sends and
 * the ways a module and a wire go wrong: silence, garbage, wrong checksums, slow and partial answers.
 */
#include <stdlib.h>
#include <string.h>

#include "common/co2_module.h"
#include "common/modbus.h"
#include "common/o2_module.h"
#include "test/check.h"
#include "test/fake_hal.h"

/* ---- O2 module ------------------------------------------------------------------------------------------ */

/* A line for these fields with its checksum (and CR LF when crlf). */
static const char *o2_line(const char *body32, int crlf)
{
    static char line[64];
    static const char hex[] = "0123456789ABCDEF";
    uint8_t x = o2m_checksum(body32, strlen(body32));

    sprintf(line, "%s*%c%c%s", body32, hex[x >> 4], hex[x & 0xFu], crlf ? "\r\n" : "");
    return line;
}

static void test_o2_parse(void)
{
    o2m_line_t v;
    const char *l;

    CHECK_EQ_U(o2m_checksum("O 0209.5 T +01.50 P 1013.2 S 00 ", 32), 0x16);
    CHECK(o2m_parse_line("O 0209.5 T +01.50 P 1013.2 S 00 *16", 35, &v));
    CHECK_EQ_I(v.o2, 2095);
    CHECK_EQ_I(v.temp, 150);
    CHECK_EQ_I(v.pres_pa, 101320);
    CHECK_EQ_U(v.status, 0);
    l = o2_line("O 0000.0 T -12.05 P 0000.0 S 1F ", 0);
    CHECK(o2m_parse_line(l, strlen(l), &v));
    CHECK_EQ_I(v.o2, 0);
    CHECK_EQ_I(v.temp, -1205);
    CHECK_EQ_U(v.status, 0x1F);
    l = o2_line("O 9999.9 T +99.99 P 9999.9 S A0 ", 0);
    CHECK(o2m_parse_line(l, strlen(l), &v));
    CHECK_EQ_I(v.o2, 99999);
    CHECK_EQ_I(v.pres_pa, 999990);

    {
        static const char *const bad[] = {
            "O 0209.5 T +01.50 P 1013.2 S 00 *17",  /* wrong checksum */
            "O 0209.5 T +01.50 P 1013.2 S 00 *1",   /* short */
            "O 0209.5 T +01.50 P 1013.2 S 00 *160", /* long */
            "O 0209.5 T  01.50 P 1013.2 S 00 *36",  /* no sign */
            "o 0209.5 T +01.50 P 1013.2 S 00 *36",
            "O 02a9.5 T +01.50 P 1013.2 S 00 *47",
            "O 0209.5 T +01.50 P 1013.2 S 0g *16",
            "O 0209.5 T +01.50 P 1013.2 S 00 *1g",
            "O 0209,5 T +01.50 P 1013.2 S 00 *18",
            "",
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            if (!CHECK(!o2m_parse_line(bad[i], strlen(bad[i]), &v))) {
                fprintf(stderr, "    accepted \"%s\"\n", bad[i]);
            }
        }
        /* Lower-case hex digits are not what the module sends. */
        l = o2_line("O 0209.5 T +01.50 P 1013.2 S 0A ", 0);
        {
            char copy[64];
            strcpy(copy, l);
            copy[30] = 'a';
            CHECK(!o2m_parse_line(copy, strlen(copy), &v));
        }
    }
}

static void test_o2_stream(void)
{
    o2m_t m;
    const char *l;
    uint8_t junk[300];
    size_t i;

    fake_reset();
    o2m_init(&m, 3000, 0);
    CHECK(!m.o2.valid);

    /* A line split across polls, CR LF: the values, measured when the line ended. */
    l = o2_line("O 0209.5 T +01.50 P 1013.2 S 00 ", 1);
    fake_uart_send(HAL_UART_O2, l, 10);
    fake_set_time(100);
    o2m_poll(&m, 100);
    CHECK(!m.o2.valid);
    fake_uart_send(HAL_UART_O2, l + 10, strlen(l) - 10);
    o2m_poll(&m, 150);
    CHECK(m.o2.valid && m.o2.value == 2095 && m.o2.at_ms == 150u);
    CHECK(m.temp.valid && m.temp.value == 150);
    CHECK(m.pres.valid && m.pres.value == 101320);
    CHECK_EQ_U(m.lines_ok, 1);

    /* Status bits: warm-up invalidates everything, signal-low only O2, a temperature fault O2 and T. */
    l = o2_line("O 0100.0 T +02.00 P 1000.0 S 02 ", 1);
    fake_uart_send(HAL_UART_O2, l, strlen(l));
    o2m_poll(&m, 200);
    CHECK(!m.o2.valid && m.temp.valid && m.temp.value == 200 && m.pres.valid);
    l = o2_line("O 0100.0 T +02.00 P 1000.0 S 04 ", 1);
    fake_uart_send(HAL_UART_O2, l, strlen(l));
    o2m_poll(&m, 210);
    CHECK(!m.o2.valid && !m.temp.valid && m.pres.valid);
    l = o2_line("O 0100.0 T +02.00 P 1000.0 S 01 ", 1);
    fake_uart_send(HAL_UART_O2, l, strlen(l));
    o2m_poll(&m, 220);
    CHECK(!m.o2.valid && !m.temp.valid && !m.pres.valid);
    l = o2_line("O 0100.0 T +02.00 P 1000.0 S 10 ", 1); /* end of life: a warning, values valid */
    fake_uart_send(HAL_UART_O2, l, strlen(l));
    o2m_poll(&m, 230);
    CHECK(m.o2.valid && m.o2.value == 1000 && m.temp.valid && m.pres.valid);

    /* Garbage, an over-long line, NULs, a bad checksum: counted, the last good values stay, no hang. */
    for (i = 0; i < sizeof junk; i++) {
        junk[i] = (uint8_t)(i * 37u + 11u);
        if (junk[i] == '\n') {
            junk[i] = 'x';
        }
    }
    fake_uart_send(HAL_UART_O2, junk, sizeof junk);
    fake_uart_send(HAL_UART_O2, "\n", 1);
    fake_uart_send(HAL_UART_O2, "\0\0\0\r\n", 5);
    fake_uart_send(HAL_UART_O2, "O 0209.5 T +01.50 P 1013.2 S 00 *17\r\n", 37);
    for (i = 0; i < 10 && fake_uart_pending(HAL_UART_O2) > 0u; i++) {
        o2m_poll(&m, 240); /* a bounded number of bytes per poll */
    }
    CHECK_EQ_U(fake_uart_pending(HAL_UART_O2), 0);
    CHECK_EQ_U(m.lines_bad, 3);
    CHECK(m.o2.valid && m.o2.value == 1000 && m.o2.at_ms == 230u);
    /* The next good line is read whole. */
    l = o2_line("O 0209.5 T +01.50 P 1013.2 S 00 ", 1);
    fake_uart_send(HAL_UART_O2, l, strlen(l));
    o2m_poll(&m, 250);
    CHECK(m.o2.valid && m.o2.value == 2095 && m.o2.at_ms == 250u);

    /* Silence: one timeout after 3000 ms without a good line, not one per poll; a line ends it. */
    o2m_poll(&m, 3250);
    CHECK_EQ_U(m.timeouts, 0);
    o2m_poll(&m, 3251);
    o2m_poll(&m, 9000);
    CHECK_EQ_U(m.timeouts, 1);
    fake_uart_send(HAL_UART_O2, l, strlen(l));
    o2m_poll(&m, 9100);
    o2m_poll(&m, 12101);
    CHECK_EQ_U(m.timeouts, 2);
}

/* ---- Modbus ------------------------------------------------------------------------------------------------ */

static void test_modbus_crc_and_request(void)
{
    uint8_t req[8];

    CHECK_EQ_U(modbus_crc((const uint8_t *)"123456789", 9), 0x4B37);
    CHECK_EQ_U(modbus_read_input_request(req, 1, 0, 5), 8);
    {
        static const uint8_t want[8] = { 0x01, 0x04, 0x00, 0x00, 0x00, 0x05, 0x30, 0x09 };
        CHECK(memcmp(req, want, 8) == 0);
    }
    modbus_read_input_request(req, 0xF7, 0x1234, 2);
    CHECK(req[0] == 0xF7 && req[2] == 0x12 && req[3] == 0x34 && req[5] == 2);
    CHECK_EQ_U(modbus_crc(req, 8), 0); /* a frame with its CRC checks to 0 */
}

/* Answer to "read 5 from 0" with status 0, 395 ppm, 1.50 degC, 1013.3 hPa (the emulator's registers). */
static const uint8_t good_answer[15] = { 0x01, 0x04, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x01, 0x8B,
                                         0x00, 0x96, 0x27, 0x95, 0x4F, 0x00 };

static modbus_result_t push_all(modbus_rx_t *rx, const uint8_t *b, size_t n)
{
    modbus_result_t r = MODBUS_NEED_MORE;
    size_t i;

    for (i = 0; i < n; i++) {
        r = modbus_rx_push(rx, b[i]);
        if (r != MODBUS_NEED_MORE && i + 1u < n) {
            return (modbus_result_t)99; /* completed early */
        }
    }
    return r;
}

static void test_modbus_rx(void)
{
    modbus_rx_t rx;
    uint8_t b[64];
    uint16_t crc;

    modbus_rx_start(&rx, 1, 5);
    CHECK(push_all(&rx, good_answer, sizeof good_answer) == MODBUS_ANSWER);
    CHECK(rx.regs[0] == 0 && rx.regs[1] == 0 && rx.regs[2] == 395 && rx.regs[3] == 150 && rx.regs[4] == 10133);
    CHECK(!rx.crc_seen && rx.skipped == 0);

    /* Garbage in front, including bytes that look like a header (the address, then the function). */
    modbus_rx_start(&rx, 1, 5);
    memcpy(b, "\xAA\x01\x04\x0A\x55\x01\x77", 7);
    memcpy(&b[7], good_answer, sizeof good_answer);
    {
        size_t i;
        modbus_result_t r = MODBUS_NEED_MORE;
        for (i = 0; i < 7u + sizeof good_answer && r == MODBUS_NEED_MORE; i++) {
            r = modbus_rx_push(&rx, b[i]);
        }
        CHECK(r == MODBUS_ANSWER && i == 7u + sizeof good_answer);
        CHECK(rx.regs[2] == 395);
        CHECK_EQ_U(rx.skipped, 7);
    }

    /* A wrong CRC: not an answer; seen. */
    modbus_rx_start(&rx, 1, 5);
    memcpy(b, good_answer, sizeof good_answer);
    b[14] ^= 0x01;
    CHECK(push_all(&rx, b, sizeof good_answer) == MODBUS_NEED_MORE);
    CHECK(rx.crc_seen);

    /* An exception answer. */
    modbus_rx_start(&rx, 1, 5);
    b[0] = 0x01;
    b[1] = 0x84;
    b[2] = 0x02;
    crc = modbus_crc(b, 3);
    b[3] = (uint8_t)(crc & 0xFF);
    b[4] = (uint8_t)(crc >> 8);
    CHECK(push_all(&rx, b, 5) == MODBUS_EXCEPTION_ANSWER);
    CHECK_EQ_U(rx.exception, 2);

    /* Another slave's answer, or another byte count: skipped. */
    modbus_rx_start(&rx, 2, 5);
    CHECK(push_all(&rx, good_answer, sizeof good_answer) == MODBUS_NEED_MORE);
    modbus_rx_start(&rx, 1, 4);
    CHECK(push_all(&rx, good_answer, sizeof good_answer) == MODBUS_NEED_MORE);

    /* Endless noise stays bounded. */
    modbus_rx_start(&rx, 1, 5);
    {
        int i;
        for (i = 0; i < 100000; i++) {
            (void)modbus_rx_push(&rx, (uint8_t)(rand() & 0xFF));
            if (rx.len > sizeof rx.buf) {
                CHECK(0 && "buffer overrun");
                break;
            }
        }
    }
}

static void test_co2_poller(void)
{
    co2m_t m;
    uint8_t req[16];
    uint8_t junk[200];
    size_t i;

    fake_reset();
    co2m_init(&m, 1, 1000, 300, 0);
    CHECK_EQ_U(co2m_ppm_to_kpa1000(395, 10133), 40);  /* 0.040 kPa */
    CHECK_EQ_U(co2m_ppm_to_kpa1000(50000, 10133), 5067);
    CHECK_EQ_U(co2m_ppm_to_kpa1000(0, 10133), 0);
    CHECK_EQ_U(co2m_ppm_to_kpa1000(1000000u, 65535u), 655350);

    /* Asks at once; the answer gives the value. */
    co2m_poll(&m, 0);
    CHECK_EQ_U(fake_uart_take(HAL_UART_CO2, req, sizeof req), 8);
    CHECK(req[0] == 1 && req[1] == 4 && req[5] == 5);
    CHECK_EQ_U(co2m_idle_ms(&m, 0), 300);
    fake_uart_send(HAL_UART_CO2, good_answer, 7);
    co2m_poll(&m, 5);
    CHECK(!m.co2.valid);
    fake_uart_send(HAL_UART_CO2, good_answer + 7, sizeof good_answer - 7);
    co2m_poll(&m, 12);
    CHECK(m.co2.valid && m.co2.value == 40 && m.co2.at_ms == 12u);
    CHECK_EQ_U(m.answers, 1);
    CHECK_EQ_U(co2m_idle_ms(&m, 12), 988);

    /* Nothing before the next poll; then silence: one timeout, the value stays (it ages). */
    co2m_poll(&m, 999);
    CHECK_EQ_U(fake_uart_take(HAL_UART_CO2, req, sizeof req), 0);
    co2m_poll(&m, 1000);
    CHECK_EQ_U(fake_uart_take(HAL_UART_CO2, req, sizeof req), 8);
    co2m_poll(&m, 1299);
    CHECK_EQ_U(m.timeouts, 0);
    co2m_poll(&m, 1300);
    CHECK_EQ_U(m.timeouts, 1);
    CHECK(m.co2.valid && m.co2.at_ms == 12u);

    /* A slow answer: after its timeout it is noise, not a value. */
    co2m_poll(&m, 2000);
    fake_uart_take(HAL_UART_CO2, req, sizeof req);
    co2m_poll(&m, 2400);
    CHECK_EQ_U(m.timeouts, 2);
    fake_uart_send(HAL_UART_CO2, good_answer, sizeof good_answer);
    co2m_poll(&m, 2500);
    CHECK_EQ_U(m.answers, 1);
    CHECK_EQ_U(m.noise, sizeof good_answer);

    /* A wrong CRC, then garbage in front of a good answer. */
    co2m_poll(&m, 3000);
    fake_uart_take(HAL_UART_CO2, req, sizeof req);
    memcpy(junk, good_answer, sizeof good_answer);
    junk[13] ^= 0xFF;
    fake_uart_send(HAL_UART_CO2, junk, sizeof good_answer);
    co2m_poll(&m, 3010);
    co2m_poll(&m, 3300);
    CHECK_EQ_U(m.bad_crc, 1);
    CHECK_EQ_U(m.timeouts, 3);
    co2m_poll(&m, 4000);
    fake_uart_take(HAL_UART_CO2, req, sizeof req);
    for (i = 0; i < 40; i++) {
        junk[i] = (uint8_t)(0x80u + i);
    }
    fake_uart_send(HAL_UART_CO2, junk, 40);
    fake_uart_send(HAL_UART_CO2, good_answer, sizeof good_answer);
    for (i = 0; i < 5; i++) {
        co2m_poll(&m, 4010); /* bounded reads per poll */
    }
    CHECK_EQ_U(m.answers, 2);
    CHECK(m.co2.valid && m.co2.at_ms == 4010u);

    /* A fault in the status register: counted; the value goes invalid. */
    co2m_poll(&m, 5000);
    fake_uart_take(HAL_UART_CO2, req, sizeof req);
    {
        uint8_t a[15];
        uint16_t crc;
        memcpy(a, good_answer, sizeof a);
        a[4] = 0x02; /* lamp fault */
        crc = modbus_crc(a, 13);
        a[13] = (uint8_t)(crc & 0xFF);
        a[14] = (uint8_t)(crc >> 8);
        fake_uart_send(HAL_UART_CO2, a, sizeof a);
    }
    co2m_poll(&m, 5010);
    CHECK_EQ_U(m.faults, 1);
    CHECK(!m.co2.valid);

    /* A stalled loop does not make a burst of requests. */
    co2m_poll(&m, 9000);
    CHECK_EQ_U(fake_uart_take(HAL_UART_CO2, req, sizeof req), 8);
    co2m_poll(&m, 9400);
    co2m_poll(&m, 9500);
    CHECK_EQ_U(fake_uart_take(HAL_UART_CO2, req, sizeof req), 0);
}

/* Random bytes into both drivers for a long time: nothing breaks, counts stay sane. */
static void test_module_fuzz(void)
{
    o2m_t o2;
    co2m_t co2;
    uint8_t buf[97];
    uint32_t now = 0;
    int round;

    fake_reset();
    srand(4);
    o2m_init(&o2, 3000, 0);
    co2m_init(&co2, 1, 100, 30, 0);
    for (round = 0; round < 20000; round++) {
        size_t n = (size_t)(rand() % (int)sizeof buf);
        size_t i;
        for (i = 0; i < n; i++) {
            buf[i] = (uint8_t)(rand() & 0xFF);
        }
        if (round % 7 == 0) {
            /* After noise a module's line is lost unless a line end came first: as on a real wire. */
            const char *l = o2_line("O 0209.5 T +01.50 P 1013.2 S 00 ", 1);
            fake_uart_send(HAL_UART_O2, "\n", 1);
            fake_uart_send(HAL_UART_O2, l, strlen(l));
        }
        fake_uart_send(HAL_UART_O2, buf, n);
        fake_uart_send(HAL_UART_CO2, buf, n);
        if (round % 5 == 0) {
            fake_uart_send(HAL_UART_CO2, good_answer, sizeof good_answer);
        }
        now += (uint32_t)(rand() % 50);
        fake_set_time(now);
        while (fake_uart_pending(HAL_UART_O2) > 0u || fake_uart_pending(HAL_UART_CO2) > 0u) {
            o2m_poll(&o2, now);
            co2m_poll(&co2, now);
        }
        {
            uint8_t sink[64];
            while (fake_uart_take(HAL_UART_CO2, sink, sizeof sink) > 0u) {
            }
        }
        if (o2.len > O2M_LINE_MAX || co2.rx.len > sizeof co2.rx.buf) {
            CHECK(0 && "buffer bound broken");
            break;
        }
    }
    CHECK(o2.lines_ok > 2000u);   /* the good lines among the noise were read (20000 / 7 were sent) */
    CHECK(co2.answers > 100u);
    CHECK(o2.o2.valid && o2.o2.value == 2095);
    printf("module fuzz: o2 lines ok %lu bad %lu; co2 answers %lu timeouts %lu bad crc %lu noise %lu\n",
           (unsigned long)o2.lines_ok, (unsigned long)o2.lines_bad, (unsigned long)co2.answers,
           (unsigned long)co2.timeouts, (unsigned long)co2.bad_crc, (unsigned long)co2.noise);
}

int main(void)
{
    test_o2_parse();
    test_o2_stream();
    test_modbus_crc_and_request();
    test_modbus_rx();
    test_co2_poller();
    test_module_fuzz();
    return check_done();
}
