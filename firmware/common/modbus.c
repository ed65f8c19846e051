/* Modbus-RTU master for function 0x04; see modbus.h. */
#include "common/modbus.h"

#include <string.h>

uint16_t modbus_crc(const uint8_t *data, size_t len)
{
    uint16_t crc = 0xFFFFu;
    size_t i;
    uint8_t b;

    for (i = 0; i < len; i++) {
        crc ^= data[i];
        for (b = 0; b < 8u; b++) {
            crc = (crc & 1u) ? (uint16_t)((crc >> 1) ^ 0xA001u) : (uint16_t)(crc >> 1);
        }
    }
    return crc;
}

size_t modbus_read_input_request(uint8_t *out, uint8_t addr, uint16_t start, uint16_t count)
{
    uint16_t crc;

    out[0] = addr;
    out[1] = MODBUS_FN_READ_INPUT;
    out[2] = (uint8_t)(start >> 8);
    out[3] = (uint8_t)(start & 0xFFu);
    out[4] = (uint8_t)(count >> 8);
    out[5] = (uint8_t)(count & 0xFFu);
    crc = modbus_crc(out, 6u);
    out[6] = (uint8_t)(crc & 0xFFu); /* CRC low byte first */
    out[7] = (uint8_t)(crc >> 8);
    return 8u;
}

void modbus_rx_start(modbus_rx_t *rx, uint8_t addr, uint8_t count)
{
    memset(rx, 0, sizeof *rx);
    rx->addr = addr;
    rx->count = count > MODBUS_REGS_MAX ? (uint8_t)MODBUS_REGS_MAX : count;
}

static void drop_first(modbus_rx_t *rx)
{
    memmove(rx->buf, rx->buf + 1, (size_t)rx->len - 1u);
    rx->len--;
    rx->skipped++;
}

/* Looks at the front of buf: how long the frame starting there is (0: not a frame start; 255: need more). */
static uint8_t frame_len(const modbus_rx_t *rx)
{
    if (rx->buf[0] != rx->addr) {
        return 0;
    }
    if (rx->len < 2u) {
        return 255u;
    }
    if (rx->buf[1] == (MODBUS_FN_READ_INPUT | MODBUS_EXCEPTION)) {
        return 5u;
    }
    if (rx->buf[1] != MODBUS_FN_READ_INPUT) {
        return 0;
    }
    if (rx->len < 3u) {
        return 255u;
    }
    if (rx->buf[2] != (uint8_t)(2u * rx->count)) {
        return 0;
    }
    return (uint8_t)(5u + rx->buf[2]);
}

modbus_result_t modbus_rx_push(modbus_rx_t *rx, uint8_t byte)
{
    if (rx->len >= sizeof rx->buf) {
        drop_first(rx); /* bounded: the oldest byte goes */
    }
    rx->buf[rx->len++] = byte;

    for (;;) {
        uint8_t n;
        uint16_t crc;

        if (rx->len == 0u) {
            return MODBUS_NEED_MORE;
        }
        n = frame_len(rx);
        if (n == 0u) {
            drop_first(rx);
            continue;
        }
        if (n == 255u || rx->len < n) {
            return MODBUS_NEED_MORE;
        }
        crc = (uint16_t)(rx->buf[n - 2u] | ((uint16_t)rx->buf[n - 1u] << 8));
        if (crc != modbus_crc(rx->buf, (size_t)n - 2u)) {
            /* Maybe noise that looked like a header; maybe a corrupted answer. Say so once, keep scanning. */
            drop_first(rx);
            rx->crc_seen = 1;
            continue;
        }
        if (rx->buf[1] & MODBUS_EXCEPTION) {
            rx->exception = rx->buf[2];
            rx->len = 0;
            return MODBUS_EXCEPTION_ANSWER;
        }
        {
            uint8_t i;
            for (i = 0; i < rx->count; i++) {
                rx->regs[i] = (uint16_t)(((uint16_t)rx->buf[3u + 2u * i] << 8) | rx->buf[4u + 2u * i]);
            }
        }
        rx->len = 0;
        return MODBUS_ANSWER;
    }
}
