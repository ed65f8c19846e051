/*
 * gasboard: the board logic, free of hardware. It talks to the world only through common/hal.h, so the same
 * code runs on every target and in the tests with a fake HAL.
 *
 * Lifecycle: gasboard_init() once, then gasboard_poll() from the main loop, as often as the target likes (at
 * least whenever bytes arrived and when gasboard_idle_ms() has run out). poll() never blocks.
 *
 * What it does (PROTOCOL.md is the source of truth):
 *   - reads the host link, judges each line, answers commands: HELLO -> ID (or NAK E_PROTO), SET -> ACK (or
 *     NAK E_ARG); a command before the first HELLO -> NAK E_STATE; another type -> NAK E_UNKNOWN; a valid frame
 *     without a usable id -> ERR E_SYNTAX; a rejected line -> ERR with its code; ACK/NAK/ID/ERR/RD frames
 *     (what boards send) -> counted, never answered;
 *   - after a HELLO, sends one RD per period; stops when the host link reports nobody present, until the next
 *     HELLO.
 */
#ifndef CELLBENCH_GASBOARD_H
#define CELLBENCH_GASBOARD_H

#include <stdint.h>

#include "common/frame.h"
#include "gasboard/config.h"

/* Run-time settings; gasboard_config_default() gives the config.h defaults. */
typedef struct {
    const char *sn;     /* serial number, [A-Za-z0-9-]{1,32}; default GB_SN_DEFAULT; must outlive the board */
    uint32_t period_ms; /* streaming period, >= 1; default GB_PERIOD_MS_DEFAULT */
    uint32_t stale_ms;  /* sensor values older than this are sent as NA; default GB_STALE_MS_DEFAULT */
} gasboard_config_t;

/* What the board has seen and done since power-up; a later STATUS command reports these. All wrap at 2^32. */
typedef struct {
    uint32_t rx_ok;         /* lines that were valid frames */
    uint32_t rx_bad_crc;    /* lines rejected as E_CRC */
    uint32_t rx_bad_syntax; /* lines rejected as E_SYNTAX */
    uint32_t rx_too_long;   /* lines rejected as E_TOOLONG */
    uint32_t rx_no_id;      /* valid frames without a usable id (answered ERR E_SYNTAX; also in rx_ok) */
    uint32_t rx_ignored;    /* valid frames of a type boards send (ACK NAK ID ERR RD; also in rx_ok) */
    uint32_t tx_frames;     /* frames handed to the link in full */
    uint32_t tx_dropped;    /* frames the link did not take in full (link full, or no host present) */
} gasboard_counters_t;

typedef struct {
    gasboard_config_t cfg;
    gasboard_counters_t counters;
    frame_lineasm_t rx;
    uint8_t hello_seen;   /* a HELLO was accepted since power-up: commands are allowed */
    uint8_t streaming;    /* RD frames are due every period */
    uint8_t host_present; /* what hal_host_present() said at the last poll */
    uint8_t tx_broken;    /* the last frame went out only in part: end that fragment before the next frame */
    uint8_t outputs[GB_OUT_COUNT];
    uint32_t seq;         /* seq of the last RD sent; 0 before the first */
    uint32_t next_rd_ms;  /* when the next RD is due, while streaming */
    char tx[FRAME_BUF_SIZE];
} gasboard_t;

gasboard_config_t gasboard_config_default(void);

/* Sets every output off and starts silent (no streaming until a HELLO). cfg is copied. */
void gasboard_init(gasboard_t *gb, const gasboard_config_t *cfg);

/* Does what is due now: reads and answers the host link (a bounded number of bytes per call), sends an RD
 * when one is due. */
void gasboard_poll(gasboard_t *gb);

/* How long the main loop may wait before poll() has timed work to do, in ms; arriving bytes should wake it
 * earlier. Never more than 1000. */
uint32_t gasboard_idle_ms(const gasboard_t *gb);

#endif
