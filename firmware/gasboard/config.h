/*
 * gasboard identity and defaults. One place for what PROTOCOL.md and the host target's options say about this
 * board; targets may override the run-time ones (serial number, streaming period, stale limit) at start.
 */
#ifndef CELLBENCH_GASBOARD_CONFIG_H
#define CELLBENCH_GASBOARD_CONFIG_H

#include <stdint.h>

/* ---- identity, as answered in ID -------------------------------------------------------------------------- */

#define GB_KIND          "gasboard"
#define GB_FW_VERSION    "0.1.0"
#define GB_PROTO_VERSION 1u
#define GB_SN_DEFAULT    "GB-0001"
/* Longest serial number. The longest ID (every number at its maximum, cal at 65535) is then 159 bytes with
 * its checksum: within the 160 of a line (test_gasboard checks it). */
#define GB_SN_MAX        16u
#define GB_CAL_COUNT_MAX 65535u /* ID's cal saturates here */

/* Capabilities, comma-separated, as PROTOCOL.md lists them for the gasboard. */
#define GB_CAPS "o2,co2,temp,valve.n2,valve.air,valve.scrub"

/* ---- outputs: index for hal_output_set --------------------------------------------------------------------
 * Four per cell: its N2 inlet, fresh-air valve and CO2 scrubber (SET's valve names), and its sampling-manifold
 * valve. Output index = (cell - 1) * GB_OUT_PER_CELL + kind. */

#define GB_OUT_N2       0u
#define GB_OUT_AIR      1u
#define GB_OUT_SCRUB    2u
#define GB_OUT_SAMPLE   3u
#define GB_OUT_PER_CELL 4u
#define GB_OUT_ACTUATORS 3u /* the kinds SET drives */
/* Initializer for a name table of the kinds, as in SET's valve field and the plant link's O line. */
#define GB_OUT_NAMES { "n2", "air", "scrub", "sample" }
#define GB_OUT_INDEX(cell, kind) ((uint8_t)(((cell) - 1u) * GB_OUT_PER_CELL + (kind)))

#define GB_CELLS_MAX     8u
#define GB_OUT_COUNT     (GB_CELLS_MAX * GB_OUT_PER_CELL)

/* ---- sampling manifold and sensor modules (firmware/MODULES.md) -------------------------------------------- */

#define GB_CELLS_DEFAULT     1u
#define GB_FLUSH_MS_DEFAULT  60000u /* sample line flush after switching cells (used with more than one cell) */
#define GB_O2_SILENCE_MS     3000u  /* no valid O2 line for this long: a sensor timeout */
#define GB_CO2_ADDR          1u     /* the CO2 module's Modbus slave address */
#define GB_CO2_LEAD_MS       1000u  /* the CO2 module is asked this long before each reading (or a period, if shorter) */
#define GB_CO2_TIMEOUT_MS    300u   /* an answer later than this is a timeout */

/* ---- streaming --------------------------------------------------------------------------------------------- */

#define GB_PERIOD_MS_DEFAULT 1000u /* one RD per period after a HELLO */
#define GB_STALE_MS_DEFAULT  5000u /* a sensor value older than this is sent as NA */

/* ---- reconnect, replay and status (PROTOCOL.md) ---------------------------------------------------------- */

#define GB_RING_LEN       256u  /* readings kept for REPLAY (PROTOCOL.md: at least 256); 12 bytes each */
#define GB_REPLAY_MAX     1024u /* readings one REPLAY may ask for */

#define GB_WATCHDOG_MS    4000u /* the main loop must come round this often (the targets wake it at least once a second) */

/* ---- EEPROM layout ---------------------------------------------------------------------------------------- */

#define GB_EE_BOOT_ADDR   0u    /* common/boot_record.h, 14 bytes */
#define GB_EE_CAL_ADDR    32u   /* common/calibration.h, 42 bytes */

#define GB_ST_COUNTER_MAX 99999999u /* ST's error counters saturate here, so that ST always fits a line */

/* ---- calibration limits (PROTOCOL.md, CAL; units as in common/sample.h) -------------------------------------- */

#define GB_CAL_O2_MAX_OFFSET  300  /* a zero may move O2 by up to 3.00 kPa */
#define GB_CAL_O2_MIN_SPAN    500  /* the span point at least 5.00 kPa above the zero point */
#define GB_CAL_CO2_MAX_OFFSET 500  /* a zero may move CO2 by up to 0.500 kPa */
#define GB_CAL_CO2_MIN_SPAN   500  /* the span point at least 0.500 kPa above the zero point */

#endif
