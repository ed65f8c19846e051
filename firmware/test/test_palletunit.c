/*
 * The palletunit board on the fake HAL: its identity, its loop driving the outputs with and without a host,
 * the safe state, SETPT and LOOP, SET only in the host's manual mode; the protocol engine underneath is the
 * gasboard's (test_gasboard.c covers it).
 */
#include <stdio.h>
#include <string.h>

#include "common/crc16.h"
#include "palletunit/config.h"
#include "palletunit/palletunit.h"
#include "palletunit/setpoint_record.h"
#include "test/check.h"
#include "test/seal.h"
#include "test/fake_hal.h"

static palletunit_t pu;

static void send(const char *body)
{
    int polls = 0;

    fake_host_send(test_sealed(body));
    fake_host_send("\n");
    do {
        palletunit_poll(&pu);
    } while (fake_rx_pending() > 0u && ++polls < 100);
}

/* The next line that is not a reading (readings stream on as the loop works). */
static const char *next_answer(void)
{
    const char *line;

    while ((line = fake_host_next_line()) != NULL && strncmp(line, "RD ", 3) == 0) {
    }
    return line;
}

#define EXPECT(body) check_str(next_answer(), test_sealed(body), __FILE__, __LINE__, body)

static void sample(sample_t *s, int32_t v)
{
    s->valid = 1;
    s->value = v;
    s->at_ms = hal_millis();
}

static void power_up(void)
{
    gasboard_config_t cfg = palletunit_config_default();

    fake_reset();
    palletunit_init(&pu, &cfg);
}

/* N2 and air open at once, at any moment: the fake HAL records every hal_output_set, so check after each. */
static void test_never_both(void)
{
    power_up();
    fake_watch_exclusive(PU_OUT_N2, PU_OUT_AIR);
    /* Safe state first (no samples: air and fan), then a high O2: N2. The air must close before N2 opens. */
    fake_set_time(100);
    palletunit_poll(&pu);
    CHECK(fake_output(PU_OUT_AIR) == 1 && fake_output(PU_OUT_N2) == 0);
    {
        unsigned air_calls = fake_output_calls(PU_OUT_AIR);
        sample(&pu.core.o2m.o2, 500); /* 5.00 kPa: above the 3.5 kPa where N2 stops being useful */
        sample(&pu.core.co2m.co2, 500);
        palletunit_poll(&pu);
        CHECK(fake_output(PU_OUT_N2) == 1 && fake_output(PU_OUT_AIR) == 0);
        CHECK_EQ_U(fake_output_calls(PU_OUT_AIR), air_calls + 1u);
        CHECK(!fake_exclusive_broken());
    }
}

static void test_identity(void)
{
    power_up();
    send("SETPT id=1 o2=1.00 co2=1.000");
    EXPECT("NAK id=1 code=E_STATE"); /* a palletunit command, but before the HELLO */
    send("HELLO id=2 proto=1");
    EXPECT("ID id=2 kind=palletunit fw=0.1.0 sn=PU-0001 proto=1 caps=" PU_CAPS " t=0 boot=1 cal=0");
    send("PING id=3");
    EXPECT("NAK id=3 code=E_UNKNOWN");
    send("SET id=4 valve=n2 on=1");
    EXPECT("NAK id=4 code=E_STATE"); /* the loop drives the valves */
    CHECK_EQ_U(fake_output(PU_OUT_N2), 0);
}

