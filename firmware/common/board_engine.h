/*
 * The board protocol engine (firmware/PROTOCOL.md), the same for every kind of board: it reads the host link,
 * judges each line and dispatches the commands every board has (HELLO, SET, REPLAY, STATUS, CAL), keeps the
 * ring of readings and sends them live and replayed, counts what it saw (ST), and keeps the boot record and
 * the calibration in EEPROM. It talks to the world only through common/hal.h and knows no board: a board
 * brings its identity and its own commands (board_profile_t) and its measuring side (board_iface_t).
 *
 * Lifecycle (driven by the board's own init and poll, e.g. gasboard/gasboard.c):
 *   board_engine_init() once at power-up; then, each poll, board_engine_read_link() (commands), the board's
 *   measuring (board_engine_push() for each reading taken), then board_engine_send() (RD frames). None blocks.
 *
 * What it answers: HELLO -> ID (or NAK E_PROTO), SET -> ACK (or NAK E_ARG / E_STATE), CAL -> ACK with the
 * calibration count (or NAK), REPLAY -> the held RD frames of a range then ACK with n/from/to, STATUS -> ST; a
 * command before the first HELLO -> NAK E_STATE; a type the profile does not know -> NAK E_UNKNOWN; a valid
 * frame without a usable id -> ERR E_SYNTAX; a rejected line -> ERR with its code; ACK/NAK/ID/ERR/RD/ST frames
 * (what boards send) -> counted, never answered. After a HELLO and while the host link says a host is present,
 * each new reading goes out as an RD, after a running replay's ACK.
 */
#ifndef CELLBENCH_BOARD_ENGINE_H
#define CELLBENCH_BOARD_ENGINE_H

#include <stdint.h>

#include "common/calibration.h"
#include "common/frame.h"
#include "common/reading_ring.h"
#include "common/sample.h"

/* ---- protocol constants (PROTOCOL.md) ---------------------------------------------------------------------- */

#define BOARD_PROTO_VERSION   1u
#define BOARD_REPLAY_MAX      1024u     /* readings one REPLAY may ask for */
#define BOARD_ST_COUNTER_MAX  99999999u /* ST's error counters saturate here, so that ST always fits a line */
#define BOARD_CAL_COUNT_MAX   65535u    /* ID's and CAL's cal saturates here */
#define BOARD_TX_PER_POLL     16u       /* RD frames (replayed or live) sent per board_engine_send at most */
/* board_engine_idle_ms when no frame waits: the engine has no timed work of its own. */
#define BOARD_ENGINE_IDLE_NONE 0xFFFFFFFFu

struct board_engine_s;

/*
 * What makes one kind of board out of the engine: its identity and SET's actuators, and hooks for commands of
 * its own (the gasboard has none; the palletunit, palletunit/palletunit.c, has SETPT and LOOP and its loop).
 * Outputs are numbered (cell - 1) * per_cell + kind; the first n_actuators kinds are SET's valve names.
 * The hooks get the engine, which the board's own struct holds as its first member.
 */
typedef struct {
    const char *kind;              /* ID's kind */
    const char *fw;                /* ID's fw */
    const char *caps;              /* ID's caps */
    const char *const *actuators;  /* SET's valve names, by kind */
    uint8_t n_actuators;
    uint8_t per_cell;              /* outputs per cell, n_actuators <= per_cell */
    uint8_t sample_kind;           /* the manifold's sample valve kind; 0xFF: no manifold (one cell) */
    /* A command the engine does not know: answer it (ACK/NAK) and return 1, or return 0 for E_UNKNOWN. Called
     * with e NULL before the first HELLO only to ask whether the type is one of its commands (1: the engine
     * answers NAK E_STATE), without acting. NULL: no commands of its own. */
    int (*command)(struct board_engine_s *e, const frame_t *f, uint32_t id, uint32_t now);
    /* May SET drive the actuators now (NULL: always)? 0 answers NAK E_STATE. */
    int (*set_allowed)(const struct board_engine_s *e);
    /* Called by the board at the end of every poll (NULL: nothing). */
    void (*poll)(struct board_engine_s *e, uint32_t now);
} board_profile_t;

/*
 * The measuring board under the engine (the gasboard's sensor modules and outputs): where its records are in
 * EEPROM, its calibration limits, and what the engine asks of it. Every hook is required.
 */
