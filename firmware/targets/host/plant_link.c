/* The host target's plant link lines; see plant_link.h. */
#include "targets/host/plant_link.h"

#include <string.h>

int plant_parse_t_line(const char *line, size_t len, uint32_t *ms)
{
    uint32_t v = 0;
    size_t i;

    if (len < 3u || len > 22u || line[0] != 'T' || line[1] != ' ') {
        return 0;
    }
    for (i = 2; i < len; i++) {
        if (line[i] < '0' || line[i] > '9') {
            return 0;
        }
        v = v * 10u + (uint32_t)(line[i] - '0'); /* unsigned arithmetic wraps: modulo 2^32 */
    }
    *ms = v;
    return 1;
}

/* Appends n bytes of s at *len if they fit (leaving room for the NUL); 0 if not. */
static int put(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + n + 1u > cap) {
        return 0;
    }
    memcpy(&buf[*len], s, n);
    *len += n;
    buf[*len] = '\0';
    return 1;
}

size_t plant_format_o_line(char *buf, size_t cap, const char *const *names, uint8_t nkinds, const uint8_t *states,
                           uint8_t cells, uint8_t per_cell)
{
    size_t len = 0;
    uint8_t k;
    uint8_t c;

    if (cap == 0u || !put(buf, cap, &len, "O", 1u)) {
        return 0;
    }
    for (k = 0; k < nkinds; k++) {
        if (!put(buf, cap, &len, " ", 1u) || !put(buf, cap, &len, names[k], strlen(names[k])) ||
            !put(buf, cap, &len, "=", 1u)) {
            return 0;
        }
        for (c = 0; c < cells; c++) {
            const char *d = states[c * per_cell + k] ? "1" : "0";
            if (!put(buf, cap, &len, d, 1u)) {
                return 0;
            }
        }
    }
    return put(buf, cap, &len, "\n", 1u) ? len : 0u;
}

uint8_t plant_sampled_cell(const uint8_t *states, uint8_t cells, uint8_t per_cell, uint8_t sample_kind)
{
    uint8_t c;

    for (c = 0; c < cells; c++) {
        if (states[c * per_cell + sample_kind]) {
            return (uint8_t)(c + 1u);
        }
    }
    return 0;
}

size_t plant_format_m_line(char *buf, size_t cap, uint8_t sample_cell)
{
    char digits[4];
    size_t len = 0;
    size_t n = 0;
    uint8_t v = sample_cell;

    do {
        digits[2u - n] = (char)('0' + v % 10u);
        v = (uint8_t)(v / 10u);
        n++;
    } while (v != 0u);
    if (cap == 0u || !put(buf, cap, &len, "M sample=", 9u) || !put(buf, cap, &len, &digits[3u - n], n) ||
        !put(buf, cap, &len, "\n", 1u)) {
        return 0;
    }
    return len;
}
