/*
 * Modbus-RTU, the master side of what the CO2 module needs (firmware/MODULES.md, "CO2 module"): function 0x04
 * (read input registers) and its exception answer, each frame closed by CRC-16/MODBUS.
 *
 * CRC-16/MODBUS: polynomial 0x8005 reflected (0xA001), initial value 0xFFFF, no final XOR, sent low byte first.
 * Check value: the CRC of the 9 ASCII bytes "123456789" is 0x4B37.
 */
#ifndef CELLBENCH_MODBUS_H
#define CELLBENCH_MODBUS_H

#include <stddef.h>
#include <stdint.h>

#define MODBUS_FN_READ_INPUT 0x04u
#define MODBUS_EXCEPTION     0x80u
#define MODBUS_REGS_MAX      8u   /* input registers this master reads at most in one request */
#define MODBUS_ADU_MAX       (5u + 2u * MODBUS_REGS_MAX) /* the longest answer it accepts: addr fn n data crc */

uint16_t modbus_crc(const uint8_t *data, size_t len);

/* Writes the 8-byte request "read count input registers from start" for slave addr; returns 8. */
size_t modbus_read_input_request(uint8_t *out, uint8_t addr, uint16_t start, uint16_t count);

typedef enum {
    MODBUS_NEED_MORE = 0, /* no complete frame yet */
    MODBUS_ANSWER,        /* a good answer: the registers are in regs */
    MODBUS_EXCEPTION_ANSWER  /* a good exception answer: its code is in exception */
} modbus_result_t;

/* Collects the answer to one read-input-registers request, byte by byte, resynchronising on noise: bytes
 * before the slave address, or frames whose CRC is wrong, are skipped a byte at a time, so garbage in front of
 * an answer does not hide it. Bounded: at most MODBUS_ADU_MAX * 2 bytes are kept. */
typedef struct {
    uint8_t addr;
    uint8_t count;        /* registers asked for */
    uint8_t buf[MODBUS_ADU_MAX * 2u];
    uint8_t len;
    uint8_t crc_seen;     /* bytes with the shape of an answer but a wrong CRC were seen since the start */
    uint16_t regs[MODBUS_REGS_MAX];
    uint8_t exception;
    uint32_t skipped;     /* noise bytes skipped */
} modbus_rx_t;

void modbus_rx_start(modbus_rx_t *rx, uint8_t addr, uint8_t count);
modbus_result_t modbus_rx_push(modbus_rx_t *rx, uint8_t byte);

#endif
