/*
 * gasboard: the board logic, free of hardware. It talks to the world only through common/hal.h, so the same
 * code runs on every target and in the tests with a fake HAL.
 *
 * Lifecycle: gasboard_init() once, then gasboard_poll() from the main loop, as often as the target likes (at
 * least whenever bytes arrived and when gasboard_idle_ms() has run out). poll() never blocks.
 *
 * What it does (PROTOCOL.md is the source of truth):
 *   - counts this power-up in the EEPROM boot record (ID's and ST's boot, ST's wdt), loads the calibration;
 *   - reads the O2 module (UART1) and polls the CO2 module (UART2) all the time;
 *   - from power-up, takes a reading every period into a ring of the newest GB_RING_LEN, whether or not a host
 *     listens; seq counts on from 1; with more than one cell, goes round the cells on the sampling manifold
 *     (flush, then measure) and each reading says its cell;
 *   - reads the host link, judges each line, answers commands: HELLO -> ID (or NAK E_PROTO), SET -> ACK (or
 *     NAK E_ARG), CAL -> ACK with the calibration count (or NAK), REPLAY -> the held RD frames of a range then ACK with n/from/to, STATUS -> ST; a command
 *     before the first HELLO -> NAK E_STATE; another type -> NAK E_UNKNOWN; a valid frame without a usable
 *     id -> ERR E_SYNTAX; a rejected line -> ERR with its code; ACK/NAK/ID/ERR/RD/ST frames (what boards
 *     send) -> counted, never answered;
 *   - after a HELLO and while the host link says a host is present, sends each new reading as an RD, after a
 *     running replay's ACK.
 */
#ifndef CELLBENCH_GASBOARD_H
#define CELLBENCH_GASBOARD_H

#include <stdint.h>

#include "common/calibration.h"
#include "common/co2_module.h"
#include "common/frame.h"
#include "common/hal.h"
#include "common/o2_module.h"
#include "common/reading_ring.h"
#include "common/sample.h"
#include "gasboard/config.h"
#include "gasboard/manifold.h"

struct gasboard_s;

/*
 * What makes one kind of board out of this protocol engine: the gasboard's profile is the default; the
 * palletunit (palletunit/palletunit.c) brings its own, with hooks for its commands and its local loop.
 * Outputs are numbered (cell - 1) * per_cell + kind; the first n_actuators kinds are SET's valve names.
 */
typedef struct {
    const char *kind;              /* ID's kind */
    const char *fw;                /* ID's fw */
    const char *caps;              /* ID's caps */
    const char *const *actuators;  /* SET's valve names, by kind */
    uint8_t n_actuators;
    uint8_t per_cell;              /* outputs per cell, n_actuators <= per_cell <= GB_OUT_PER_CELL */
    uint8_t sample_kind;           /* the manifold's sample valve kind; 0xFF: no manifold (one cell) */
    /* A command the engine does not know: answer it (ACK/NAK) and return 1, or return 0 for E_UNKNOWN. Called
     * with gb NULL before the first HELLO only to ask whether the type is one of its commands (1: the engine
     * answers NAK E_STATE), without acting. */
    int (*command)(struct gasboard_s *gb, const frame_t *f, uint32_t id, uint32_t now);
    /* May SET drive the actuators now (NULL: always)? 0 answers NAK E_STATE. */
    int (*set_allowed)(const struct gasboard_s *gb);
    /* Called at the end of every poll (NULL: nothing). */
    void (*poll)(struct gasboard_s *gb, uint32_t now);
} board_profile_t;

/* The gasboard's profile. */
extern const board_profile_t gasboard_profile;

/* Run-time settings; gasboard_config_default() gives the config.h defaults. */
typedef struct {
    const board_profile_t *profile; /* the kind of board; NULL or default: &gasboard_profile */
    const char *sn;     /* serial number, [A-Za-z0-9-]{1,32}; default GB_SN_DEFAULT; must outlive the board */
    uint32_t period_ms; /* measuring period, >= 1; default GB_PERIOD_MS_DEFAULT */
    uint32_t stale_ms;  /* sensor values older than this are sent as NA; default GB_STALE_MS_DEFAULT */
    uint8_t cells;      /* cells on the sampling manifold, 1..GB_CELLS_MAX; default GB_CELLS_DEFAULT */
    uint32_t flush_ms;  /* manifold flush after a switch (cells > 1); default GB_FLUSH_MS_DEFAULT */
} gasboard_config_t;

