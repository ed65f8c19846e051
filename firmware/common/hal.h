/*
 * The hardware abstraction layer: the only door between board logic and hardware.
 *
 * Board logic (common/board_engine.c, gasboard/, palletunit/) calls these functions and nothing else that
 * touches the world.
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

/* How many bytes hal_host_write would take right now in full (0 when nobody is listening). Board logic sends
 * a frame only when it fits, so frames are dropped whole rather than cut; a target that cannot tell exactly
 * returns a bound it can keep (the host target: the PTY's buffer, which is far larger than a frame). */
size_t hal_host_room(void);

/* 1 while a host may be listening, 0 when the target knows nobody is (a PTY whose other side is closed).
 * A target that cannot tell, such as a bare UART, always returns 1. Board logic stops streaming on 0. */
int hal_host_present(void);

/* ---- digital outputs (valves, fans, the sampling manifold) ------------------------------------------------- */

/* Drives output number index (numbered by the board's config.h) on (1) or off (0). Unknown indexes are
 * ignored. Setting an output to the state it already has is allowed and changes nothing. */
void hal_output_set(uint8_t index, uint8_t on);

/* ---- sensor-module UARTs ----------------------------------------------------------------------------------
 * The gas sensor modules hang on UARTs of their own (firmware/MODULES.md): the O2 module's ASCII stream on
 * UART1, the CO2 module's Modbus-RTU on UART2 (numbered as on the ATmega2560, whose USART0 is the host link).
 * Same rules as the host link: reads return what has arrived, writes take what fits, nothing waits.
 * ---------------------------------------------------------------------------------------------------------- */

typedef enum {
    HAL_UART_O2 = 0, /* UART1: the O2 module's line stream (board receives) */
    HAL_UART_CO2,    /* UART2: the CO2 module, Modbus-RTU (board sends requests, receives answers) */
    HAL_UART_COUNT
} hal_uart_t;

/* Copies up to cap bytes that have arrived on that UART into buf; returns how many. Unknown UARTs read 0. */
size_t hal_uart_read(hal_uart_t uart, uint8_t *buf, size_t cap);

/* Offers len bytes to that UART; returns how many it took. */
size_t hal_uart_write(hal_uart_t uart, const uint8_t *buf, size_t len);

/* ---- EEPROM: state that survives a power cut (boot counter, calibration) --------------------------------
 * A byte-addressed non-volatile memory of hal_eeprom_size() bytes (4096 on the ATmega2560; a file on the host
 * target). Erased bytes read 0xFF. These are the only HAL calls that may take a while (the AVR writes a byte
 * in about 3.4 ms): board logic writes only a few dozen bytes, at power-up and on a calibration command.
 * ---------------------------------------------------------------------------------------------------------- */

uint16_t hal_eeprom_size(void);

/* Copies len bytes from addr on into buf. Returns 0, or -1 (buf untouched) when the range is outside. */
int hal_eeprom_read(uint16_t addr, void *buf, uint16_t len);

/* Stores len bytes at addr (bytes that already hold the value need not be rewritten). Returns 0, or -1 when
 * the range is outside or the store failed. */
int hal_eeprom_write(uint16_t addr, const void *buf, uint16_t len);

/* ---- watchdog and reset cause ----------------------------------------------------------------------------- */

typedef enum {
    HAL_RESET_POWER = 0, /* power-up, a reset pin, or anything else that is not the watchdog */
    HAL_RESET_WATCHDOG   /* the watchdog was not kicked in time */
} hal_reset_cause_t;

/* Why the board (re)started. Constant for the life of one boot. */
hal_reset_cause_t hal_reset_cause(void);

/* Starts the watchdog: unless hal_watchdog_kick() is called at least every timeout_ms, the board resets (the
 * host target exits with status 3 and the next start reports HAL_RESET_WATCHDOG). A target rounds timeout_ms
 * to what its hardware has (the AVR: 15 ms .. 8 s). */
void hal_watchdog_start(uint16_t timeout_ms);
void hal_watchdog_kick(void);

/* ---- diagnostics ----------------------------------------------------------------------------------------- */

/* One line of diagnostics for a person (printf-style, no trailing newline needed). Never part of the board
 * protocol; a target may drop it (the AVR build has nowhere to put it yet). */
#if defined(__AVR__) || defined(__wasm__)
/* The AVR build has nowhere to put diagnostics: the call and its strings (which would take RAM there) vanish.
 * Nor has the wasm build (a variadic import would need a printf of its own). */
#define hal_log(...) ((void)0)
#else
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void hal_log(const char *fmt, ...);
#endif

#endif
