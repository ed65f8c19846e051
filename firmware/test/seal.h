/*
 * Sealing a frame body for the C tests: body + "*CCCC" (CRC-16/CCITT-FALSE, upper-case hex), as a sender
 * writes it (PROTOCOL.md, "Frame"). One helper for every test that sends or expects frames.
 */
#ifndef CELLBENCH_TEST_SEAL_H
#define CELLBENCH_TEST_SEAL_H

#include <stddef.h>
#include <string.h>

#include "common/crc16.h"

/* body_len bytes of body plus "*CCCC" and a NUL into out[cap]; returns the length without the NUL, 0 when it
 * does not fit. The body may hold NULs. */
static inline size_t test_seal(const char *body, size_t body_len, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    uint16_t crc = crc16(body, body_len);

    if (body_len + 6u > cap) {
        return 0;
    }
    memmove(out, body, body_len);
    out[body_len] = '*';
    out[body_len + 1u] = hex[(crc >> 12) & 0xFu];
    out[body_len + 2u] = hex[(crc >> 8) & 0xFu];
    out[body_len + 3u] = hex[(crc >> 4) & 0xFu];
    out[body_len + 4u] = hex[crc & 0xFu];
    out[body_len + 5u] = '\0';
    return body_len + 5u;
}

/* A NUL-terminated body, sealed, in a static buffer (valid until the next call). */
static inline const char *test_sealed(const char *body)
{
    static char line[512];

    (void)test_seal(body, strlen(body), line, sizeof line);
    return line;
}

#endif
