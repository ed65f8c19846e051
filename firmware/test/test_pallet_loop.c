/* The palletunit's local loop (palletunit/pallet_loop.c): hysteresis, priorities, fan run-on, the safe state,
 * setpoints from a host, and a closed loop against a tiny cover model. */
#include <string.h>

#include "palletunit/config.h"
#include "palletunit/pallet_loop.h"
#include "test/check.h"

static sample_t at(int32_t v, uint32_t t)
{
    sample_t s;

    s.valid = 1;
    s.value = v;
    s.at_ms = t;
    return s;
}

static void test_hysteresis(void)
{
    pallet_loop_t l;
    loop_params_t p = loop_params_default();
    sample_t co2 = at(500, 0);
    sample_t o2;

    p.n2_useful_above = 0; /* pure N2 from a bottle: useful down to the setpoint (the default stops at 3 kPa) */
    loop_init(&l, &p); /* O2 1.50 +- 0.20, CO2 max 1.500 - 0.200 */
    o2 = at(160, 0);
    loop_step(&l, &o2, &co2, 0);
    CHECK(l.mode == LOOP_HOLD && !l.n2 && !l.air && !l.fan);
    o2 = at(171, 1000);
    co2.at_ms = 1000;
    loop_step(&l, &o2, &co2, 1000);
    CHECK(l.mode == LOOP_N2 && l.n2 && !l.air && l.fan); /* above 1.70: N2 */
    o2 = at(151, 2000);
    co2.at_ms = 2000;
    loop_step(&l, &o2, &co2, 2000);
    CHECK(l.n2); /* still above the setpoint: keeps purging */
    o2 = at(150, 3000);
    co2.at_ms = 3000;
    loop_step(&l, &o2, &co2, 3000);
    CHECK(l.mode == LOOP_HOLD && !l.n2 && l.fan); /* at the setpoint: closes; the fan runs on */
    o2 = at(131, 4000);
    co2.at_ms = 4000;
    loop_step(&l, &o2, &co2, 4000);
    CHECK(!l.air); /* inside the band */
    o2 = at(129, 5000);
    co2.at_ms = 5000;
    loop_step(&l, &o2, &co2, 5000);
    CHECK(l.mode == LOOP_AIR_O2 && l.air && !l.n2);
    o2 = at(149, 6000);
    co2.at_ms = 6000;
    loop_step(&l, &o2, &co2, 6000);
    CHECK(l.air);
    o2 = at(150, 7000);
    co2.at_ms = 7000;
    loop_step(&l, &o2, &co2, 7000);
    CHECK(!l.air);
    /* Fan run-on: 30 s after the last step with a valve open (6000). */
    co2.at_ms = 35999;
    o2.at_ms = 35999;
    loop_step(&l, &o2, &co2, 35999);
    CHECK(l.fan);
    co2.at_ms = 36000;
    o2.at_ms = 36000;
    loop_step(&l, &o2, &co2, 36000);
    CHECK(!l.fan);
}

static void test_priorities(void)
{
    pallet_loop_t l;
    loop_params_t p = loop_params_default();
    sample_t o2 = at(500, 0);   /* O2 high: wants N2 */
    sample_t co2 = at(1501, 0); /* CO2 high: wants air */

    loop_init(&l, &p);
    loop_step(&l, &o2, &co2, 0);
    CHECK(l.mode == LOOP_AIR_CO2 && l.air && !l.n2); /* never both; air first */
    co2 = at(1400, 1000);
    o2.at_ms = 1000;
    loop_step(&l, &o2, &co2, 1000);
    CHECK(l.air); /* CO2 still above max - band */
    co2 = at(1300, 2000);
    o2.at_ms = 2000;
    loop_step(&l, &o2, &co2, 2000);
    CHECK(l.mode == LOOP_N2 && l.n2 && !l.air); /* CO2 done: now O2 */
}

static void test_safe_state(void)
{
    pallet_loop_t l;
    loop_params_t p = loop_params_default();
    sample_t o2 = at(500, 0);
    sample_t co2 = at(500, 0);
    sample_t none;

    memset(&none, 0, sizeof none);
    loop_init(&l, &p);
    loop_step(&l, &o2, &co2, 0);
    CHECK(l.n2);
    /* O2 silent for the timeout: safe state, N2 closed at once. */
    loop_step(&l, &o2, &co2, 10000);
    CHECK(l.n2); /* exactly the timeout is still fresh */
    loop_step(&l, &o2, &co2, 10001);
    CHECK(l.mode == LOOP_SAFE && !l.n2 && l.air && l.fan);
    CHECK_EQ_U(l.safe_entries, 1);
    loop_step(&l, &o2, &co2, 20000);
    CHECK_EQ_U(l.safe_entries, 1);
    /* A module that says "no value" is as bad as a silent one. */
    o2 = at(150, 20000);
    loop_step(&l, &o2, &none, 20000);
    CHECK(l.mode == LOOP_SAFE);
    /* Back: the loop judges afresh. */
    co2 = at(500, 21000);
    o2 = at(150, 21000);
    loop_step(&l, &o2, &co2, 21000);
    CHECK(l.mode == LOOP_HOLD && !l.air && !l.n2 && l.fan); /* fan runs on after the safe state's air */
    /* A sample from the future (a clock bug) is not fresh either. */
    o2 = at(150, 30000);
    loop_step(&l, &o2, &co2, 22000);
    CHECK(l.mode == LOOP_SAFE);
}

