/*
 * The host target's plant link (PROTOCOL.md, "Host target only: the plant link"): text lines between the
 * gasboard-host process and the simulator over stdin and stdout. Pure parsing and formatting, no I/O, so the
 * tests can feed it anything.
 *
 *   stdin  (plant to board): S o2=20.90 co2=0.040 temp=1.50     values may be NA
 *   stdout (board to plant): O n2=0 air=0 scrub=0
 */
#ifndef CELLBENCH_PLANT_LINK_H
#define CELLBENCH_PLANT_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "common/hal.h"

/* One S line: for each hal_sensor_t, whether it has a value and the value in the HAL's fixed-point unit. */
typedef struct {
    uint8_t valid[HAL_SENSOR_COUNT];
    int32_t value[HAL_SENSOR_COUNT];
} plant_values_t;

/*
 * Reads one S line (len bytes at line, without '\n'; NUL bytes allowed and rejected). Returns 1 and fills *out
 * when the line is "S" followed by space-separated key=value fields with each of o2, co2 and temp exactly once,
 * each a decimal number (optional '-', digits, optional '.' and digits; rounded half away from zero to the
 * unit: 0.01 kPa, 0.001 kPa, 0.01 degC) or NA. Unknown keys are skipped, so the plant may add fields before
 * this board reads them. Returns 0, with *out unspecified, for anything else.
 */
int plant_parse_s_line(const char *line, size_t len, plant_values_t *out);

/* Writes "O name=0|1 ...\n" for count outputs into buf (NUL-terminated); returns its length, 0 if it does not
 * fit. */
size_t plant_format_o_line(char *buf, size_t cap, const char *const *names, const uint8_t *states,
                           uint8_t count);

#endif
