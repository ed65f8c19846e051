/*
 * The host target's plant link (PROTOCOL.md, "Host target only: the plant link"): text lines between the
 * gasboard-host process and the simulator over stdin and stdout, for what a board has besides its UARTs: its
 * clock and its digital outputs. Pure parsing and formatting, no I/O, so the tests can feed it anything.
 *
 *   stdin  (plant to board): T 123456                      the plant's time in ms (with --clock plant)
 *   stdout (board to plant): O n2=0 air=0 scrub=0          actuator outputs, one digit per cell
 *                            M sample=1                    the cell whose sample valve is open (0: none)
 */
#ifndef CELLBENCH_PLANT_LINK_H
#define CELLBENCH_PLANT_LINK_H

#include <stddef.h>
#include <stdint.h>

/* Reads one T line (len bytes at line, without '\n'; NUL bytes allowed and rejected): "T" then one space and
 * an unsigned decimal of at most 20 digits; ms is that number modulo 2^32 (the board's clock wraps there).
 * Returns 1 and sets *ms, or 0 for anything else. */
int plant_parse_t_line(const char *line, size_t len, uint32_t *ms);

/* Writes "O n2=D.. air=D.. scrub=D..\n" into buf (NUL-terminated), one digit 0/1 per cell in cell order, from
 * states[(cell - 1) * per_cell + kind] for the kinds 0..nkinds-1 named by names. Returns its length, 0 if it
 * does not fit. With one cell this is exactly the first part's "O n2=0 air=0 scrub=0". */
size_t plant_format_o_line(char *buf, size_t cap, const char *const *names, uint8_t nkinds, const uint8_t *states,
                           uint8_t cells, uint8_t per_cell);

/* The cell the manifold samples: 1 + the first cell whose output `sample_kind` is on in
 * states[(cell - 1) * per_cell + kind], or 0 when none is. */
uint8_t plant_sampled_cell(const uint8_t *states, uint8_t cells, uint8_t per_cell, uint8_t sample_kind);

/* Writes "M sample=K\n" (K = 0..255); returns its length, 0 if it does not fit. */
size_t plant_format_m_line(char *buf, size_t cap, uint8_t sample_cell);

#endif
