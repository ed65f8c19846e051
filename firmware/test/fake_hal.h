/*
 * A fake common/hal.h for testing board logic on the host: a clock the test sets, a host link made of two
 * byte queues, outputs and sensors the test can read and set. It keeps the HAL's contract, including the
 * awkward parts: writes that take only part of a frame, and a host that goes away.
 */
#ifndef CELLBENCH_FAKE_HAL_H
#define CELLBENCH_FAKE_HAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/hal.h"

#define FAKE_RX_MAX   4096u
#define FAKE_TX_MAX   8192u
#define FAKE_OUTPUTS  8u

/* Everything back to power-up: time 0, queues empty, outputs off, no sensor values, host present,
 * unlimited write room. */
void fake_reset(void);

void fake_set_time(uint32_t ms);
void fake_advance(uint32_t ms);

/* Bytes from the host to the board (appended; the board reads them at its next poll). */
void fake_host_send(const char *text);
void fake_host_send_bytes(const void *bytes, size_t n);
/* Bytes sent to the board that it has not read yet. */
size_t fake_rx_pending(void);
/* Limits how many bytes one hal_host_read returns (to split input across reads); 0 = no limit. */
void fake_set_read_chunk(size_t n);

/* The next complete line the board wrote (without its '\n'), or NULL when there is none; valid until the next
 * call. fake_tx_pending() says how many bytes are written but not yet taken as lines. */
const char *fake_host_next_line(void);
size_t fake_tx_pending(void);
/* Makes hal_host_write take at most n more bytes in total (then it drops); (size_t)-1 = no limit. */
void fake_set_write_room(size_t n);

void fake_set_present(int present);

/* Output state, and how many times hal_output_set was called for it. */
uint8_t fake_output(uint8_t index);
unsigned fake_output_calls(uint8_t index);

/* Sets a sensor value sampled at the current fake time; fake_sensor_none makes it absent. */
void fake_sensor_set(hal_sensor_t sensor, int32_t value);
void fake_sensor_set_at(hal_sensor_t sensor, int32_t value, uint32_t at_ms);
void fake_sensor_none(hal_sensor_t sensor);

/* hal_log lines are counted (and printed when FAKE_HAL_VERBOSE is set in the environment). */
unsigned fake_log_count(void);

#endif
