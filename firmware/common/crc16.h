/*
 * CRC-16/CCITT-FALSE, the board protocol's frame checksum (firmware/PROTOCOL.md, "Frame").
 *
 * Polynomial 0x1021, initial value 0xFFFF, no input or output reflection, no final XOR.
 * Check value: the CRC of the 9 ASCII bytes "123456789" is 0x29B1.
 */
#ifndef CELLBENCH_CRC16_H
#define CELLBENCH_CRC16_H

#include <stddef.h>
#include <stdint.h>

#define CRC16_INIT 0xFFFFu

/* Folds one more byte into a running CRC; start from CRC16_INIT. */
uint16_t crc16_update(uint16_t crc, uint8_t byte);

/* The CRC of len bytes at data (len may be 0: the result is then CRC16_INIT). */
uint16_t crc16(const void *data, size_t len);

#endif
