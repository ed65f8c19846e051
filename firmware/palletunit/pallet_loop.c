/* The palletunit's local setpoint loop; see pallet_loop.h. */
#include "palletunit/pallet_loop.h"

#include <string.h>

#include "palletunit/config.h"

loop_params_t loop_params_default(void)
{
    loop_params_t p;

    p.o2_setpoint = PU_O2_SETPOINT_DEFAULT;
    p.o2_band = PU_O2_BAND_DEFAULT;
    p.n2_useful_above = PU_N2_USEFUL_ABOVE_DEFAULT;
    p.co2_max = PU_CO2_MAX_DEFAULT;
    p.co2_band = PU_CO2_BAND_DEFAULT;
    p.sensor_timeout_ms = PU_SENSOR_TIMEOUT_MS;
    p.fan_runon_ms = PU_FAN_RUNON_MS;
    return p;
}

void loop_init(pallet_loop_t *l, const loop_params_t *p)
{
    memset(l, 0, sizeof *l);
    l->p = *p;
    if (l->p.o2_band < 0) {
        l->p.o2_band = 0;
    }
    if (l->p.co2_band < 0) {
        l->p.co2_band = 0;
    }
    l->mode = LOOP_HOLD;
}

int loop_set_setpoints(pallet_loop_t *l, int32_t o2_setpoint, int32_t co2_max)
{
    if (o2_setpoint < PU_O2_SETPOINT_MIN || o2_setpoint > PU_O2_SETPOINT_MAX || co2_max < PU_CO2_MAX_MIN ||
        co2_max > PU_CO2_MAX_MAX) {
        return 0;
    }
    l->p.o2_setpoint = o2_setpoint;
    l->p.co2_max = co2_max;
    return 1;
}

/* A sample the loop may act on: valid and not older than the sensor timeout. */
static int fresh(const sample_t *s, uint32_t now, uint32_t timeout_ms)
{
    uint32_t age = (uint32_t)(now - s->at_ms);

    return s->valid && age <= timeout_ms && age < 0x80000000u;
}

void loop_step(pallet_loop_t *l, const sample_t *o2, const sample_t *co2, uint32_t now)
{
    const loop_params_t *p = &l->p;

    if (!fresh(o2, now, p->sensor_timeout_ms) || !fresh(co2, now, p->sensor_timeout_ms)) {
        if (l->mode != LOOP_SAFE) {
            l->safe_entries++;
        }
        l->mode = LOOP_SAFE;
        l->n2 = 0;
        l->air = 1;
        l->fan = 1;
        l->o2_high = l->o2_low = l->co2_high = 0; /* judged afresh when the sensors are back */
        l->last_valve_ms = now;
        l->valve_seen = 1;
        return;
    }

    /* The three hysteresis switches. */
    if (o2->value > p->o2_setpoint + p->o2_band) {
        l->o2_high = 1;
    } else if (o2->value <= p->o2_setpoint) {
        l->o2_high = 0;
    }
    if (o2->value < p->o2_setpoint - p->o2_band) {
        l->o2_low = 1;
    } else if (o2->value >= p->o2_setpoint) {
        l->o2_low = 0;
    }
    if (co2->value > p->co2_max) {
        l->co2_high = 1;
    } else if (co2->value <= p->co2_max - p->co2_band) {
        l->co2_high = 0;
    }

    /* Air first: low O2 endangers the fruit, high CO2 too; N2 only when air is not needed. */
    if (l->o2_low) {
        l->mode = LOOP_AIR_O2;
    } else if (l->co2_high) {
        l->mode = LOOP_AIR_CO2;
    } else if (l->o2_high && o2->value > p->n2_useful_above) {
        l->mode = LOOP_N2;
    } else {
        l->mode = LOOP_HOLD;
    }
    l->air = (l->mode == LOOP_AIR_O2 || l->mode == LOOP_AIR_CO2) ? 1u : 0u;
    l->n2 = l->mode == LOOP_N2 ? 1u : 0u;
    if (l->air || l->n2) {
        l->last_valve_ms = now;
        l->valve_seen = 1;
        l->fan = 1;
    } else {
        l->fan = (l->valve_seen && (uint32_t)(now - l->last_valve_ms) < p->fan_runon_ms) ? 1u : 0u;
    }
}
