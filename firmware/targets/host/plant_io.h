/*
 * The plant link's two ends on this machine, shared by the host target (hal_host.c) and the simavr harness
 * (targets/avr-sim/avr_sim.c), so that a plant sees the same link from either: the board's outputs as O and M
 * lines on stdout, the plant's clock from T lines on stdin (the lines themselves: plant_link.h, pure). Host
 * tooling, not firmware. Bounded: no allocation, one line assembler, a fixed table of outputs.
 */
#ifndef TARGETS_HOST_PLANT_IO_H
#define TARGETS_HOST_PLANT_IO_H

#include <stddef.h>
#include <stdint.h>

#include "common/frame.h"
#include "targets/host/pty_port.h" /* pty_port_log_fn: printf-style messages, one a call */

#define PLANT_IO_CELLS_MAX   8u
#define PLANT_IO_OUTPUTS_MAX 32u

/* The board's outputs as the O and M lines name them. Output index = (cell - 1) * per_cell + kind. */
typedef struct {
    const char *const *names; /* the actuator kinds' names on the O line */
    uint8_t kinds;            /* how many of them (kinds 0 .. kinds-1) */
    uint8_t per_cell;         /* outputs per cell, >= kinds */
    uint8_t sample_kind;      /* the manifold's sample valve kind (M lines); 0xFF: no manifold */
    uint8_t cells;            /* 1 .. PLANT_IO_CELLS_MAX */
    uint8_t state[PLANT_IO_OUTPUTS_MAX];
} plant_outputs_t;

/* Sets up the table, every output off. 0, or -1 when cells * per_cell or kinds does not fit. */
int plant_outputs_init(plant_outputs_t *o, const char *const *names, uint8_t kinds, uint8_t per_cell,
                       uint8_t sample_kind, uint8_t cells);

/* Records output index at level (0/1) and writes the line that changed: M for a sample valve, O for an
 * actuator; nothing when the level is the one it had, or the index is none of those. */
void plant_outputs_set(plant_outputs_t *o, unsigned index, uint8_t level);

/* Writes the O line, and the M line when there is a manifold (at start: the plant learns the outputs' state). */
void plant_outputs_announce(const plant_outputs_t *o);

/* The plant's clock from its T lines on stdin. It only goes forward: a T from the past (by less than 2^31 ms)
 * is ignored. Malformed lines are counted; the first PLANT_CLOCK_LOG_MAX are logged. */
typedef struct {
    frame_lineasm_t rx; /* the frame line assembler does for the plant link too: bounded, never stuck */
    uint32_t ms;        /* the plant's time, 0 before the first T */
    uint32_t lines;
    uint32_t bad_lines;
    pty_port_log_fn log;
} plant_clock_t;

#define PLANT_CLOCK_LOG_MAX 5u

void plant_clock_init(plant_clock_t *c, pty_port_log_fn log);

/* Takes n bytes from the plant. */
void plant_clock_feed(plant_clock_t *c, const uint8_t *buf, size_t n);

/* Reads what stdin has (poll said it would not block) into the clock. Returns 0 at the end of stdin (or when
 * reading it failed: taken as the end), 1 otherwise. */
int plant_clock_read_stdin(plant_clock_t *c);

#endif
