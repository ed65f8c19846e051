/* CRC-16/CCITT-FALSE: the check value and a few known values. */
#include "common/crc16.h"
#include "test/check.h"

int main(void)
{
    uint16_t crc = CRC16_INIT;
    const char *nine = "123456789";
    size_t i;

    CHECK_EQ_U(crc16(nine, 9), 0x29B1u); /* the catalogue's check value */
    CHECK_EQ_U(crc16("", 0), 0xFFFFu);   /* nothing folded in: the initial value */
    CHECK_EQ_U(crc16("A", 1), 0xB915u);
    CHECK_EQ_U(crc16("ACK id=2", 8), 0xAC83u); /* as in the golden frames */

    /* Byte by byte gives the same as all at once. */
    for (i = 0; i < 9; i++) {
        crc = crc16_update(crc, (uint8_t)nine[i]);
    }
    CHECK_EQ_U(crc, 0x29B1u);

    /* Every single-bit error in a short message changes the CRC. */
    {
        uint8_t msg[16];
        uint16_t good;
        unsigned bit;
        int all_differ = 1;
        for (i = 0; i < sizeof msg; i++) {
            msg[i] = (uint8_t)(i * 37u + 11u);
        }
        good = crc16(msg, sizeof msg);
        for (bit = 0; bit < sizeof msg * 8u; bit++) {
            msg[bit / 8u] ^= (uint8_t)(1u << (bit % 8u));
            if (crc16(msg, sizeof msg) == good) {
                all_differ = 0;
            }
            msg[bit / 8u] ^= (uint8_t)(1u << (bit % 8u));
        }
        CHECK(all_differ);
    }
    return check_done();
}
