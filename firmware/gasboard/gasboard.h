/*
 * gasboard: the measuring board under the board protocol engine (common/board_engine.h). It talks to the world
 * only through common/hal.h, so the same code runs on every target and in the tests with a fake HAL.
 *
 * Lifecycle: gasboard_init() once, then gasboard_poll() from the main loop, as often as the target likes (at
 * least whenever bytes arrived and when gasboard_idle_ms() has run out). poll() never blocks.
 *
 * What it does (PROTOCOL.md is the source of truth); the engine answers the host link (HELLO, SET, REPLAY,
 * STATUS, CAL, ERR), keeps the ring, the boot record and the calibration; the gasboard itself:
 *   - reads the O2 module (UART1) and polls the CO2 module (UART2) all the time;
 *   - from power-up, takes a reading every period into the engine's ring of the newest GB_RING_LEN, whether or
 *     not a host listens; seq counts on from 1; with more than one cell, goes round the cells on the sampling
 *     manifold (flush, then measure) and each reading says its cell;
 *   - drives the outputs SET asks for, and its sample valves.
 */
#ifndef CELLBENCH_GASBOARD_H
#define CELLBENCH_GASBOARD_H

#include <stdint.h>

#include "common/board_engine.h"
#include "common/co2_module.h"
#include "common/hal.h"
#include "common/o2_module.h"
#include "common/reading_ring.h"
#include "common/sample.h"
#include "gasboard/config.h"
#include "gasboard/manifold.h"

/* The gasboard's profile (common/board_engine.h's board_profile_t: what makes a kind of board). */
extern const board_profile_t gasboard_profile;

/* Run-time settings; gasboard_config_default() gives the config.h defaults. */
typedef struct {
    const board_profile_t *profile; /* the kind of board; NULL or default: &gasboard_profile */
    const char *sn;     /* serial number, [A-Za-z0-9-]{1,32}; default GB_SN_DEFAULT; must outlive the board */
    uint32_t period_ms; /* measuring period, >= 1; default GB_PERIOD_MS_DEFAULT */
    uint32_t stale_ms;  /* sensor values older than this are sent as NA; default GB_STALE_MS_DEFAULT */
    uint8_t cells;      /* cells on the sampling manifold, 1..GB_CELLS_MAX; default GB_CELLS_DEFAULT */
    uint32_t flush_ms;  /* manifold flush after a switch (cells > 1); default GB_FLUSH_MS_DEFAULT */
    uint32_t co2_poll_ms; /* the CO2 module is also asked at least this often (a local loop that wants fresh
                           * values); 0, the default: only GB_CO2_LEAD_MS before each reading */
} gasboard_config_t;

typedef struct gasboard_s {
    board_engine_t engine; /* first: the engine's hooks get a board_engine_t * to it */
    gasboard_config_t cfg;
    uint8_t outputs[GB_OUT_COUNT];
    manifold_t manifold;  /* which cell is sampled, and when its reading is due */
    o2m_t o2m;            /* the O2 module on UART1: O2 and temperature */
    co2m_t co2m;          /* the CO2 module on UART2: CO2 */
    reading_t ring_slots[GB_RING_LEN]; /* the engine's ring of readings */
} gasboard_t;

gasboard_config_t gasboard_config_default(void);

/* Sets every output off, starts the engine (counts the power-up in EEPROM, loads the calibration) and starts
 * measuring (first reading one period from now), silent on the link until a HELLO. cfg is copied. */
void gasboard_init(gasboard_t *gb, const gasboard_config_t *cfg);

/* Does what is due now: the engine reads and answers the host link (a bounded number of bytes per call), the
 * board takes a reading when one is due, the engine sends replayed and live RD frames as the link has room (a
 * bounded number per call), then the profile's poll. */
void gasboard_poll(gasboard_t *gb);

/* How long the main loop may wait before poll() has timed work to do, in ms; arriving bytes should wake it
 * earlier. 0 when frames are waiting to be sent. Not capped: a target with a watchdog bounds its own wait. */
uint32_t gasboard_idle_ms(const gasboard_t *gb);

/* The seq of the last reading taken (0 before the first). */
uint32_t gasboard_last_seq(const gasboard_t *gb);

/* Drives one output and remembers it (for profiles that drive outputs of their own). */
void gasboard_output(gasboard_t *gb, uint8_t index, uint8_t on);

/* The newest sample of one quantity, calibrated (O2, CO2) as a reading would take it; not judged for age. */
void gasboard_calibrated(const gasboard_t *gb, sensor_t sensor, sample_t *out);

/* The newest sample of one quantity, from its module (O2 and temperature: the O2 module; CO2: the CO2 module),
 * before calibration. */
void gasboard_sample(const gasboard_t *gb, sensor_t sensor, sample_t *out);

/* Sensor timeouts so far (ST's sto): O2-module silences and CO2-module requests without an answer. */
uint32_t gasboard_sensor_timeouts(const gasboard_t *gb);

#endif
