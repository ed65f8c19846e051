/*
 * Plant link parsing and formatting; contract in plant_link.h.
 */
#include "targets/host/plant_link.h"

#include <string.h>

/* Decimals of each hal_sensor_t unit, and the key of each on the S line. */
static const uint8_t plant_decimals[HAL_SENSOR_COUNT] = { 2u, 3u, 2u };
static const char *const plant_keys[HAL_SENSOR_COUNT] = { "o2", "co2", "temp" };

/* Integer digits accepted: 999999 with 3 decimals is 999999000, well inside int32. No plant value needs more. */
#define PLANT_INT_DIGITS_MAX 6u

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Parses a decimal of n bytes into fixed point with the given decimals. Returns 1 on success. */
static int parse_fixed(const char *s, size_t n, uint8_t decimals, int32_t *out)
{
    size_t i = 0;
    size_t int_digits = 0;
    int negative = 0;
    int32_t v = 0;
    uint8_t d;

    if (i < n && s[i] == '-') {
        negative = 1;
        i++;
    }
    while (i < n && is_digit(s[i])) {
        if (++int_digits > PLANT_INT_DIGITS_MAX) {
            return 0;
        }
        v = v * 10 + (s[i] - '0');
        i++;
    }
    if (int_digits == 0u) {
        return 0;
    }
    /* Scale to the unit, taking up to `decimals` fraction digits; the first digit beyond rounds. */
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n) {
            return 0; /* "1." */
        }
    }
    for (d = 0; d < decimals; d++) {
        v *= 10;
        if (i < n && is_digit(s[i])) {
            v += s[i] - '0';
            i++;
        }
    }
    if (i < n && is_digit(s[i])) {
        if (s[i] >= '5') {
            v += 1; /* half away from zero: the sign is applied below */
        }
        while (i < n && is_digit(s[i])) {
            i++;
        }
    }
    if (i != n) {
        return 0; /* trailing junk, or a '.' without digits after the ones we took */
    }
    *out = negative ? -v : v;
    return 1;
}

int plant_parse_s_line(const char *line, size_t len, plant_values_t *out)
{
    uint8_t seen[HAL_SENSOR_COUNT] = { 0u, 0u, 0u };
    size_t i;
    uint8_t k;

    if (len < 1u || line[0] != 'S' || (len > 1u && line[1] != ' ')) {
        return 0;
    }
    i = 1;
    while (i < len) {
        size_t key_start;
        size_t key_len;
        size_t val_start;
        size_t val_len;

        /* Fields are separated by spaces; tolerate several (a person typing), but nothing else. */
        while (i < len && line[i] == ' ') {
            i++;
        }
        if (i >= len) {
            break;
        }
        key_start = i;
        while (i < len && line[i] != '=' && line[i] != ' ') {
            i++;
        }
        if (i >= len || line[i] != '=') {
            return 0;
        }
        key_len = i - key_start;
        i++;
        val_start = i;
        while (i < len && line[i] != ' ') {
            i++;
        }
        val_len = i - val_start;
        if (key_len == 0u || val_len == 0u) {
            return 0;
        }
        for (k = 0; k < HAL_SENSOR_COUNT; k++) {
            if (key_len == strlen(plant_keys[k]) && memcmp(&line[key_start], plant_keys[k], key_len) == 0) {
                break;
            }
        }
        if (k == HAL_SENSOR_COUNT) {
            continue; /* a field this board does not read */
        }
        if (seen[k]) {
            return 0;
        }
        seen[k] = 1;
        if (val_len == 2u && memcmp(&line[val_start], "NA", 2u) == 0) {
            out->valid[k] = 0;
            out->value[k] = 0;
        } else if (parse_fixed(&line[val_start], val_len, plant_decimals[k], &out->value[k])) {
            out->valid[k] = 1;
        } else {
            return 0;
        }
    }
    for (k = 0; k < HAL_SENSOR_COUNT; k++) {
        if (!seen[k]) {
            return 0;
        }
    }
    return 1;
}

size_t plant_format_o_line(char *buf, size_t cap, const char *const *names, const uint8_t *states,
                           uint8_t count)
{
    size_t n = 0;
    uint8_t i;

    if (cap < 3u) {
        return 0;
    }
    buf[n++] = 'O';
    for (i = 0; i < count; i++) {
        size_t name_len = strlen(names[i]);
        /* " name=X" plus the final "\n" and NUL */
        if (n + 1u + name_len + 2u + 2u > cap) {
            return 0;
        }
        buf[n++] = ' ';
        memcpy(&buf[n], names[i], name_len);
        n += name_len;
        buf[n++] = '=';
        buf[n++] = states[i] ? '1' : '0';
    }
    buf[n++] = '\n';
    buf[n] = '\0';
    return n;
}
