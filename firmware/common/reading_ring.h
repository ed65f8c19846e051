/*
 * A ring of the newest readings, for replay after a link loss (PROTOCOL.md, "Reconnect, replay and status").
 *
 * Readings are numbered by seq as they are pushed: seq counts on by one per reading (32-bit, wrapping to 0
 * after 4294967295), so the ring stores only the newest seq and derives every other one from its slot. The
 * storage is the caller's (a fixed array sized in the board's config.h): nothing is allocated.
 *
 * Values are stored in 16 bits each, in the fixed-point units of common/hal.h (O2 0.01 kPa, CO2 0.001 kPa,
 * temperature 0.01 degC), which bounds what a board can report: O2 and temperature to +-327.67, CO2 to
 * +-32.767 kPa. reading_ring_value_fits() says whether a value can be stored; a board stores one that does
 * not as "no value" (NA), and sends every RD from the ring, so a replay always repeats the live frame.
 */
#ifndef CELLBENCH_READING_RING_H
#define CELLBENCH_READING_RING_H

#include <stdint.h>

#define READING_VALUES 3u /* o2, co2, temp: hal_sensor_t order */

typedef struct {
    uint32_t t_ms;                  /* board time the values were measured at (PROTOCOL.md, RD's t) */
    int16_t value[READING_VALUES];  /* fixed point; meaningful only where the valid bit is set */
    uint8_t valid;                  /* bit i set: value[i] is a measurement (else NA) */
    uint8_t cell;                   /* the sampled cell (manifold); 0 on boards without one */
} reading_t;

typedef struct {
    reading_t *slot;     /* cap slots, the caller's */
    uint16_t cap;        /* >= 1 */
    uint16_t count;      /* readings held, 0..cap */
    uint16_t newest;     /* slot of the newest reading (meaningful when count > 0) */
    uint32_t newest_seq; /* seq of the newest reading; 0 before the first */
} reading_ring_t;

/* Empties the ring over storage of cap slots (cap >= 1). The first reading pushed gets seq 1. */
void reading_ring_init(reading_ring_t *ring, reading_t *storage, uint16_t cap);

/* Stores a reading as the newest, overwriting the oldest when full; returns its seq. */
uint32_t reading_ring_push(reading_ring_t *ring, const reading_t *r);

/* 1 and *out filled when the ring still holds the reading numbered seq; 0 otherwise. */
int reading_ring_get(const reading_ring_t *ring, uint32_t seq, reading_t *out);

/* The seq of the oldest reading held (meaningful when count > 0). */
uint32_t reading_ring_oldest_seq(const reading_ring_t *ring);

/* 1 when v fits the ring's 16-bit storage. */
int reading_ring_value_fits(int32_t v);

#endif