static void test_loop_without_host(void)
{
    power_up();
    /* No HELLO ever: the loop runs all the same. O2 at 5.00 kPa, above 1.50 + 0.20 (and above the 3.5 kPa under
     * which N2 no longer helps): N2 and the fan. */
    fake_set_time(1000);
    sample(&pu.core.o2m.o2, 500);
    sample(&pu.core.co2m.co2, 500);
    palletunit_poll(&pu);
    CHECK(fake_output(PU_OUT_N2) == 1 && fake_output(PU_OUT_AIR) == 0 && fake_output(PU_OUT_FAN) == 1);
    CHECK_EQ_U(pu.loop.mode, LOOP_N2);
    /* Down to the setpoint: N2 closes. */
    fake_set_time(2000);
    sample(&pu.core.o2m.o2, 150);
    sample(&pu.core.co2m.co2, 500);
    palletunit_poll(&pu);
    CHECK(fake_output(PU_OUT_N2) == 0 && fake_output(PU_OUT_FAN) == 1); /* the fan runs on */
    /* The O2 module goes silent: after the sensor timeout, the safe state. */
    fake_set_time(12001);
    sample(&pu.core.co2m.co2, 500);
    palletunit_poll(&pu);
    CHECK(fake_output(PU_OUT_N2) == 0 && fake_output(PU_OUT_AIR) == 1 && fake_output(PU_OUT_FAN) == 1);
    CHECK_EQ_U(pu.loop.mode, LOOP_SAFE);
    /* Calibration applies to what the loop sees: an O2 zero offset of 2.00 kPa would hide a high O2. */
    pu.core.engine.cal.gas[SENSOR_O2].ref_zero = -200;
    fake_set_time(13000);
    sample(&pu.core.o2m.o2, 300); /* raw 3.00, calibrated 1.00: below the band, air */
    sample(&pu.core.co2m.co2, 500);
    palletunit_poll(&pu);
    CHECK_EQ_U(pu.loop.mode, LOOP_AIR_O2);
    CHECK(fake_output(PU_OUT_AIR) == 1 && fake_output(PU_OUT_N2) == 0);
}

static void test_host_commands(void)
{
    power_up();
    send("HELLO id=1 proto=1");
    fake_host_next_line();
    fake_set_time(1000);
    sample(&pu.core.o2m.o2, 160);
    sample(&pu.core.co2m.co2, 500);
    palletunit_poll(&pu);
    CHECK_EQ_U(pu.loop.mode, LOOP_HOLD);
    /* The host lowers the O2 setpoint: the loop follows at once (with pure N2: useful down to the setpoint). */
    pu.loop.p.n2_useful_above = 0;
    send("SETPT id=2 o2=1.2 co2=1.000");
    EXPECT("ACK id=2");
    CHECK_EQ_I(pu.loop.p.o2_setpoint, 120);
    CHECK_EQ_I(pu.loop.p.co2_max, 1000);
    sample(&pu.core.o2m.o2, 160);
    sample(&pu.core.co2m.co2, 500);
    palletunit_poll(&pu);
    CHECK_EQ_U(pu.loop.mode, LOOP_N2);
    CHECK_EQ_U(fake_output(PU_OUT_N2), 1);
    send("SETPT id=3 o2=0.20 co2=1.000");
    EXPECT("NAK id=3 code=E_RANGE");
    send("SETPT id=4 o2=1.00 co2=30.000");
    EXPECT("NAK id=4 code=E_RANGE");
    send("SETPT id=5 o2=1.001 co2=1.000");
    EXPECT("NAK id=5 code=E_ARG");
    send("SETPT id=6 o2=1.00");
    EXPECT("NAK id=6 code=E_ARG");
    send("SETPT id=7 o2=1.00 co2=1.000 fan=1");
    EXPECT("NAK id=7 code=E_ARG");
    CHECK_EQ_I(pu.loop.p.o2_setpoint, 120);

    /* Manual mode: the loop stops with everything closed; SET drives the valves and the fan. */
    send("LOOP id=8 on=0");
    EXPECT("ACK id=8");
    CHECK(fake_output(PU_OUT_N2) == 0 && fake_output(PU_OUT_AIR) == 0 && fake_output(PU_OUT_FAN) == 0);
    send("SET id=9 valve=fan on=1");
    EXPECT("ACK id=9");
    CHECK_EQ_U(fake_output(PU_OUT_FAN), 1);
    fake_set_time(2000);
    palletunit_poll(&pu);
    CHECK_EQ_U(fake_output(PU_OUT_FAN), 1); /* the loop leaves it alone */
    send("SET id=10 valve=scrub on=1");
    EXPECT("NAK id=10 code=E_ARG"); /* a palletunit has no scrubber */
    send("SET id=11 valve=n2 on=1 cell=2");
    EXPECT("NAK id=11 code=E_ARG"); /* nor cells */
    send("LOOP id=12 on=2");
    EXPECT("NAK id=12 code=E_ARG");
    send("LOOP id=13 on=1");
    EXPECT("ACK id=13");
    fake_set_time(3000);
    sample(&pu.core.o2m.o2, 160);
    sample(&pu.core.co2m.co2, 500);
    palletunit_poll(&pu);
    CHECK_EQ_U(fake_output(PU_OUT_N2), 1); /* the loop again */
    send("SET id=14 valve=fan on=0");
    EXPECT("NAK id=14 code=E_STATE");

    /* Readings go on as on every board, with the loop's values. */
    while (fake_host_next_line() != NULL) {
    }
    fake_set_time(4000);
    palletunit_poll(&pu);
    {
        const char *line = fake_host_next_line();
        CHECK(line != NULL && strncmp(line, "RD seq=4 t=3000 o2=1.60 co2=0.500 temp=NA cell=1*", 49) == 0);
    }
}

