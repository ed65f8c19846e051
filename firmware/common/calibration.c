/* Two-point gas calibration; see calibration.h. */
#include "common/calibration.h"

#include "common/crc16.h"
#include "common/le_bytes.h"

void cal_factory(cal_set_t *cal)
{
    uint8_t i;

    cal->count = 0;
    for (i = 0; i < CAL_GASES; i++) {
        cal->gas[i].raw_zero = 0;
        cal->gas[i].ref_zero = 0;
        cal->gas[i].gain_num = 1;
        cal->gas[i].gain_den = 1;
    }
}

/* num / den rounded half away from zero; den > 0. */
static int64_t div_round(int64_t num, int64_t den)
{
    return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

int32_t cal_apply(const cal_gas_t *g, int32_t raw)
{
    int64_t v = (int64_t)g->ref_zero +
                div_round(((int64_t)raw - g->raw_zero) * (int64_t)g->gain_num, (int64_t)g->gain_den);

    if (v > INT32_MAX) {
        return INT32_MAX;
    }
    if (v < INT32_MIN) {
        return INT32_MIN;
    }
    return (int32_t)v;
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

cal_result_t cal_zero(cal_gas_t *g, int32_t raw, int32_t ref, const cal_limits_t *lim)
{
    if (abs64((int64_t)raw - ref) > lim->max_offset) {
        return CAL_E_RANGE;
    }
    g->raw_zero = raw;
    g->ref_zero = ref;
    return CAL_OK;
}

cal_result_t cal_span(cal_gas_t *g, int32_t raw, int32_t ref, const cal_limits_t *lim)
{
    int64_t draw = (int64_t)raw - g->raw_zero;
    int64_t dref = (int64_t)ref - g->ref_zero;

    /* Far enough from the zero point, on the same side, and a gain from 1/2 to 2. */
    if (draw < lim->min_span || dref < lim->min_span || 2 * dref < draw || dref > 2 * draw) {
        return CAL_E_RANGE;
    }
    if (draw > INT32_MAX || dref > INT32_MAX) {
        return CAL_E_RANGE;
    }
    g->gain_num = (int32_t)dref;
    g->gain_den = (int32_t)draw;
    return CAL_OK;
}

void cal_encode(const cal_set_t *cal, uint8_t out[CAL_RECORD_SIZE])
{
    uint8_t i;

    out[0] = 'C';
    out[1] = 'L';
    out[2] = 1u;
    out[3] = 0u;
    le_put_u32(&out[4], cal->count);
    for (i = 0; i < CAL_GASES; i++) {
        uint8_t *p = &out[8u + 16u * i];
        le_put_u32(&p[0], (uint32_t)cal->gas[i].raw_zero);
        le_put_u32(&p[4], (uint32_t)cal->gas[i].ref_zero);
        le_put_u32(&p[8], (uint32_t)cal->gas[i].gain_num);
        le_put_u32(&p[12], (uint32_t)cal->gas[i].gain_den);
    }
    le_put_u16(&out[40], crc16(out, 40u));
}

int cal_decode(const uint8_t in[CAL_RECORD_SIZE], cal_set_t *cal)
{
    cal_set_t c;
    uint8_t i;

    if (in[0] != 'C' || in[1] != 'L' || in[2] != 1u || le_get_u16(&in[40]) != crc16(in, 40u)) {
        return 0;
    }
    c.count = le_get_u32(&in[4]);
    for (i = 0; i < CAL_GASES; i++) {
        const uint8_t *p = &in[8u + 16u * i];
        c.gas[i].raw_zero = (int32_t)le_get_u32(&p[0]);
        c.gas[i].ref_zero = (int32_t)le_get_u32(&p[4]);
        c.gas[i].gain_num = (int32_t)le_get_u32(&p[8]);
        c.gas[i].gain_den = (int32_t)le_get_u32(&p[12]);
        if (c.gas[i].gain_den <= 0) {
            return 0;
        }
    }
    *cal = c;
    return 1;
}
