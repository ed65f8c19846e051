/*
 * The reading ring (common/reading_ring.c) and the EEPROM boot record (common/boot_record.c): numbering,
 * overwriting, lookups around the ring's edges and across the seq wrap; record bytes, checksum, corruption.
 */
#include <string.h>

#include "common/boot_record.h"
#include "common/calibration.h"
#include "common/reading_ring.h"
#include "test/check.h"
#include "test/fake_hal.h"

static reading_t r_at(uint32_t t)
{
    reading_t r;

    memset(&r, 0, sizeof r);
    r.t_ms = t;
    r.value[0] = (int16_t)(t % 30000u);
    r.valid = 1u;
    return r;
}

static void test_ring(void)
{
    reading_t slots[4];
    reading_ring_t ring;
    reading_t r = r_at(0);
    reading_t got;
    uint32_t k;

    reading_ring_init(&ring, slots, 4);
    CHECK_EQ_U(ring.count, 0);
    CHECK(!reading_ring_get(&ring, 0, &got));
    CHECK(!reading_ring_get(&ring, 1, &got));

    for (k = 1; k <= 3; k++) {
        r = r_at(k * 10u);
        CHECK_EQ_U(reading_ring_push(&ring, &r), k);
    }
    CHECK_EQ_U(ring.count, 3);
    CHECK_EQ_U(reading_ring_oldest_seq(&ring), 1);
    CHECK(reading_ring_get(&ring, 2, &got) && got.t_ms == 20u && got.value[0] == 20);
    CHECK(!reading_ring_get(&ring, 4, &got)); /* not taken yet */
    CHECK(!reading_ring_get(&ring, 0, &got));

    /* Full, then overwriting the oldest. */
    for (k = 4; k <= 10; k++) {
        r = r_at(k * 10u);
        CHECK_EQ_U(reading_ring_push(&ring, &r), k);
    }
    CHECK_EQ_U(ring.count, 4);
    CHECK_EQ_U(reading_ring_oldest_seq(&ring), 7);
    CHECK(!reading_ring_get(&ring, 6, &got));
    for (k = 7; k <= 10; k++) {
        CHECK(reading_ring_get(&ring, k, &got) && got.t_ms == k * 10u);
    }
    CHECK(!reading_ring_get(&ring, 11, &got));
    CHECK(!reading_ring_get(&ring, 0xFFFFFFFFu, &got));

    /* Across the seq wrap: 4294967294, 4294967295, 0, 1. */
    ring.newest_seq = 4294967293u;
    for (k = 0; k < 4; k++) {
        r = r_at(1000u + k);
        reading_ring_push(&ring, &r);
    }
    CHECK_EQ_U(ring.newest_seq, 1);
    CHECK_EQ_U(reading_ring_oldest_seq(&ring), 4294967294u);
    CHECK(reading_ring_get(&ring, 4294967294u, &got) && got.t_ms == 1000u);
    CHECK(reading_ring_get(&ring, 4294967295u, &got) && got.t_ms == 1001u);
    CHECK(reading_ring_get(&ring, 0, &got) && got.t_ms == 1002u);
    CHECK(reading_ring_get(&ring, 1, &got) && got.t_ms == 1003u);
    CHECK(!reading_ring_get(&ring, 2, &got));
    CHECK(!reading_ring_get(&ring, 4294967293u, &got));

    /* A ring of one. */
    reading_ring_init(&ring, slots, 1);
    r = r_at(5);
    reading_ring_push(&ring, &r);
    r = r_at(6);
    reading_ring_push(&ring, &r);
    CHECK(!reading_ring_get(&ring, 1, &got));
    CHECK(reading_ring_get(&ring, 2, &got) && got.t_ms == 6u);
    CHECK_EQ_U(reading_ring_oldest_seq(&ring), 2);

    CHECK(reading_ring_value_fits(32767) && reading_ring_value_fits(-32768) && reading_ring_value_fits(0));
    CHECK(!reading_ring_value_fits(32768) && !reading_ring_value_fits(-32769));
}

static void test_boot_record(void)
{
    uint8_t bytes[BOOT_RECORD_SIZE];
    uint32_t boots = 0;
    uint32_t wdt = 0;
    boot_record_t br;
    size_t i;

    boot_record_encode(7, 2, bytes);
    CHECK(bytes[0] == 'B' && bytes[1] == 'R' && bytes[2] == 1u);
    CHECK_EQ_U(bytes[4], 7);   /* little-endian */
    CHECK_EQ_U(bytes[8], 2);
    CHECK(boot_record_decode(bytes, &boots, &wdt));
    CHECK_EQ_U(boots, 7);
    CHECK_EQ_U(wdt, 2);
    /* Every single-bit corruption is caught. */
    for (i = 0; i < BOOT_RECORD_SIZE * 8u; i++) {
        bytes[i / 8u] ^= (uint8_t)(1u << (i % 8u));
        if (boot_record_decode(bytes, &boots, &wdt)) {
            CHECK(0 && "corruption not caught");
        }
        bytes[i / 8u] ^= (uint8_t)(1u << (i % 8u));
    }
    memset(bytes, 0xFF, sizeof bytes);
    CHECK(!boot_record_decode(bytes, &boots, &wdt)); /* erased */

    fake_reset();
    boot_record_count(100, HAL_RESET_POWER, &br);
    CHECK(!br.was_valid && br.stored && br.boots == 1u && br.wdt_resets == 0u);
    boot_record_count(100, HAL_RESET_WATCHDOG, &br);
    CHECK(br.was_valid && br.stored && br.boots == 2u && br.wdt_resets == 1u);
    CHECK(boot_record_decode(&fake_eeprom()[100], &boots, &wdt) && boots == 2u && wdt == 1u);
    /* Counts wrap at 2^32. */
    boot_record_encode(0xFFFFFFFFu, 0xFFFFFFFFu, &fake_eeprom()[100]);
    boot_record_count(100, HAL_RESET_WATCHDOG, &br);
    CHECK(br.was_valid && br.boots == 0u && br.wdt_resets == 0u);
    /* Out of the EEPROM: a fresh count, not stored. */
    boot_record_count(4090, HAL_RESET_POWER, &br);
    CHECK(!br.was_valid && !br.stored && br.boots == 1u);
}

