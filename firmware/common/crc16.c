/*
 * CRC-16/CCITT-FALSE, computed bit by bit.
 *
 * Why no lookup table: a 512-byte table would have to live in flash on the AVR target and be read with
 * pgm_read_word; at 115200 baud the board handles at most ~11.5 kB/s, and eight shift/XOR steps per byte
 * cost far less than the link delivers. Simpler code, same answer on every target.
 */
#include "common/crc16.h"

uint16_t crc16_update(uint16_t crc, uint8_t byte)
{
    uint8_t bit;

    crc ^= (uint16_t)((uint16_t)byte << 8);
    for (bit = 0; bit < 8; bit++) {
        if (crc & 0x8000u) {
            crc = (uint16_t)((crc << 1) ^ 0x1021u);
        } else {
            crc = (uint16_t)(crc << 1);
        }
    }
    return crc;
}

uint16_t crc16(const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    uint16_t crc = CRC16_INIT;
    size_t i;

    for (i = 0; i < len; i++) {
        crc = crc16_update(crc, p[i]);
    }
    return crc;
}
