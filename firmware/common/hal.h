/*
 * The hardware abstraction layer: the only door between board logic and hardware.
 *
 * Board logic (gasboard/, later palletunit/) calls these functions and nothing else that touches the world.
 * Each target implements them once: targets/host/hal_host.c (a Linux process on a PTY), later targets/avr/
 * (the ATmega2560 board, also run in simavr) and targets/wasm/ (in-process, lockstep with the simulator).
 * The tests implement them with a fake (test/fake_hal.c).
 *
 * Rules every implementation keeps:
 *   - no function blocks: each returns at once with what it could do;
 *   - no function allocates;
 *   - board logic is single-threaded and calls these only from its poll(); an implementation may fill buffers
 *     from interrupts, but the calls below are not reentrant.
 */
#ifndef CELLBENCH_HAL_H
#define CELLBENCH_HAL_H

#include <stddef.h>
#include <stdint.h>

/* ---- clock ----------------------------------------------------------------------------------------------- */

/* Milliseconds since power-up. 32 bits: it wraps after 49.7 days, so compare times by unsigned difference
 * ((uint32_t)(now - then)), never with < on absolute values. */
uint32_t hal_millis(void);

/* ---- host link: the UART to the bridge ------------------------------------------------------------------- */

/* Copies up to cap bytes that have already arrived into buf and returns how many (0 when none). Never waits. */
size_t hal_host_read(uint8_t *buf, size_t cap);

/* Offers len bytes to the link and returns how many it took, from 0 to len. When the link is full or nobody
 * is listening, bytes are dropped rather than waited for; the caller counts what was not taken. */
size_t hal_host_write(const uint8_t *buf, size_t len);

/* 1 while a host may be listening, 0 when the target knows nobody is (a PTY whose other side is closed).
 * A target that cannot tell, such as a bare UART, always returns 1. Board logic stops streaming on 0. */
int hal_host_present(void);

/* ---- digital outputs (valves, later fans and the sampling manifold) -------------------------------------- */

/* Drives output number index (numbered by the board's config.h) on (1) or off (0). Unknown indexes are
 * ignored. Setting an output to the state it already has is allowed and changes nothing. */
void hal_output_set(uint8_t index, uint8_t on);

/* ---- sensor values: THIS SLICE ONLY -----------------------------------------------------------------------
 * A stand-in until the sensor-module UARTs land (O2 module ASCII stream, CO2 Modbus-RTU): then board logic
 * parses the modules itself and this part of the HAL is replaced by two more UARTs. Until then a target
 * hands over the latest value of each quantity and when it was sampled; the host target takes them from the
 * plant link on stdin (PROTOCOL.md, "plant link").
 * ---------------------------------------------------------------------------------------------------------- */

typedef enum {
    HAL_SENSOR_O2 = 0, /* value in 0.01 kPa  (2090 = 20.90 kPa) */
    HAL_SENSOR_CO2,    /* value in 0.001 kPa (40 = 0.040 kPa) */
    HAL_SENSOR_TEMP,   /* value in 0.01 degC (-50 = -0.50 degC) */
    HAL_SENSOR_COUNT
} hal_sensor_t;

typedef struct {
    uint8_t valid;  /* 0: no value (never received, or the sensor reported none) */
    int32_t value;  /* fixed point, unit per hal_sensor_t; meaningful only when valid */
    uint32_t at_ms; /* hal_millis() when the value was sampled; its age is hal_millis() - at_ms */
} hal_sample_t;

/* The latest sample of one quantity. An unknown sensor reads as not valid. */
void hal_sensor_get(hal_sensor_t sensor, hal_sample_t *out);

/* ---- diagnostics ----------------------------------------------------------------------------------------- */

/* One line of diagnostics for a person (printf-style, no trailing newline needed). Never part of the board
 * protocol; a target may drop it (the AVR build has nowhere to put it yet). */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void hal_log(const char *fmt, ...);

#endif