/* A power cycle keeping the EEPROM, and the board up again with a host. */
static void power_cycle(void)
{
    gasboard_config_t cfg = palletunit_config_default();

    fake_power_cycle(HAL_RESET_POWER);
    palletunit_init(&pu, &cfg);
    send("HELLO id=1 proto=1");
    fake_host_next_line();
}

static void test_setpoint_record(void)
{
    uint8_t rec[SETPOINT_RECORD_SIZE];
    uint8_t bad[SETPOINT_RECORD_SIZE];
    int32_t o2 = -1;
    int32_t co2 = -1;
    unsigned bit;

    setpoint_record_encode(120, 1000, rec);
    CHECK(rec[0] == 'S' && rec[1] == 'P' && rec[2] == 1u && rec[3] == 0u);
    CHECK(rec[4] == 120u && rec[5] == 0u && rec[8] == (1000u & 0xFFu) && rec[9] == (1000u >> 8));
    CHECK_EQ_U(rec[12] | (rec[13] << 8), crc16(rec, 12u));
    CHECK(setpoint_record_decode(rec, &o2, &co2));
    CHECK_EQ_I(o2, 120);
    CHECK_EQ_I(co2, 1000);
    for (bit = 0; bit < SETPOINT_RECORD_SIZE * 8u; bit++) {
        memcpy(bad, rec, sizeof bad);
        bad[bit / 8u] ^= (uint8_t)(1u << (bit % 8u));
        o2 = -1;
        if (!CHECK(!setpoint_record_decode(bad, &o2, &co2) && o2 == -1)) {
            fprintf(stderr, "    bit %u\n", bit);
            break;
        }
    }
    memset(bad, 0xFF, sizeof bad);
    CHECK(!setpoint_record_decode(bad, &o2, &co2)); /* erased */
    /* Intact but outside the limits (a record from another build, say): not used. */
    setpoint_record_encode(PU_O2_SETPOINT_MAX + 1, 1000, bad);
    CHECK(!setpoint_record_decode(bad, &o2, &co2));
    setpoint_record_encode(120, PU_CO2_MAX_MIN - 1, bad);
    CHECK(!setpoint_record_decode(bad, &o2, &co2));
    CHECK(setpoint_valid(PU_O2_SETPOINT_MIN, PU_CO2_MAX_MAX));
    CHECK(!setpoint_valid(PU_O2_SETPOINT_MIN - 1, PU_CO2_MAX_MAX));
}

