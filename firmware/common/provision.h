/*
 * The provisioning record in EEPROM: a board's serial number and run-time settings, written once at the
 * factory (on the bench: by the simavr harness from its command line) and read at power-up by targets that
 * have no command line (targets/avr/main.c). Each setting may be left at 0 (or the serial number empty): the
 * board then keeps its config.h default. Kept with a checksum; an erased or corrupted record is ignored, so the
 * board boots on its defaults.
 *
 * Layout at PROVISION_ADDR (the last 64 bytes of a 4 KiB EEPROM, outside every board's own map), 38 bytes,
 * little-endian:
 *   0  'P' 'V'          magic
 *   2  1                layout version
 *   3  sn_len           0..PROVISION_SN_MAX (0: the board's default serial number)
 *   4  sn               16 bytes, [A-Za-z0-9-], the unused rest 0
 *   20 period_ms        uint32 (0: default)
 *   24 stale_ms         uint32 (0: default)
 *   28 flush_ms         uint32 (0: default)
 *   32 cells            uint8  (0: default; else 1..8)
 *   33 0 0 0            reserved
 *   36 crc              uint16, CRC-16/CCITT-FALSE over bytes 0..35
 */
#ifndef CELLBENCH_PROVISION_H
#define CELLBENCH_PROVISION_H

#include <stdint.h>

#define PROVISION_ADDR   4032u
#define PROVISION_SIZE   38u
#define PROVISION_SN_MAX 16u

typedef struct {
    char sn[PROVISION_SN_MAX + 1u]; /* NUL-terminated; "" for the default */
    uint32_t period_ms;
    uint32_t stale_ms;
    uint32_t flush_ms;
    uint8_t cells;
} provision_t;

/* 1 when sn is a serial number as ID carries it (PROTOCOL.md): 1 to PROVISION_SN_MAX of [A-Za-z0-9-]. */
int provision_sn_valid(const char *sn);

/* The record's bytes. Returns 0 (out untouched) when p is not valid: a serial number of other characters or
 * over PROVISION_SN_MAX, or cells over 8. */
int provision_encode(const provision_t *p, uint8_t out[PROVISION_SIZE]);

/* 1 and *p when bytes hold an intact, valid record; 0 otherwise (*p untouched). */
int provision_decode(const uint8_t in[PROVISION_SIZE], provision_t *p);

#endif
