/*
 * A measured value with the moment it was measured: what the sensor-module drivers (common/o2_module.h,
 * common/co2_module.h) hand to board logic. Values are fixed point, so no float is needed on the AVR:
 * O2 and CO2 in 0.01 and 0.001 kPa, temperature in 0.01 degC: exactly the decimals RD sends.
 */
#ifndef CELLBENCH_SAMPLE_H
#define CELLBENCH_SAMPLE_H

#include <stdint.h>

typedef enum {
    SENSOR_O2 = 0, /* value in 0.01 kPa  (2090 = 20.90 kPa) */
    SENSOR_CO2,    /* value in 0.001 kPa (40 = 0.040 kPa) */
    SENSOR_TEMP,   /* value in 0.01 degC (-50 = -0.50 degC) */
    SENSOR_COUNT
} sensor_t;

typedef struct {
    uint8_t valid;  /* 0: no value (never received, or the module reported none) */
    int32_t value;  /* fixed point, unit per sensor_t; meaningful only when valid */
    uint32_t at_ms; /* hal_millis() when the value was measured; its age is hal_millis() - at_ms */
} sample_t;

#endif
