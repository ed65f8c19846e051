/*
 * Board protocol framing: line assembler, parser and writer. See frame.h for the contracts and
 * firmware/PROTOCOL.md for the rules; this file only says why where the code cannot.
 */
#include "common/frame.h"

#include <string.h>

#include "common/crc16.h"

const char *frame_verdict_name(frame_verdict_t verdict)
{
    switch (verdict) {
    case FRAME_OK:
        return "ok";
    case FRAME_E_TOOLONG:
        return "E_TOOLONG";
    case FRAME_E_SYNTAX:
        return "E_SYNTAX";
    case FRAME_E_CRC:
        return "E_CRC";
    }
    return "?";
}

/* ---- character classes of the grammar ------------------------------------------------------------------ */

static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_key_tail(char c) { return is_lower(c) || is_digit(c) || c == '_'; }

/* Printable ASCII '!'..'~' except '*' (starts the checksum) and '=' (separates key and value). */
static int is_value_char(char c)
{
    unsigned char u = (unsigned char)c;
    return u >= 0x21u && u <= 0x7Eu && c != '*' && c != '=';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* ---- line assembler -------------------------------------------------------------------------------------- */

void frame_lineasm_reset(frame_lineasm_t *la)
{
    la->len = 0;
    la->cr_pending = 0;
    la->discarding = 0;
    la->ready = 0;
    la->buf[0] = '\0';
}

/* One data byte into the line, or into the void once the line is known to be too long. */
static void lineasm_append(frame_lineasm_t *la, uint8_t byte)
{
    if (la->discarding) {
        return;
    }
    if (la->len >= FRAME_LINE_MAX) {
        la->discarding = 1;
        return;
    }
    la->buf[la->len++] = (char)byte;
}

frame_line_event_t frame_lineasm_push(frame_lineasm_t *la, uint8_t byte)
{
    if (la->ready) {
        /* The caller has had the previous line; this byte starts the next one. */
        la->ready = 0;
        la->len = 0;
    }
    if (byte == '\n') {
        if (la->discarding) {
            frame_lineasm_reset(la);
            return FRAME_LINE_TOOLONG;
        }
        la->cr_pending = 0; /* the CR of a CR LF pair is not part of the line */
        la->buf[la->len] = '\0';
        la->ready = 1;
        return FRAME_LINE_READY;
    }
    /* A '\r' is held back one byte: only when '\n' follows is it dropped, otherwise it is ordinary data (and
     * counts towards the length, so "160 bytes + CR LF" is a good line but "160 bytes + CR x" is not). */
    if (la->cr_pending) {
        la->cr_pending = 0;
        lineasm_append(la, (uint8_t)'\r');
    }
    if (byte == '\r') {
        la->cr_pending = 1;
        return FRAME_LINE_NONE;
    }
    lineasm_append(la, byte);
    return FRAME_LINE_NONE;
}

char *frame_lineasm_line(frame_lineasm_t *la, size_t *len)
{
    *len = la->len;
    return la->buf;
}

/* ---- parser ---------------------------------------------------------------------------------------------- */

static frame_verdict_t reject(frame_t *out, frame_verdict_t verdict)
{
    out->type = "";
    out->nfields = 0;
    return verdict;
}

/*
 * The grammar check of the body (everything before the '*'), cutting it in place: each separator becomes a NUL
 * so that type, keys and values are C strings. s[n] is the '*', which becomes the final NUL.
 */
static frame_verdict_t parse_body(char *s, size_t n, frame_t *out)
{
    size_t i = 0;
    size_t start;
    uint8_t f;

    while (i < n && is_upper(s[i])) {
        i++;
    }
    if (i < FRAME_TYPE_MIN || i > FRAME_TYPE_MAX || (i < n && s[i] != ' ')) {
        return reject(out, FRAME_E_SYNTAX);
    }
    out->type = s;

    /* Each turn reads " key=value"; i is at the space. */
    while (i < n) {
        frame_field_t *field;

        s[i++] = '\0';
        if (out->nfields >= FRAME_FIELDS_MAX) {
            return reject(out, FRAME_E_SYNTAX);
        }

        start = i;
        if (i >= n || !is_lower(s[i])) {
            return reject(out, FRAME_E_SYNTAX); /* also catches a double space and a trailing space */
        }
        i++;
        while (i < n && is_key_tail(s[i])) {
            i++;
        }
        if (i - start > FRAME_KEY_MAX || i >= n || s[i] != '=') {
            return reject(out, FRAME_E_SYNTAX);
        }
        s[i++] = '\0';
        field = &out->fields[out->nfields];
        field->key = &s[start];

        start = i;
        while (i < n && is_value_char(s[i])) {
            i++;
        }
        if (i == start || i - start > FRAME_VALUE_MAX || (i < n && s[i] != ' ')) {
            return reject(out, FRAME_E_SYNTAX);
        }
        field->value = &s[start];

        /* At most 16 fields of at most 12 characters: a plain scan is the cheapest duplicate check. */
        for (f = 0; f < out->nfields; f++) {
            if (strcmp(out->fields[f].key, field->key) == 0) {
                return reject(out, FRAME_E_SYNTAX);
            }
        }
        out->nfields++;
    }
    s[n] = '\0';
    return FRAME_OK;
}

frame_verdict_t frame_parse(char *line, size_t len, frame_t *out)
{
    size_t body_len;
    size_t i;
    uint16_t sent = 0;

    out->type = "";
    out->nfields = 0;

    /* The order of these checks is the protocol's (PROTOCOL.md, "Frame"): length, then the checksum tail, then
     * the checksum, and the grammar last, so that a corrupted frame reads as E_CRC whatever it looks like. */
    if (len > FRAME_LINE_MAX) {
        return reject(out, FRAME_E_TOOLONG);
    }
    if (len < FRAME_TAIL_LEN || line[len - FRAME_TAIL_LEN] != '*') {
        return reject(out, FRAME_E_SYNTAX);
    }
    for (i = len - 4u; i < len; i++) {
        int v = hex_value(line[i]);
        if (v < 0) {
            return reject(out, FRAME_E_SYNTAX);
        }
        sent = (uint16_t)((sent << 4) | (uint16_t)v);
    }
    body_len = len - FRAME_TAIL_LEN;
    if (crc16(line, body_len) != sent) {
        return reject(out, FRAME_E_CRC);
    }
    return parse_body(line, body_len, out);
}

const char *frame_get(const frame_t *f, const char *key)
{
    uint8_t i;

    for (i = 0; i < f->nfields; i++) {
        if (strcmp(f->fields[i].key, key) == 0) {
            return f->fields[i].value;
        }
    }
    return NULL;
}

int frame_parse_u32(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    size_t i;

    if (s == NULL || !is_digit(s[0]) || (s[0] == '0' && s[1] != '\0')) {
        return 0;
    }
    for (i = 0; s[i] != '\0'; i++) {
        uint32_t d;
        if (!is_digit(s[i])) {
            return 0;
        }
        d = (uint32_t)(s[i] - '0');
        if (v > 429496729u || (v == 429496729u && d > 5u)) {
            return 0; /* more than 4294967295 */
        }
        v = v * 10u + d;
    }
    *out = v;
    return 1;
}

int frame_only_keys(const frame_t *f, const char *const *allowed)
{
    uint8_t i;

    for (i = 0; i < f->nfields; i++) {
        const char *const *a;
        for (a = allowed; *a != NULL && strcmp(f->fields[i].key, *a) != 0; a++) {
        }
        if (*a == NULL) {
            return 0;
        }
    }
    return 1;
}

int frame_parse_fixed(const char *s, uint8_t decimals, uint8_t max_digits, int sign_ok, int32_t *out)
{
    int32_t v = 0;
    uint8_t digits = 0;
    uint8_t frac = 0;
    int neg = 0;
    int point = 0;

    if (max_digits > FRAME_FIXED_DIGITS_MAX) {
        max_digits = FRAME_FIXED_DIGITS_MAX;
    }
    if (s == NULL) {
        return 0;
    }
    if (*s == '-' && sign_ok) {
        neg = 1;
        s++;
    }
    if (!is_digit(*s)) {
        return 0;
    }
    for (; *s != '\0'; s++) {
        if (*s == '.' && !point) {
            point = 1;
            if (s[1] == '\0') {
                return 0; /* "5." */
            }
            continue;
        }
        if (!is_digit(*s) || digits >= max_digits || (point && frac >= decimals)) {
            return 0;
        }
        v = v * 10 + (*s - '0');
        digits++;
        if (point) {
            frac++;
        }
    }
    for (; frac < decimals; frac++) {
        if (v > 99999999) {
            return 0; /* would not fit in 32 bits */
        }
        v *= 10;
    }
    *out = neg ? -v : v;
    return 1;
}

/* ---- writer ---------------------------------------------------------------------------------------------- */

/* Room the end of a frame needs after the body: "*CCCC", '\n' and the NUL. */
#define WRITER_RESERVE (FRAME_TAIL_LEN + 2u)

static void writer_put(frame_writer_t *w, const char *s, size_t n)
{
    if (w->failed) {
        return;
    }
    /* Two limits: the caller's buffer, and the protocol's line length (body + "*CCCC" <= 160). */
    if (w->len + n + WRITER_RESERVE > w->cap || w->len + n + FRAME_TAIL_LEN > FRAME_LINE_MAX) {
        w->failed = 1;
        return;
    }
    memcpy(&w->buf[w->len], s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

void frame_writer_begin(frame_writer_t *w, char *buf, size_t cap, const char *type)
{
    size_t n = 0;

    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->nfields = 0;
    w->failed = 0;
    if (buf == NULL || cap < WRITER_RESERVE || type == NULL) {
        w->failed = 1;
        return;
    }
    buf[0] = '\0';
    while (type[n] != '\0' && n <= FRAME_TYPE_MAX) {
        if (!is_upper(type[n])) {
            w->failed = 1;
            return;
        }
        n++;
    }
    if (n < FRAME_TYPE_MIN || n > FRAME_TYPE_MAX) {
        w->failed = 1;
        return;
    }
    writer_put(w, type, n);
}

void frame_writer_str(frame_writer_t *w, const char *key, const char *value)
{
    size_t kn = 0;
    size_t vn = 0;

    if (w->failed) {
        return;
    }
    if (key == NULL || value == NULL || w->nfields >= FRAME_FIELDS_MAX || !is_lower(key[0])) {
        w->failed = 1;
        return;
    }
    for (kn = 1; key[kn] != '\0'; kn++) {
        if (kn >= FRAME_KEY_MAX || !is_key_tail(key[kn])) {
            w->failed = 1;
            return;
        }
    }
    for (vn = 0; value[vn] != '\0'; vn++) {
        if (vn >= FRAME_VALUE_MAX || !is_value_char(value[vn])) {
            w->failed = 1;
            return;
        }
    }
    if (vn == 0) {
        w->failed = 1;
        return;
    }
    writer_put(w, " ", 1);
    writer_put(w, key, kn);
    writer_put(w, "=", 1);
    writer_put(w, value, vn);
    w->nfields++;
}

/* Decimal digits of v into out (no terminator); returns how many. out needs room for 10. */
static size_t u32_digits(uint32_t v, char *out)
{
    char rev[10];
    size_t n = 0;
    size_t i;

    do {
        rev[n++] = (char)('0' + (v % 10u));
        v /= 10u;
    } while (v != 0u);
    for (i = 0; i < n; i++) {
        out[i] = rev[n - 1u - i];
    }
    return n;
}

void frame_writer_u32(frame_writer_t *w, const char *key, uint32_t value)
{
    char text[11];
    size_t n = u32_digits(value, text);

    text[n] = '\0';
    frame_writer_str(w, key, text);
}

int frame_writer_fits(const frame_writer_t *w, const char *key, uint32_t value)
{
    char text[11];
    size_t n = 1u + strlen(key) + 1u + u32_digits(value, text);

    return !w->failed && w->nfields < FRAME_FIELDS_MAX && w->len + n + WRITER_RESERVE <= w->cap && w->len + n + FRAME_TAIL_LEN <= FRAME_LINE_MAX;
}

void frame_writer_fixed(frame_writer_t *w, const char *key, int32_t value, uint8_t decimals)
{
    /* Sign, 10 digits, point, up to 9 decimals (more than an int32 has), NUL. */
    char text[1 + 10 + 1 + 9 + 1];
    char digits[10];
    uint32_t magnitude;
    uint32_t scale = 1;
    size_t n = 0;
    size_t nd;
    uint8_t i;

    if (decimals > 9u) {
        w->failed = 1;
        return;
    }
    for (i = 0; i < decimals; i++) {
        scale *= 10u;
    }
    if (value < 0) {
        text[n++] = '-';
        /* -(value + 1) + 1 avoids overflowing on INT32_MIN. */
        magnitude = (uint32_t)(-(value + 1)) + 1u;
    } else {
        magnitude = (uint32_t)value;
    }
    nd = u32_digits(magnitude / scale, digits);
    memcpy(&text[n], digits, nd);
    n += nd;
    if (decimals > 0u) {
        uint32_t frac = magnitude % scale;
        text[n++] = '.';
        /* Write the fraction with its leading zeros: 40 with 3 decimals is "040". */
        for (i = decimals; i > 0u; i--) {
            text[n + i - 1u] = (char)('0' + (frac % 10u));
            frac /= 10u;
        }
        n += decimals;
    }
    text[n] = '\0';
    frame_writer_str(w, key, text);
}

size_t frame_writer_end(frame_writer_t *w)
{
    static const char hex[] = "0123456789ABCDEF";
    uint16_t crc;

    if (w->failed) {
        return 0;
    }
    /* writer_put kept WRITER_RESERVE bytes free and the body short enough for the tail. */
    crc = crc16(w->buf, w->len);
    w->buf[w->len++] = '*';
    w->buf[w->len++] = hex[(crc >> 12) & 0xFu];
    w->buf[w->len++] = hex[(crc >> 8) & 0xFu];
    w->buf[w->len++] = hex[(crc >> 4) & 0xFu];
    w->buf[w->len++] = hex[crc & 0xFu];
    w->buf[w->len++] = '\n';
    w->buf[w->len] = '\0';
    return w->len;
}

size_t frame_write(const frame_t *f, char *buf, size_t cap)
{
    frame_writer_t w;
    uint8_t i;

    frame_writer_begin(&w, buf, cap, f->type);
    for (i = 0; i < f->nfields; i++) {
        frame_writer_str(&w, f->fields[i].key, f->fields[i].value);
    }
    return frame_writer_end(&w);
}
