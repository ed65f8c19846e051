/*
 * The sampling manifold: one valve per cell (up to GB_CELLS_MAX), so one O2 and one CO2 module serve several
 * cells, as central DCA analysers do. Pure scheduling, no I/O: the board drives the valves it is told to.
 *
 * With one cell the manifold is not switched: cell 1's valve stays open and a reading is due every period,
 * the rhythm kept from power-up (a stalled loop gets one reading and a fresh rhythm, not a burst).
 * With N > 1 cells it goes round them: open cell k's valve (break before make: the old valve closes first),
 * flush the sample line for flush_ms, measure for period_ms, take cell k's reading, switch to the next cell.
 * Only samples measured after the flush belong to the cell: earlier ones are the previous cell's gas.
 */
#ifndef CELLBENCH_MANIFOLD_H
#define CELLBENCH_MANIFOLD_H

#include <stdint.h>

typedef struct {
    uint8_t cells;       /* 1..8 */
    uint32_t flush_ms;
    uint32_t period_ms;  /* >= 1 */
    uint8_t current;     /* the cell sampled now, 1..cells */
    uint32_t switched_ms; /* when its valve opened */
    uint32_t due_ms;     /* when its reading is due */
} manifold_t;

/* Starts at cell 1 (its valve opens now). */
void manifold_init(manifold_t *m, uint8_t cells, uint32_t flush_ms, uint32_t period_ms, uint32_t now);

/* 1 when the reading of the current cell is due. */
int manifold_due(const manifold_t *m, uint32_t now);

/* 1 when a sample measured at at_ms belongs to the current cell (after its flush). Always 1 with one cell. */
int manifold_sample_ok(const manifold_t *m, uint32_t at_ms);

/* After the current cell's reading: moves to the next cell (returns 1: switch the valves) or, with one cell,
 * schedules the next reading (returns 0). */
int manifold_next(manifold_t *m, uint32_t now);

/* ms until the next reading is due (0 if due). */
uint32_t manifold_idle_ms(const manifold_t *m, uint32_t now);

#endif
