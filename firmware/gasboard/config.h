/*
 * gasboard identity and defaults. One place for what PROTOCOL.md and the host target's options say about this
 * board; targets may override the run-time ones (serial number, streaming period, stale limit) at start.
 */
#ifndef CELLBENCH_GASBOARD_CONFIG_H
#define CELLBENCH_GASBOARD_CONFIG_H

/* ---- identity, as answered in ID -------------------------------------------------------------------------- */

#define GB_KIND          "gasboard"
#define GB_FW_VERSION    "0.1.0"
#define GB_PROTO_VERSION 1u
#define GB_SN_DEFAULT    "GB-0001"

/* Capabilities, comma-separated, as PROTOCOL.md lists them for the gasboard. */
#define GB_CAPS "o2,co2,temp,valve.n2,valve.air,valve.scrub"

/* ---- outputs: index for hal_output_set, name as in SET's valve field and the plant link's O line ---------- */

#define GB_OUT_N2     0u
#define GB_OUT_AIR    1u
#define GB_OUT_SCRUB  2u
#define GB_OUT_COUNT  3u
/* Initializer for a name table indexed by GB_OUT_*. */
#define GB_OUT_NAMES { "n2", "air", "scrub" }

/* ---- streaming --------------------------------------------------------------------------------------------- */

#define GB_PERIOD_MS_DEFAULT 1000u /* one RD per period after a HELLO */
#define GB_STALE_MS_DEFAULT  5000u /* a sensor value older than this is sent as NA */

#endif
