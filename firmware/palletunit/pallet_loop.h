/*
 * The palletunit's local setpoint loop: pure logic, no I/O, stepped with the newest samples and the time.
 *
 * It keeps the cover's O2 near a setpoint and its CO2 under a maximum with two-point (hysteresis) control:
 *   - O2 above setpoint + band: the N2 valve opens (N2 displaces O2), until O2 is at or below the setpoint;
 *   - O2 below setpoint - band: the air valve opens, until O2 is at or above the setpoint;
 *   - CO2 above its maximum: the air valve opens (a pallet unit has no scrubber), until CO2 is at or below
 *     maximum - band;
 *   - air has priority: N2 never opens while air is open (never both at once); low O2 is the danger to fruit;
 *   - the fan runs whenever a valve is open and for a run-on time after, to mix the cover.
 * It runs whether or not a host is connected; a host changes the setpoints (loop_set_setpoints).
 *
 * Safe state: when O2 or CO2 has had no fresh valid value for the sensor timeout, the loop cannot see, and the
 * unit must not suffocate the fruit: N2 closed, air open, fan on, until both sensors are back.
 */
#ifndef CELLBENCH_PALLET_LOOP_H
#define CELLBENCH_PALLET_LOOP_H

#include <stdint.h>

#include "common/sample.h"

typedef struct {
    int32_t o2_setpoint;  /* 0.01 kPa */
    int32_t o2_band;      /* 0.01 kPa, >= 0 */
    int32_t n2_useful_above; /* 0.01 kPa: N2 only while O2 is above this (PU_N2_USEFUL_ABOVE_DEFAULT) */
    int32_t co2_max;      /* 0.001 kPa */
    int32_t co2_band;     /* 0.001 kPa, >= 0 */
    uint32_t sensor_timeout_ms;
    uint32_t fan_runon_ms;
} loop_params_t;

typedef enum {
    LOOP_HOLD = 0, /* within the bands: both valves closed */
    LOOP_N2,       /* lowering O2 (only above n2_useful_above; below it respiration lowers O2, in LOOP_HOLD) */
    LOOP_AIR_O2,   /* raising O2 */
    LOOP_AIR_CO2,  /* flushing CO2 */
    LOOP_SAFE      /* a sensor is missing: N2 closed, air open, fan on */
} loop_mode_t;

typedef struct {
    loop_params_t p;
    loop_mode_t mode;
    uint8_t n2;
    uint8_t air;
    uint8_t fan;
    uint8_t o2_high;      /* the O2 hysteresis: lowering until the setpoint */
    uint8_t o2_low;       /* raising until the setpoint */
    uint8_t co2_high;     /* flushing until max - band */
    uint32_t last_valve_ms; /* when a valve was last open (fan run-on) */
    uint8_t valve_seen;   /* last_valve_ms is meaningful */
    uint32_t safe_entries; /* times the loop went into the safe state */
} pallet_loop_t;

/* The config.h defaults. */
loop_params_t loop_params_default(void);

/* Starts holding (valves closed, fan off). */
void loop_init(pallet_loop_t *l, const loop_params_t *p);

/* New setpoints from the host: 1 when taken, 0 when out of the limits in palletunit/config.h (nothing
 * changes). The hysteresis state is kept: the next step judges against the new setpoints. */
int loop_set_setpoints(pallet_loop_t *l, int32_t o2_setpoint, int32_t co2_max);

/* One step at time now with the newest O2 and CO2 samples: updates mode and outputs (n2, air, fan). */
void loop_step(pallet_loop_t *l, const sample_t *o2, const sample_t *co2, uint32_t now);

#endif
