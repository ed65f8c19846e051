/*
 * The palletunit's setpoint record in EEPROM: the loop's O2 setpoint and CO2 maximum as the host last set them
 * (SETPT), kept with a checksum so that they survive a power cycle. An erased, corrupted or out-of-limits record
 * is not used: the loop starts on config.h's defaults.
 *
 * Layout at PU_EE_SETPT_ADDR, 14 bytes, little-endian:
 *   0  'S' 'P'          magic
 *   2  1                layout version
 *   3  0                reserved
 *   4  o2_setpoint      int32, 0.01 kPa (PU_O2_SETPOINT_MIN..MAX)
 *   8  co2_max          int32, 0.001 kPa (PU_CO2_MAX_MIN..MAX)
 *   12 crc              uint16, CRC-16/CCITT-FALSE over bytes 0..11
 */
#ifndef CELLBENCH_SETPOINT_RECORD_H
#define CELLBENCH_SETPOINT_RECORD_H

#include <stdint.h>

#define SETPOINT_RECORD_SIZE 14u

/* 1 when both setpoints are within palletunit/config.h's limits (what SETPT accepts). */
int setpoint_valid(int32_t o2_setpoint, int32_t co2_max);

void setpoint_record_encode(int32_t o2_setpoint, int32_t co2_max, uint8_t out[SETPOINT_RECORD_SIZE]);

/* 1 and the setpoints when bytes hold an intact record within the limits; 0 otherwise (outputs untouched). */
int setpoint_record_decode(const uint8_t in[SETPOINT_RECORD_SIZE], int32_t *o2_setpoint, int32_t *co2_max);

#endif
