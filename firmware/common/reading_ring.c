/* The reading ring; see reading_ring.h. */
#include "common/reading_ring.h"

#include <stddef.h>

void reading_ring_init(reading_ring_t *ring, reading_t *storage, uint16_t cap)
{
    ring->slot = storage;
    ring->cap = cap == 0u ? 1u : cap;
    ring->count = 0;
    ring->newest = 0;
    ring->newest_seq = 0;
}

uint32_t reading_ring_push(reading_ring_t *ring, const reading_t *r)
{
    if (ring->count == 0u) {
        ring->newest = 0;
    } else {
        ring->newest = (uint16_t)((ring->newest + 1u) % ring->cap);
    }
    ring->slot[ring->newest] = *r;
    if (ring->count < ring->cap) {
        ring->count++;
    }
    ring->newest_seq++; /* wraps to 0 after 4294967295, as PROTOCOL.md says */
    return ring->newest_seq;
}

int reading_ring_get(const reading_ring_t *ring, uint32_t seq, reading_t *out)
{
    /* How far back seq is from the newest; a seq ahead of the newest wraps to a huge distance. */
    uint32_t back = (uint32_t)(ring->newest_seq - seq);
    uint16_t index;

    if (ring->count == 0u || back >= ring->count) {
        return 0;
    }
    index = (uint16_t)((ring->newest + ring->cap - (uint16_t)back) % ring->cap);
    *out = ring->slot[index];
    return 1;
}

uint32_t reading_ring_oldest_seq(const reading_ring_t *ring)
{
    return ring->newest_seq - (uint32_t)(ring->count == 0u ? 0u : ring->count - 1u);
}

int reading_ring_value_fits(int32_t v)
{
    return v >= -32768 && v <= 32767;
}