/* A generator's 97 % N2 lowers O2 only to about 3 kPa: below 3.5 the loop leaves it to respiration. */
static void test_n2_useful_above(void)
{
    pallet_loop_t l;
    loop_params_t p = loop_params_default();
    sample_t co2 = at(500, 0);
    sample_t o2 = at(351, 0);

    loop_init(&l, &p); /* setpoint 1.50 +- 0.20, N2 useful above 3.50 */
    loop_step(&l, &o2, &co2, 0);
    CHECK(l.mode == LOOP_N2 && l.n2);
    o2 = at(350, 1000);
    co2.at_ms = 1000;
    loop_step(&l, &o2, &co2, 1000);
    CHECK(l.mode == LOOP_HOLD && !l.n2 && !l.air); /* still above the band, but N2 would only hold it here */
    o2 = at(171, 2000);
    co2.at_ms = 2000;
    loop_step(&l, &o2, &co2, 2000);
    CHECK(!l.n2);
}

static void test_setpoints(void)
{
    pallet_loop_t l;
    loop_params_t p = loop_params_default();
    sample_t o2 = at(150, 0);
    sample_t co2 = at(500, 0);

    p.n2_useful_above = 0; /* pure N2: the loop may follow the setpoint down with it */
    loop_init(&l, &p);
    loop_step(&l, &o2, &co2, 0);
    CHECK(l.mode == LOOP_HOLD);
    CHECK(loop_set_setpoints(&l, 100, 1500)); /* the host lowers O2 to 1.00 kPa */
    loop_step(&l, &o2, &co2, 1000);
    CHECK(l.mode == LOOP_N2);
    CHECK(!loop_set_setpoints(&l, 29, 1500));
    CHECK(!loop_set_setpoints(&l, 2101, 1500));
    CHECK(!loop_set_setpoints(&l, 100, 99));
    CHECK(!loop_set_setpoints(&l, 100, 20001));
    CHECK_EQ_I(l.p.o2_setpoint, 100);
    CHECK(loop_set_setpoints(&l, PU_O2_SETPOINT_MIN, PU_CO2_MAX_MAX));
}

/*
 * Closed loop against a crude cover: fruit respiration takes O2 and gives CO2; N2 pushes O2 down, air pulls O2
 * and CO2 toward ambient. From air, the loop must bring O2 into its band and keep it there, keep CO2 under its
 * maximum, never open both valves, and go safe when the O2 sensor dies.
 */
static void test_closed_loop(void)
{
    pallet_loop_t l;
    loop_params_t p = loop_params_default();
    int32_t o2 = 2090;  /* 0.01 kPa */
    int32_t co2 = 40;   /* 0.001 kPa */
    uint32_t t;
    int in_band_after = -1;
    int both = 0;
    int out_after = 0;
    int32_t co2_peak = 0;
    int n2_low = 0;

    loop_init(&l, &p);
    for (t = 0; t <= 24u * 3600u * 1000u; t += 10000u) { /* 24 h in 10 s steps */
        sample_t so2 = at(o2, t);
        sample_t sco2 = at(co2, t);
        loop_step(&l, &so2, &sco2, t);
        both |= l.n2 && l.air;
        n2_low |= l.n2 && so2.value <= p.n2_useful_above;
        /* Respiration of a pallet (700 kg under 0.75 m³ of cover): O2 -0.24 kPa/h; CO2 +0.05 kPa/h (the rest
         * taken by the cover's absorber) [E]. One unit every 150 s and every 72 s. */
        if (t % 150000u == 0u) {
            o2 -= 1;
        }
        if (t % 72000u == 0u) {
            co2 += 1;
        }
        if (l.n2) {
            /* 97 % N2 (3 % O2): O2 falls toward 3.04 kPa, by 2 % of the difference per 10 s. */
            o2 -= ((o2 - 304) * 2) / 100;
            co2 -= (co2 * 2) / 100;
        }
        if (l.air) {
            o2 += (2090 - o2) / 50;
            co2 += (40 - co2) / 50;
        }
        if (o2 < 0) {
            o2 = 0;
        }
        if (in_band_after < 0 && o2 <= p.o2_setpoint + p.o2_band) {
            in_band_after = (int)(t / 60000u);
        }
        if (in_band_after >= 0 && (o2 > p.o2_setpoint + p.o2_band + 5 || o2 < p.o2_setpoint - p.o2_band - 5)) {
            out_after++;
        }
        if (co2 > co2_peak && in_band_after >= 0) {
            co2_peak = co2;
        }
    }
    CHECK(!both);
    CHECK(!n2_low); /* N2 never open where it cannot lower O2 */
    CHECK(in_band_after >= 0 && in_band_after < 12 * 60); /* N2 to 3 kPa, respiration to the band: within 12 h */
    CHECK_EQ_I(out_after, 0);
    CHECK(co2_peak <= p.co2_max + 20);
    printf("closed loop: O2 in band after %d min, CO2 peak %ld (0.001 kPa), safe entries %lu\n", in_band_after,
           (long)co2_peak, (unsigned long)l.safe_entries);
}

int main(void)
{
    test_hysteresis();
    test_priorities();
    test_safe_state();
    test_n2_useful_above();
    test_setpoints();
    test_closed_loop();
    return check_done();
}
