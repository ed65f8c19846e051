/*
 * The CO2 NDIR module on UART2, polled over Modbus-RTU (firmware/MODULES.md, "CO2 module"): every poll_ms the
 * board asks slave `addr` for input registers 0..4 (status, CO2 in ppm as two words, gas temperature,
 * compensation pressure) and turns the answer into a CO2 partial pressure:
 *     co2 [0.001 kPa] = ppm * pressure [0.1 hPa] / 100000, rounded.
 * An answer that does not come within timeout_ms is a timeout; a wrong CRC, an exception or a status with a
 * fault bit leave the value as it was (so it ages and goes NA at the board's stale limit) and are counted.
 */
#ifndef CELLBENCH_CO2_MODULE_H
#define CELLBENCH_CO2_MODULE_H

#include <stdint.h>

#include "common/modbus.h"
#include "common/sample.h"

#define CO2M_REG_STATUS   0u
#define CO2M_REG_PPM_HI   1u
#define CO2M_REG_PPM_LO   2u
#define CO2M_REG_TEMP     3u
#define CO2M_REG_PRES     4u
#define CO2M_REGS         5u  /* read in one request */

#define CO2M_ST_WARMUP    0x0001u /* warming up: no valid value */
#define CO2M_ST_FAULT     0x0002u /* lamp or detector fault */
#define CO2M_ST_RANGE     0x0004u /* over range */
#define CO2M_ST_PRES_FAIL 0x0008u /* no compensation pressure (register 4 not valid) */

typedef struct {
    uint8_t addr;
    uint32_t poll_ms;
    uint32_t timeout_ms;
    uint8_t waiting;      /* a request is out */
    uint32_t sent_ms;     /* when it went */
    uint32_t next_ms;     /* when the next request is due */
    modbus_rx_t rx;
    sample_t co2;
    uint16_t status;      /* of the last good answer */
    uint32_t requests;    /* requests sent */
    uint32_t answers;     /* good answers */
    uint32_t timeouts;    /* requests without a good answer in time */
    uint32_t bad_crc;     /* answers with a wrong CRC (once per request) */
    uint32_t exceptions;  /* exception answers */
    uint32_t faults;      /* good answers whose status said the value is not valid */
    uint32_t noise;       /* bytes skipped: between answers, or in front of one */
    uint32_t tx_short;    /* requests the UART did not take in full */
} co2m_t;

void co2m_init(co2m_t *m, uint8_t addr, uint32_t poll_ms, uint32_t timeout_ms, uint32_t now);

/* Sends a request when one is due, reads the UART, judges the answer, notices a timeout. Never waits. */
void co2m_poll(co2m_t *m, uint32_t now);

/* Moves the next request to board time t (its owner knows when a fresh value is wanted); after it, requests
 * follow every poll_ms again unless asked for another time. A request sent at t or later already serves. */
void co2m_ask_at(co2m_t *m, uint32_t t);

/* How long until co2m_poll has timed work (a request due or a timeout). */
uint32_t co2m_idle_ms(const co2m_t *m, uint32_t now);

/* The conversion the driver uses (for tests): ppm at pressure (0.1 hPa) to 0.001 kPa, rounded. */
int32_t co2m_ppm_to_kpa1000(uint32_t ppm, uint16_t pres_dhpa);

#endif