static void test_calibration(void)
{
    static const cal_limits_t o2 = { 300, 500 };
    cal_set_t cal;
    cal_set_t back;
    cal_gas_t g;
    uint8_t rec[CAL_RECORD_SIZE];
    size_t i;

    cal_factory(&cal);
    CHECK_EQ_U(cal.count, 0);
    CHECK_EQ_I(cal_apply(&cal.gas[0], 2090), 2090);
    CHECK_EQ_I(cal_apply(&cal.gas[1], -40), -40);

    /* Zero with N2 (true 0.00) where the sensor says 0.12; span with air (true 20.95) where it then says 20.00. */
    g = cal.gas[0];
    CHECK(cal_zero(&g, 12, 0, &o2) == CAL_OK);
    CHECK_EQ_I(cal_apply(&g, 12), 0);
    CHECK_EQ_I(cal_apply(&g, 2012), 2000); /* an offset only, so far */
    CHECK(cal_span(&g, 2000, 2095, &o2) == CAL_OK);
    CHECK_EQ_I(cal_apply(&g, 12), 0);
    CHECK_EQ_I(cal_apply(&g, 2000), 2095);
    /* In between, linear, rounded half away from zero: (1006 - 12) * 2095 / 1988 = 1047.5 -> 1048. */
    CHECK_EQ_I(cal_apply(&g, 1006), 1048);
    CHECK_EQ_I(cal_apply(&g, 0), -13); /* below the zero point: -12 * 2095 / 1988 = -12.6 -> -13 */
    /* Saturation instead of overflow. */
    g.gain_num = 2;
    g.gain_den = 1;
    CHECK_EQ_I(cal_apply(&g, INT32_MAX), INT32_MAX);
    CHECK_EQ_I(cal_apply(&g, INT32_MIN), INT32_MIN);

    /* Limits: nothing changes on a refusal. */
    g = cal.gas[0];
    CHECK(cal_zero(&g, 301, 0, &o2) == CAL_E_RANGE);   /* offset over 3.00 kPa */
    CHECK(cal_zero(&g, -300, 0, &o2) == CAL_OK);       /* exactly 3.00 is allowed */
    g = cal.gas[0];
    CHECK(cal_span(&g, 499, 499, &o2) == CAL_E_RANGE); /* too close to the zero point */
    CHECK(cal_span(&g, 1000, 2001, &o2) == CAL_E_RANGE); /* gain over 2 */
    CHECK(cal_span(&g, 2000, 999, &o2) == CAL_E_RANGE);  /* gain under 1/2 */
    CHECK(cal_span(&g, -2000, -2000, &o2) == CAL_E_RANGE); /* below the zero point */
    CHECK(g.gain_num == 1 && g.gain_den == 1 && g.raw_zero == 0);
    CHECK(cal_span(&g, 1000, 2000, &o2) == CAL_OK);       /* gain exactly 2 */

    /* The record. */
    cal.count = 3;
    cal.gas[0] = g;
    cal.gas[1].raw_zero = -5;
    cal.gas[1].ref_zero = 0;
    cal.gas[1].gain_num = 5000;
    cal.gas[1].gain_den = 4900;
    cal_encode(&cal, rec);
    CHECK(rec[0] == 'C' && rec[1] == 'L' && rec[2] == 1u);
    CHECK(cal_decode(rec, &back));
    CHECK(memcmp(&back, &cal, sizeof cal) == 0);
    for (i = 0; i < CAL_RECORD_SIZE * 8u; i++) {
        rec[i / 8u] ^= (uint8_t)(1u << (i % 8u));
        if (cal_decode(rec, &back)) {
            CHECK(0 && "corruption not caught");
        }
        rec[i / 8u] ^= (uint8_t)(1u << (i % 8u));
    }
    memset(rec, 0xFF, sizeof rec);
    CHECK(!cal_decode(rec, &back));
    /* A record with a correct CRC but a gain denominator of 0 is refused too. */
    cal.gas[1].gain_den = 0;
    cal_encode(&cal, rec);
    CHECK(!cal_decode(rec, &back));
}

int main(void)
{
    test_ring();
    test_boot_record();
    test_calibration();
    return check_done();
}
