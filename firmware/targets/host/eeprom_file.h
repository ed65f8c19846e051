/*
 * A board's EEPROM as a file on this machine, shared by the host target (hal_host.c) and the simavr harness
 * (targets/avr-sim/avr_sim.c), so that either can start on the file the other left: EEPROM_FILE_BYTES bytes of
 * EEPROM (erased = 0xFF), then one byte of reset cause ('W' after a host-target watchdog reset, 0xFF
 * otherwise). Host tooling, not firmware.
 */
#ifndef TARGETS_HOST_EEPROM_FILE_H
#define TARGETS_HOST_EEPROM_FILE_H

#include <sys/types.h>

#include "targets/host/pty_port.h" /* pty_port_log_fn */

#define EEPROM_FILE_BYTES 4096u                     /* the ATmega2560's EEPROM */
#define EEPROM_FILE_CAUSE_OFFSET ((off_t)EEPROM_FILE_BYTES)
#define EEPROM_FILE_CAUSE_WATCHDOG 'W'

/* Opens path read-write (created 0644 if missing, close-on-exec) and grows a new or short file to its full
 * size with erased bytes. Returns the descriptor, or -1 after logging "--eeprom PATH: why". */
int eeprom_file_open(const char *path, pty_port_log_fn log);

/* 1 when the file's reset-cause byte says a watchdog reset, which it then clears (once read, as a reset cause
 * register); 0 otherwise. */
int eeprom_file_take_watchdog_cause(int fd, const char *path, pty_port_log_fn log);

#endif