/* What the board has seen and done since power-up; STATUS reports them. All wrap at 2^32. */
typedef struct {
    uint32_t rx_ok;         /* lines that were valid frames */
    uint32_t rx_bad_crc;    /* lines rejected as E_CRC */
    uint32_t rx_bad_syntax; /* lines rejected as E_SYNTAX */
    uint32_t rx_too_long;   /* lines rejected as E_TOOLONG */
    uint32_t rx_no_id;      /* valid frames without a usable id (answered ERR E_SYNTAX; also in rx_ok) */
    uint32_t rx_ignored;    /* valid frames of a type boards send (ACK NAK ID ERR RD ST; also in rx_ok) */
    uint32_t tx_frames;     /* frames handed to the link in full */
    uint32_t tx_dropped;    /* frames the link did not take in full (link full, or no host present) */
    uint32_t value_range;   /* measured values that do not fit a reading (sent as NA) */
} gasboard_counters_t;

/* A REPLAY being sent. */
typedef struct {
    uint8_t active;
    uint32_t id;    /* the command's id, for the closing ACK */
    uint32_t next;  /* next seq to look at */
    uint32_t left;  /* seqs still to look at (the range, cut at the newest reading when it started) */
    uint32_t n;     /* RD frames sent so far */
    uint32_t first; /* seq of the first sent (when n > 0) */
    uint32_t final; /* seq of the last sent (when n > 0) */
} gasboard_replay_t;

typedef struct gasboard_s {
    gasboard_config_t cfg;
    gasboard_counters_t counters;
    frame_lineasm_t rx;
    uint32_t boot;        /* boot number from the EEPROM boot record */
    uint32_t wdt_resets;  /* watchdog resets seen at power-up, from the boot record */
    cal_set_t cal;        /* calibration of O2 and CO2, from EEPROM (factory when none is stored) */
    uint8_t hello_seen;   /* a HELLO was accepted since power-up: commands are allowed */
    uint8_t streaming;    /* new readings go out as RD (a HELLO, and the host present since) */
    uint8_t host_present; /* what hal_host_present() said at the last poll */
    uint8_t tx_broken;    /* the last frame went out only in part: end that fragment before the next frame */
    uint8_t outputs[GB_OUT_COUNT];
    manifold_t manifold;  /* which cell is sampled, and when its reading is due */
    o2m_t o2m;            /* the O2 module on UART1: O2 and temperature */
    co2m_t co2m;          /* the CO2 module on UART2: CO2 */
    uint32_t live_next;    /* seq of the next reading to send live, while streaming */
    gasboard_replay_t replay;
    reading_ring_t ring;
    reading_t ring_slots[GB_RING_LEN];
    char tx[FRAME_BUF_SIZE];
} gasboard_t;

gasboard_config_t gasboard_config_default(void);

/* Counts the power-up in EEPROM, sets every output off and starts measuring (first reading one period from
 * now), silent on the link until a HELLO. cfg is copied. */
void gasboard_init(gasboard_t *gb, const gasboard_config_t *cfg);

/* Does what is due now: reads and answers the host link (a bounded number of bytes per call), takes a reading
 * when one is due, sends replayed and live RD frames as the link has room (a bounded number per call). */
void gasboard_poll(gasboard_t *gb);

/* How long the main loop may wait before poll() has timed work to do, in ms; arriving bytes should wake it
 * earlier. Never more than 1000; 0 when frames are waiting to be sent. */
uint32_t gasboard_idle_ms(const gasboard_t *gb);

/* The seq of the last reading taken (0 before the first). */
uint32_t gasboard_last_seq(const gasboard_t *gb);

/* Drives one output and remembers it (for profiles that drive outputs of their own). */
void gasboard_output(gasboard_t *gb, uint8_t index, uint8_t on);

/* Answers a command (for profiles): ACK id, or NAK id code. */
void gasboard_ack(gasboard_t *gb, uint32_t id);
void gasboard_nak(gasboard_t *gb, uint32_t id, const char *code);

/* The newest sample of one quantity, calibrated (O2, CO2) as a reading would take it; not judged for age. */
void gasboard_calibrated(const gasboard_t *gb, sensor_t sensor, sample_t *out);

/* The newest sample of one quantity, from its module (O2 and temperature: the O2 module; CO2: the CO2 module),
 * before calibration. */
void gasboard_sample(const gasboard_t *gb, sensor_t sensor, sample_t *out);

/* Sensor timeouts so far (ST's sto): O2-module silences and CO2-module requests without an answer. */
uint32_t gasboard_sensor_timeouts(const gasboard_t *gb);

#endif