typedef struct {
    uint16_t ee_boot_addr;                 /* common/boot_record.h's record */
    uint16_t ee_cal_addr;                  /* common/calibration.h's record */
    cal_limits_t cal_limits[CAL_GASES];    /* CAL's limits per gas (O2, CO2) */
    /* The newest sample of one quantity before calibration (CAL takes its raw value from it). */
    void (*sample)(const struct board_engine_s *e, sensor_t sensor, sample_t *out);
    /* Drives one output (SET). */
    void (*output)(struct board_engine_s *e, uint8_t index, uint8_t on);
    /* ST's sto: sensor timeouts so far. */
    uint32_t (*sensor_timeouts)(const struct board_engine_s *e);
    /* ST's board-specific fields after ok and tx: write each with board_engine_st_extra. */
    void (*st_extras)(const struct board_engine_s *e, frame_writer_t *w);
} board_iface_t;

/* What the engine has seen and done since power-up; STATUS reports them. All wrap at 2^32. */
typedef struct {
    uint32_t rx_ok;         /* lines that were valid frames */
    uint32_t rx_bad_crc;    /* lines rejected as E_CRC */
    uint32_t rx_bad_syntax; /* lines rejected as E_SYNTAX */
    uint32_t rx_too_long;   /* lines rejected as E_TOOLONG */
    uint32_t rx_no_id;      /* valid frames without a usable id (answered ERR E_SYNTAX; also in rx_ok) */
    uint32_t rx_ignored;    /* valid frames of a type boards send (ACK NAK ID ERR RD ST; also in rx_ok) */
    uint32_t tx_frames;     /* frames handed to the link in full */
    uint32_t tx_dropped;    /* frames the link did not take in full (link full, or no host present) */
    uint32_t value_range;   /* measured values that do not fit a reading (sent as NA; counted by the board) */
} board_counters_t;

/* A REPLAY being sent. */
typedef struct {
    uint8_t active;
    uint32_t id;    /* the command's id, for the closing ACK */
    uint32_t next;  /* next seq to look at */
    uint32_t left;  /* seqs still to look at (the range, cut at the newest reading when it started) */
    uint32_t n;     /* RD frames sent so far */
    uint32_t first; /* seq of the first sent (when n > 0) */
    uint32_t final; /* seq of the last sent (when n > 0) */
} board_replay_t;

typedef struct board_engine_s {
    const board_profile_t *profile;
    const board_iface_t *iface;
    const char *sn;       /* ID's sn; must outlive the engine */
    uint8_t cells;        /* SET's cell range, 1..cells */
    uint32_t stale_ms;    /* CAL refuses samples older than this (E_SENSOR) */
    board_counters_t counters;
    frame_lineasm_t rx;
    uint32_t boot;        /* boot number from the EEPROM boot record */
    uint32_t wdt_resets;  /* watchdog resets seen at power-up, from the boot record */
    cal_set_t cal;        /* calibration of O2 and CO2, from EEPROM (factory when none is stored) */
    uint8_t hello_seen;   /* a HELLO was accepted since power-up: commands are allowed */
    uint8_t streaming;    /* new readings go out as RD (a HELLO, and the host present since) */
    uint8_t host_present; /* what hal_host_present() said at the last read */
    uint8_t tx_broken;    /* the last frame went out only in part: end that fragment before the next frame */
    uint32_t live_next;   /* seq of the next reading to send live, while streaming */
    board_replay_t replay;
    reading_ring_t ring;  /* over the board's storage */
    char tx[FRAME_BUF_SIZE];
} board_engine_t;

/* Counts the power-up in the EEPROM boot record, loads the calibration (factory when none is intact), and
 * starts silent on the link until a HELLO. The ring is held in slots[nslots] (the board's storage). */
void board_engine_init(board_engine_t *e, const board_profile_t *profile, const board_iface_t *iface,
                       const char *sn, uint8_t cells, uint32_t stale_ms, reading_t *slots, uint16_t nslots);

/* Notices the host leaving, reads the host link (a bounded number of bytes) and answers each line. */
void board_engine_read_link(board_engine_t *e, uint32_t now);

/* Takes a reading into the ring (it goes out live with the next board_engine_send while streaming). */
void board_engine_push(board_engine_t *e, const reading_t *r);

/* Sends replayed and live RD frames as the link has room (at most BOARD_TX_PER_POLL). */
void board_engine_send(board_engine_t *e);

/* 0 or 1 ms when frames wait to be sent (0: the link has room now), else BOARD_ENGINE_IDLE_NONE. */
uint32_t board_engine_idle_ms(const board_engine_t *e);

/* Answers a command (for profiles): ACK id, or NAK id code. */
void board_engine_ack(board_engine_t *e, uint32_t id);
void board_engine_nak(board_engine_t *e, uint32_t id, const char *code);

/* An optional ST field (for board_iface_t.st_extras): written only when it fits the line. */
void board_engine_st_extra(frame_writer_t *w, const char *key, uint32_t value);

#endif
