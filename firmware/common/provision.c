/* The provisioning record; see provision.h. */
#include "common/provision.h"

#include <string.h>

#include "common/crc16.h"
#include "common/le_bytes.h"

static int sn_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* The length of sn when it is empty or a valid serial number, else -1; reads at most PROVISION_SN_MAX + 1 chars. */
static int sn_length(const char *sn)
{
    size_t n = 0;

    while (n <= PROVISION_SN_MAX && sn[n] != '\0') {
        if (!sn_char(sn[n])) {
            return -1;
        }
        n++;
    }
    return n > PROVISION_SN_MAX ? -1 : (int)n;
}

int provision_sn_valid(const char *sn)
{
    return sn_length(sn) > 0;
}

int provision_encode(const provision_t *p, uint8_t out[PROVISION_SIZE])
{
    uint8_t bytes[PROVISION_SIZE];
    int len = sn_length(p->sn);
    size_t n;

    if (len < 0 || p->cells > 8u) {
        return 0;
    }
    n = (size_t)len;
    memset(bytes, 0, sizeof bytes);
    bytes[0] = 'P';
    bytes[1] = 'V';
    bytes[2] = 1u;
    bytes[3] = (uint8_t)n;
    memcpy(&bytes[4], p->sn, n);
    le_put_u32(&bytes[20], p->period_ms);
    le_put_u32(&bytes[24], p->stale_ms);
    le_put_u32(&bytes[28], p->flush_ms);
    bytes[32] = p->cells;
    le_put_u16(&bytes[36], crc16(bytes, 36u));
    memcpy(out, bytes, sizeof bytes);
    return 1;
}

int provision_decode(const uint8_t in[PROVISION_SIZE], provision_t *p)
{
    provision_t v;
    uint8_t i;

    if (in[0] != 'P' || in[1] != 'V' || in[2] != 1u || in[3] > PROVISION_SN_MAX || in[32] > 8u ||
        le_get_u16(&in[36]) != crc16(in, 36u)) {
        return 0;
    }
    memset(&v, 0, sizeof v);
    for (i = 0; i < in[3]; i++) {
        if (!sn_char((char)in[4u + i])) {
            return 0;
        }
        v.sn[i] = (char)in[4u + i];
    }
    v.period_ms = le_get_u32(&in[20]);
    v.stale_ms = le_get_u32(&in[24]);
    v.flush_ms = le_get_u32(&in[28]);
    v.cells = in[32];
    *p = v;
    return 1;
}
