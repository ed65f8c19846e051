/*
 * Two-point gas calibration (zero and span), kept in EEPROM with a checksum (PROTOCOL.md, "Calibration").
 *
 * Per gas, a measured (raw) value becomes
 *     corrected = ref_zero + (raw - raw_zero) * gain_num / gain_den      (rounded half away from zero)
 * A zero calibration, with zero gas on the sensor, sets (raw_zero, ref_zero) to the raw value read now and
 * the reference value given, keeping the gain; a span calibration, with span gas on the sensor, sets the gain
 * so that the raw value read now becomes the reference value given. Factory state: no offset, gain 1.
 * Fixed point as in common/hal.h (the gas's own unit); integer arithmetic only (64-bit intermediates).
 *
 * The record (CAL_RECORD_SIZE bytes, little-endian):
 *   0  'C' 'L'   magic        2  1  layout version     3  0 reserved
 *   4  count     uint32, calibrations stored since the record was made (0: factory)
 *   8  per gas (CAL_GASES, in hal_sensor_t order: O2, CO2), 16 bytes each:
 *        raw_zero int32, ref_zero int32, gain_num int32, gain_den int32
 *   40 crc       uint16, CRC-16/CCITT-FALSE over bytes 0..39
 */
#ifndef CELLBENCH_CALIBRATION_H
#define CELLBENCH_CALIBRATION_H

#include <stdint.h>

#define CAL_GASES       2u  /* O2, CO2 */
#define CAL_RECORD_SIZE 42u

typedef struct {
    int32_t raw_zero;
    int32_t ref_zero;
    int32_t gain_num;
    int32_t gain_den; /* > 0 */
} cal_gas_t;

typedef struct {
    uint32_t count;
    cal_gas_t gas[CAL_GASES];
} cal_set_t;

/* Limits a calibration must keep to be taken (per gas, in its unit): a zero offset |raw - ref| up to
 * max_offset; a span point at least min_span away from the zero point (raw and reference); a gain from 1/2 to 2. */
typedef struct {
    int32_t max_offset;
    int32_t min_span;
} cal_limits_t;

typedef enum {
    CAL_OK = 0,
    CAL_E_RANGE /* the result would break the limits: nothing changed */
} cal_result_t;

/* Factory calibration: every gas without offset, gain 1, count 0. */
void cal_factory(cal_set_t *cal);

/* The corrected value of raw for one gas, saturated to the int32 range. */
int32_t cal_apply(const cal_gas_t *g, int32_t raw);

/* Zero: raw is read now with zero gas whose true value is ref. Span: likewise with span gas. On CAL_OK *g is
 * updated; on CAL_E_RANGE it is untouched. */
cal_result_t cal_zero(cal_gas_t *g, int32_t raw, int32_t ref, const cal_limits_t *lim);
cal_result_t cal_span(cal_gas_t *g, int32_t raw, int32_t ref, const cal_limits_t *lim);

void cal_encode(const cal_set_t *cal, uint8_t out[CAL_RECORD_SIZE]);
/* 1 and *cal when the bytes are an intact record with sane gains (gain_den > 0); 0 otherwise. */
int cal_decode(const uint8_t in[CAL_RECORD_SIZE], cal_set_t *cal);

#endif