static void test_setpoints_survive_power_cycle(void)
{
    unsigned writes;
    int i;

    /* A new board: the defaults. */
    power_up();
    CHECK_EQ_I(pu.loop.p.o2_setpoint, PU_O2_SETPOINT_DEFAULT);
    CHECK_EQ_I(pu.loop.p.co2_max, PU_CO2_MAX_DEFAULT);
    send("HELLO id=1 proto=1");
    fake_host_next_line();
    send("SETPT id=2 o2=0.80 co2=2.5");
    EXPECT("ACK id=2");
    CHECK_EQ_I(pu.loop.p.o2_setpoint, 80);
    {
        int32_t o2 = 0;
        int32_t co2 = 0;
        CHECK(setpoint_record_decode(&fake_eeprom()[PU_EE_SETPT_ADDR], &o2, &co2));
        CHECK_EQ_I(o2, 80);
        CHECK_EQ_I(co2, 2500);
    }

    /* Power cycle: the loop starts on the stored setpoints, and acts on them without a host. */
    fake_power_cycle(HAL_RESET_POWER);
    {
        gasboard_config_t cfg = palletunit_config_default();
        palletunit_init(&pu, &cfg);
    }
    CHECK_EQ_I(pu.loop.p.o2_setpoint, 80);
    CHECK_EQ_I(pu.loop.p.co2_max, 2500);
    fake_set_time(1000);
    /* O2 0.90 and CO2 2.000 kPa: inside the stored 0.80 +- 0.20 and under the stored 2.500, so the loop holds;
     * on the default setpoints (1.50, 1.500) both would open the air. */
    sample(&pu.core.o2m.o2, 90);
    sample(&pu.core.co2m.co2, 2000);
    palletunit_poll(&pu);
    CHECK_EQ_U(pu.loop.mode, LOOP_HOLD);
    CHECK_EQ_U(fake_output(PU_OUT_N2), 0);
    CHECK_EQ_U(fake_output(PU_OUT_AIR), 0);

    /* A refused SETPT stores nothing. */
    send("HELLO id=1 proto=1");
    fake_host_next_line();
    writes = fake_eeprom_writes();
    send("SETPT id=3 o2=0.10 co2=1.000");
    EXPECT("NAK id=3 code=E_RANGE");
    send("SETPT id=4 o2=abc co2=1.000");
    EXPECT("NAK id=4 code=E_ARG");
    CHECK_EQ_U(fake_eeprom_writes(), writes);

    /* An EEPROM that fails: NAK E_STORE, and neither the loop nor the record changes. */
    fake_eeprom_fail_writes(1);
    send("SETPT id=5 o2=2.00 co2=1.000");
    EXPECT("NAK id=5 code=E_STORE");
    fake_eeprom_fail_writes(0);
    CHECK_EQ_I(pu.loop.p.o2_setpoint, 80);
    power_cycle();
    CHECK_EQ_I(pu.loop.p.o2_setpoint, 80);
    CHECK_EQ_I(pu.loop.p.co2_max, 2500);

    /* A corrupted record (one flipped bit): the defaults, said once in the log. */
    {
        unsigned logs;
        fake_eeprom()[PU_EE_SETPT_ADDR + 5u] ^= 0x10u;
        logs = fake_log_count();
        power_cycle();
        CHECK_EQ_I(pu.loop.p.o2_setpoint, PU_O2_SETPOINT_DEFAULT);
        CHECK_EQ_I(pu.loop.p.co2_max, PU_CO2_MAX_DEFAULT);
        CHECK(fake_log_count() > logs);
    }

    /* Stored again, it holds over several power cycles; the boot counter's record beside it is untouched. */
    send("SETPT id=6 o2=3.00 co2=0.800");
    EXPECT("ACK id=6");
    for (i = 0; i < 3; i++) {
        power_cycle();
        CHECK_EQ_I(pu.loop.p.o2_setpoint, 300);
        CHECK_EQ_I(pu.loop.p.co2_max, 800);
    }
    CHECK_EQ_U(pu.core.engine.boot, 7u); /* power_up, then six power cycles */
}

int main(void)
{
    test_never_both();
    test_identity();
    test_loop_without_host();
    test_host_commands();
    test_setpoint_record();
    test_setpoints_survive_power_cycle();
    return check_done();
}
