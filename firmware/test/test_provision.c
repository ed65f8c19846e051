/*
 * The provisioning record (common/provision.h): its bytes, every single-bit corruption caught, invalid
 * settings refused, and the avr build's reading of it at power-up (targets/avr/main.c reads it with the same
 * decode; here through the fake HAL's EEPROM).
 */
#include <string.h>

#include "common/crc16.h"
#include "common/hal.h"
#include "common/provision.h"
#include "test/check.h"
#include "test/fake_hal.h"

static void test_round_trip(void)
{
    provision_t p;
    provision_t q;
    uint8_t bytes[PROVISION_SIZE];

    memset(&p, 0, sizeof p);
    strcpy(p.sn, "AV-0042");
    p.period_ms = 250;
    p.stale_ms = 5000;
    p.flush_ms = 60000;
    p.cells = 3;
    CHECK(provision_encode(&p, bytes));
    CHECK(bytes[0] == 'P' && bytes[1] == 'V' && bytes[2] == 1u && bytes[3] == 7u);
    CHECK(memcmp(&bytes[4], "AV-0042", 7) == 0);
    CHECK_EQ_U(bytes[20] | (bytes[21] << 8), 250u);
    CHECK_EQ_U(bytes[32], 3u);
    CHECK_EQ_U(bytes[36] | (bytes[37] << 8), crc16(bytes, 36u));
    memset(&q, 0xAA, sizeof q);
    CHECK(provision_decode(bytes, &q));
    CHECK_STR(q.sn, "AV-0042");
    CHECK_EQ_U(q.period_ms, 250u);
    CHECK_EQ_U(q.stale_ms, 5000u);
    CHECK_EQ_U(q.flush_ms, 60000u);
    CHECK_EQ_U(q.cells, 3u);

    /* Everything at its default: an empty serial number and zeros. */
    memset(&p, 0, sizeof p);
    CHECK(provision_encode(&p, bytes));
    CHECK(provision_decode(bytes, &q));
    CHECK_STR(q.sn, "");
    CHECK_EQ_U(q.period_ms, 0u);

    /* The longest serial number fills its 16 bytes, no NUL needed in the record. */
    strcpy(p.sn, "ABCDEFGHIJKLMNOP");
    CHECK(provision_encode(&p, bytes));
    CHECK(provision_decode(bytes, &q));
    CHECK_STR(q.sn, "ABCDEFGHIJKLMNOP");
}

static void test_refusals(void)
{
    provision_t p;
    provision_t q;
    uint8_t bytes[PROVISION_SIZE];
    uint8_t before[PROVISION_SIZE];
    unsigned bit;

    memset(&p, 0, sizeof p);
    strcpy(p.sn, "GB 01"); /* a space */
    memset(bytes, 0x5A, sizeof bytes);
    memcpy(before, bytes, sizeof bytes);
    CHECK(!provision_encode(&p, bytes));
    CHECK(memcmp(bytes, before, sizeof bytes) == 0); /* untouched */
    strcpy(p.sn, "GB-01");
    p.cells = 9;
    CHECK(!provision_encode(&p, bytes));

    /* Erased EEPROM: no record. */
    memset(bytes, 0xFF, sizeof bytes);
    CHECK(!provision_decode(bytes, &q));

    /* Every single-bit corruption is caught, and leaves *q untouched. */
    p.cells = 2;
    p.period_ms = 1000;
    CHECK(provision_encode(&p, before));
    for (bit = 0; bit < PROVISION_SIZE * 8u; bit++) {
        memcpy(bytes, before, sizeof bytes);
        bytes[bit / 8u] ^= (uint8_t)(1u << (bit % 8u));
        memset(&q, 0x11, sizeof q);
        if (!CHECK(!provision_decode(bytes, &q))) {
            fprintf(stderr, "    bit %u\n", bit);
            break;
        }
    }
    CHECK_EQ_U(q.period_ms, 0x11111111u);

    /* A record whose CRC is right but whose contents are not valid: refused (a serial number with a space). */
    memcpy(bytes, before, sizeof bytes);
    bytes[5] = ' ';
    bytes[36] = (uint8_t)(crc16(bytes, 36u) & 0xFFu);
    bytes[37] = (uint8_t)(crc16(bytes, 36u) >> 8);
    CHECK(!provision_decode(bytes, &q));
}

static void test_in_eeprom(void)
{
    provision_t p;
    provision_t q;
    uint8_t bytes[PROVISION_SIZE];

    fake_reset();
    /* The record sits in the last 64 bytes of the 4 KiB, beyond the boards' own maps. */
    CHECK(PROVISION_ADDR + PROVISION_SIZE <= hal_eeprom_size());
    CHECK(PROVISION_ADDR >= 4096u - 64u);
    memset(&p, 0, sizeof p);
    strcpy(p.sn, "PU-0777");
    CHECK(provision_encode(&p, bytes));
    CHECK_EQ_I(hal_eeprom_write(PROVISION_ADDR, bytes, PROVISION_SIZE), 0);
    memset(bytes, 0, sizeof bytes);
    CHECK_EQ_I(hal_eeprom_read(PROVISION_ADDR, bytes, PROVISION_SIZE), 0);
    CHECK(provision_decode(bytes, &q));
    CHECK_STR(q.sn, "PU-0777");
}

/* The serial-number rule the host tools check their --sn against: 1 to 16 of [A-Za-z0-9-]. */
static void test_sn_rule(void)
{
    CHECK(provision_sn_valid("AV-0042"));
    CHECK(provision_sn_valid("a"));
    CHECK(provision_sn_valid("ABCDEFGHIJKLMNOP"));   /* 16 */
    CHECK(!provision_sn_valid(""));
    CHECK(!provision_sn_valid("ABCDEFGHIJKLMNOPQ")); /* 17 */
    CHECK(!provision_sn_valid("AV 0042"));
    CHECK(!provision_sn_valid("AV_0042"));
    CHECK(!provision_sn_valid("AV\n"));
}

int main(void)
{
    test_sn_rule();
    test_round_trip();
    test_refusals();
    test_in_eeprom();
    return check_done();
}
