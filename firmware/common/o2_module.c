/* The O2 module driver; see o2_module.h and firmware/MODULES.md. */
#include "common/o2_module.h"

#include <string.h>

#include "common/hal.h"

#define O2M_READ_BUDGET 128u

uint8_t o2m_checksum(const char *s, size_t len)
{
    uint8_t x = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        x ^= (uint8_t)s[i];
    }
    return x;
}

static int digit(char c) { return c >= '0' && c <= '9'; }

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* n digits at s as a number; -1 if any is not a digit. */
static int32_t digits(const char *s, uint8_t n)
{
    int32_t v = 0;
    uint8_t i;

    for (i = 0; i < n; i++) {
        if (!digit(s[i])) {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/*
 * Fixed layout, by position:
 *   0         1         2         3
 *   01234567890123456789012345678901234
 *   O 0209.5 T +01.50 P 1013.2 S 00 *5A
 */
int o2m_parse_line(const char *l, size_t len, o2m_line_t *out)
{
    int32_t o2i, o2f, ti, tf, pi, pf;
    int h1, h0, c1, c0;

    if (len != O2M_LINE_LEN) {
        return 0;
    }
    if (l[0] != 'O' || l[1] != ' ' || l[6] != '.' || l[8] != ' ' || l[9] != 'T' || l[10] != ' ' ||
        (l[11] != '+' && l[11] != '-') || l[14] != '.' || l[17] != ' ' || l[18] != 'P' || l[19] != ' ' ||
        l[24] != '.' || l[26] != ' ' || l[27] != 'S' || l[28] != ' ' || l[31] != ' ' || l[32] != '*') {
        return 0;
    }
    o2i = digits(&l[2], 4);
    o2f = digits(&l[7], 1);
    ti = digits(&l[12], 2);
    tf = digits(&l[15], 2);
    pi = digits(&l[20], 4);
    pf = digits(&l[25], 1);
    h1 = hexval(l[29]);
    h0 = hexval(l[30]);
    c1 = hexval(l[33]);
    c0 = hexval(l[34]);
    if (o2i < 0 || o2f < 0 || ti < 0 || tf < 0 || pi < 0 || pf < 0 || h1 < 0 || h0 < 0 || c1 < 0 || c0 < 0) {
        return 0;
    }
    if ((uint8_t)((c1 << 4) | c0) != o2m_checksum(l, 32u)) {
        return 0;
    }
    out->o2 = o2i * 10 + o2f;               /* 0.1 mbar = 0.01 kPa */
    out->temp = (ti * 100 + tf) * (l[11] == '-' ? -1 : 1);
    out->pres_pa = (pi * 10 + pf) * 10;     /* 0.1 mbar = 10 Pa */
    out->status = (uint8_t)((h1 << 4) | h0);
    return 1;
}

void o2m_init(o2m_t *m, uint32_t silence_ms, uint32_t now)
{
    memset(m, 0, sizeof *m);
    m->silence_ms = silence_ms;
    m->last_ok_ms = now; /* a module gets silence_ms from power-up before its silence counts */
}

static void set_sample(sample_t *s, int valid, int32_t value, uint32_t now)
{
    s->valid = valid ? 1u : 0u;
    s->value = value;
    s->at_ms = now;
}

static void take_line(o2m_t *m, uint32_t now)
{
    o2m_line_t v;
    uint8_t st;

    if (!o2m_parse_line(m->buf, m->len, &v)) {
        m->lines_bad++;
        return;
    }
    m->lines_ok++;
    m->ever = 1;
    m->silent = 0;
    m->last_ok_ms = now;
    m->status = v.status;
    st = v.status;
    set_sample(&m->o2, !(st & (O2M_ST_WARMUP | O2M_ST_O2_LOW | O2M_ST_TEMP_FAIL)), v.o2, now);
    set_sample(&m->temp, !(st & (O2M_ST_WARMUP | O2M_ST_TEMP_FAIL)), v.temp, now);
    set_sample(&m->pres, !(st & (O2M_ST_WARMUP | O2M_ST_PRES_FAIL)), v.pres_pa, now);
}

void o2m_feed(o2m_t *m, const uint8_t *bytes, size_t n, uint32_t now)
{
    size_t i;

    for (i = 0; i < n; i++) {
        uint8_t b = bytes[i];
        if (b == '\n') {
            if (m->discarding) {
                m->lines_bad++;
            } else {
                if (m->len > 0u && m->buf[m->len - 1u] == '\r') {
                    m->len--;
                }
                if (m->len > 0u) {
                    take_line(m, now);
                }
            }
            m->len = 0;
            m->discarding = 0;
        } else if (!m->discarding) {
            if (m->len >= O2M_LINE_MAX) {
                m->discarding = 1;
            } else {
                m->buf[m->len++] = (char)b;
            }
        }
    }
}

void o2m_poll(o2m_t *m, uint32_t now)
{
    uint8_t chunk[32];
    size_t budget = O2M_READ_BUDGET;

    while (budget > 0u) {
        size_t got = hal_uart_read(HAL_UART_O2, chunk, sizeof chunk);
        if (got == 0u) {
            break;
        }
        if (got > sizeof chunk) {
            got = sizeof chunk;
        }
        o2m_feed(m, chunk, got, now);
        budget = budget > got ? budget - got : 0u;
    }
    if (!m->silent && (uint32_t)(now - m->last_ok_ms) > m->silence_ms &&
        (uint32_t)(now - m->last_ok_ms) < 0x80000000u) {
        m->silent = 1;
        m->timeouts++;
    }
}

uint32_t o2m_idle_ms(const o2m_t *m, uint32_t now)
{
    uint32_t since = (uint32_t)(now - m->last_ok_ms);

    if (m->silent || since >= 0x80000000u) {
        return O2M_IDLE_NONE;
    }
    /* The poll counts a silence once it is longer than silence_ms: one ms after. */
    return since > m->silence_ms ? 0u : m->silence_ms - since + 1u;
}
