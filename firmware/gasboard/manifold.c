/* The sampling manifold's schedule; see manifold.h. */
#include "gasboard/manifold.h"

static int reached(uint32_t now, uint32_t t)
{
    return (uint32_t)(now - t) < 0x80000000u;
}

void manifold_init(manifold_t *m, uint8_t cells, uint32_t flush_ms, uint32_t period_ms, uint32_t now)
{
    m->cells = cells == 0u ? 1u : (cells > 8u ? 8u : cells);
    m->flush_ms = flush_ms;
    m->period_ms = period_ms == 0u ? 1u : period_ms;
    m->current = 1;
    m->switched_ms = now;
    m->due_ms = now + (m->cells > 1u ? m->flush_ms : 0u) + m->period_ms;
}

int manifold_due(const manifold_t *m, uint32_t now)
{
    return reached(now, m->due_ms);
}

int manifold_sample_ok(const manifold_t *m, uint32_t at_ms)
{
    if (m->cells == 1u) {
        return 1;
    }
    return reached(at_ms, m->switched_ms + m->flush_ms);
}

int manifold_next(manifold_t *m, uint32_t now)
{
    if (m->cells == 1u) {
        m->due_ms += m->period_ms;
        if (reached(now, m->due_ms)) {
            m->due_ms = now + m->period_ms; /* stalled: a fresh rhythm rather than a burst */
        }
        return 0;
    }
    m->current = (uint8_t)(m->current % m->cells + 1u);
    m->switched_ms = now;
    m->due_ms = now + m->flush_ms + m->period_ms;
    return 1;
}

uint32_t manifold_idle_ms(const manifold_t *m, uint32_t now)
{
    return reached(now, m->due_ms) ? 0u : m->due_ms - now;
}
