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
#define FAKE_OUTPUTS  32u

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
/* What hal_host_room reports: (size_t)-1 (the default) = the write room that is left; anything else is
 * reported as is, so a test can make the link take less than it promised. */
void fake_set_room(size_t n);

/* EEPROM: FAKE_EEPROM_SIZE bytes, erased (0xFF) by fake_reset and kept by fake_power_cycle. */
#define FAKE_EEPROM_SIZE 4096u
uint8_t *fake_eeprom(void);
/* Makes every hal_eeprom_write fail (1) or work (0). */
void fake_eeprom_fail_writes(int fail);
unsigned fake_eeprom_writes(void);

/* A power cycle: like fake_reset, but the EEPROM keeps its bytes; the next boot reports cause. */
void fake_power_cycle(hal_reset_cause_t cause);
/* The watchdog: timeout given to hal_watchdog_start (0 = not started) and kicks counted. */
uint16_t fake_watchdog_timeout(void);
unsigned fake_watchdog_kicks(void);

/* Two outputs that must never be on together (N2 and air): fake_exclusive_broken() says whether they ever were,
 * after any single hal_output_set call since fake_watch_exclusive. */
void fake_watch_exclusive(uint8_t a, uint8_t b);
int fake_exclusive_broken(void);

/* Output state, and how many times hal_output_set was called for it. */
uint8_t fake_output(uint8_t index);
unsigned fake_output_calls(uint8_t index);

/* Sensor-module UARTs: bytes the module sends (the board reads them at its next poll), and what the board
 * wrote (taken out by fake_uart_take, which returns how many bytes it copied, at most cap). */
#define FAKE_UART_MAX 1024u
void fake_uart_send(hal_uart_t uart, const void *bytes, size_t n);
size_t fake_uart_take(hal_uart_t uart, uint8_t *buf, size_t cap);
size_t fake_uart_pending(hal_uart_t uart);

/* hal_log lines are counted (and printed when FAKE_HAL_VERBOSE is set in the environment). */
unsigned fake_log_count(void);

#endif
