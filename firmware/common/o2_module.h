/*
 * The O2 sensor module on UART1: a luminescent O2 sensor that streams one ASCII line a second
 * (firmware/MODULES.md, "O2 module"):
 *
 *     O 0209.5 T +01.50 P 1013.2 S 00 *5A\r\n
 *
 * O2 partial pressure in mbar (0.1 mbar = 0.01 kPa), temperature in degC, barometric pressure in mbar, a status
 * byte in hex, and an XOR checksum of every byte before the '*'. This driver assembles lines (bounded; an
 * over-long line is dropped up to its '\n' and counted), checks each strictly, and keeps the newest values
 * with the time their line ended. It never waits and never stops on any byte sequence.
 */
#ifndef CELLBENCH_O2_MODULE_H
#define CELLBENCH_O2_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "common/sample.h"

#define O2M_LINE_LEN   35u /* the line without CR LF */
#define O2M_LINE_MAX   48u /* longer lines are dropped */

/* Status bits of the S field. */
#define O2M_ST_WARMUP    0x01u /* warming up: no value is valid */
#define O2M_ST_O2_LOW    0x02u /* luminescence signal too low: O2 not valid */
#define O2M_ST_TEMP_FAIL 0x04u /* temperature sensor fault: T not valid (and O2, which is compensated with it) */
#define O2M_ST_PRES_FAIL 0x08u /* pressure sensor fault: P not valid */
#define O2M_ST_EOL       0x10u /* sensing spot near end of life: values valid, replace soon */

/* One parsed line. */
typedef struct {
    int32_t o2;       /* 0.01 kPa */
    int32_t temp;     /* 0.01 degC */
    int32_t pres_pa;  /* Pa */
    uint8_t status;
} o2m_line_t;

/* Parses one line (without CR LF) of len bytes. 1 and *out when it is a well-formed line with a good checksum. */
int o2m_parse_line(const char *line, size_t len, o2m_line_t *out);

/* The XOR checksum over len bytes (for tests and tools). */
uint8_t o2m_checksum(const char *s, size_t len);

typedef struct {
    char buf[O2M_LINE_MAX + 1u];
    uint8_t len;
    uint8_t discarding;
    uint32_t silence_ms;   /* no valid line for this long counts as a timeout */
    uint32_t last_ok_ms;   /* when the last valid line ended */
    uint8_t ever;          /* a valid line has been seen */
    uint8_t silent;        /* the current silence has been counted */
    sample_t o2;
    sample_t temp;
    sample_t pres;         /* value in Pa */
    uint8_t status;        /* of the last valid line */
    uint32_t lines_ok;
    uint32_t lines_bad;    /* malformed, bad checksum or too long */
    uint32_t timeouts;     /* silences longer than silence_ms (once each) */
} o2m_t;

void o2m_init(o2m_t *m, uint32_t silence_ms, uint32_t now);

/* Reads what UART1 has (bounded per call) and notices a silence. */
void o2m_poll(o2m_t *m, uint32_t now);

/* How long until o2m_poll has timed work: the moment the current silence would count as a timeout
 * (O2M_IDLE_NONE while a silence is already counted: only bytes end it). */
#define O2M_IDLE_NONE 0xFFFFFFFFu
uint32_t o2m_idle_ms(const o2m_t *m, uint32_t now);

/* Feeds bytes as if they had arrived on the UART (what o2m_poll does with what it reads). */
void o2m_feed(o2m_t *m, const uint8_t *bytes, size_t n, uint32_t now);

#endif
