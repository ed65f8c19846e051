/* The palletunit's setpoint record; see setpoint_record.h. */
#include "palletunit/setpoint_record.h"

#include "common/crc16.h"
#include "common/le_bytes.h"
#include "palletunit/config.h"

int setpoint_valid(int32_t o2_setpoint, int32_t co2_max)
{
    return o2_setpoint >= PU_O2_SETPOINT_MIN && o2_setpoint <= PU_O2_SETPOINT_MAX && co2_max >= PU_CO2_MAX_MIN &&
           co2_max <= PU_CO2_MAX_MAX;
}

void setpoint_record_encode(int32_t o2_setpoint, int32_t co2_max, uint8_t out[SETPOINT_RECORD_SIZE])
{
    out[0] = 'S';
    out[1] = 'P';
    out[2] = 1u;
    out[3] = 0u;
    le_put_u32(&out[4], (uint32_t)o2_setpoint);
    le_put_u32(&out[8], (uint32_t)co2_max);
    le_put_u16(&out[12], crc16(out, 12u));
}

int setpoint_record_decode(const uint8_t in[SETPOINT_RECORD_SIZE], int32_t *o2_setpoint, int32_t *co2_max)
{
    int32_t o2;
    int32_t co2;

    if (in[0] != 'S' || in[1] != 'P' || in[2] != 1u || le_get_u16(&in[12]) != crc16(in, 12u)) {
        return 0;
    }
    o2 = (int32_t)le_get_u32(&in[4]);
    co2 = (int32_t)le_get_u32(&in[8]);
    if (!setpoint_valid(o2, co2)) {
        return 0;
    }
    *o2_setpoint = o2;
    *co2_max = co2;
    return 1;
}
