/*
 * The boot record in EEPROM: how many times the board has powered up, and how many of those were watchdog
 * resets (PROTOCOL.md: ID's boot, ST's boot and wdt). Kept with a checksum, so an erased or corrupted record
 * is noticed and started over rather than trusted.
 *
 * Layout at its address, 14 bytes, little-endian:
 *   0  'B' 'R'          magic
 *   2  1                layout version
 *   3  0                reserved
 *   4  boots            uint32, power-ups counted so far (this one included, once counted)
 *   8  wdt              uint32, of which watchdog resets
 *   12 crc              uint16, CRC-16/CCITT-FALSE over bytes 0..11
 */
#ifndef CELLBENCH_BOOT_RECORD_H
#define CELLBENCH_BOOT_RECORD_H

#include <stdint.h>

#include "common/hal.h"

#define BOOT_RECORD_SIZE 14u

typedef struct {
    uint32_t boots;      /* this boot's number: 1 for the first power-up of a fresh EEPROM */
    uint32_t wdt_resets; /* watchdog resets seen at power-up, this one included */
    uint8_t was_valid;   /* the record read back was intact (0: fresh or corrupted, started over) */
    uint8_t stored;      /* the new record was written back */
} boot_record_t;

/* Counts this power-up: reads the record at addr, adds one boot (and one watchdog reset when cause says so;
 * both wrap at 2^32), writes it back. Never fails: a bad record starts over, a failed write is reported in
 * out->stored and the counts still hold for this boot. */
void boot_record_count(uint16_t addr, hal_reset_cause_t cause, boot_record_t *out);

/* The record's bytes for given counts (for tests and tools). */
void boot_record_encode(uint32_t boots, uint32_t wdt_resets, uint8_t out[BOOT_RECORD_SIZE]);

/* 1 and the counts when bytes hold an intact record, 0 otherwise. */
int boot_record_decode(const uint8_t in[BOOT_RECORD_SIZE], uint32_t *boots, uint32_t *wdt_resets);

#endif
