/* The boot record; see boot_record.h. */
#include "common/boot_record.h"

#include "common/crc16.h"
#include "common/le_bytes.h"

void boot_record_encode(uint32_t boots, uint32_t wdt_resets, uint8_t out[BOOT_RECORD_SIZE])
{
    out[0] = 'B';
    out[1] = 'R';
    out[2] = 1u;
    out[3] = 0u;
    le_put_u32(&out[4], boots);
    le_put_u32(&out[8], wdt_resets);
    le_put_u16(&out[12], crc16(out, 12u));
}

int boot_record_decode(const uint8_t in[BOOT_RECORD_SIZE], uint32_t *boots, uint32_t *wdt_resets)
{
    if (in[0] != 'B' || in[1] != 'R' || in[2] != 1u || le_get_u16(&in[12]) != crc16(in, 12u)) {
        return 0;
    }
    *boots = le_get_u32(&in[4]);
    *wdt_resets = le_get_u32(&in[8]);
    return 1;
}

void boot_record_count(uint16_t addr, hal_reset_cause_t cause, boot_record_t *out)
{
    uint8_t bytes[BOOT_RECORD_SIZE];
    uint32_t boots = 0;
    uint32_t wdt = 0;

    out->was_valid = 0;
    if (hal_eeprom_read(addr, bytes, BOOT_RECORD_SIZE) == 0 && boot_record_decode(bytes, &boots, &wdt)) {
        out->was_valid = 1;
    } else {
        boots = 0;
        wdt = 0;
    }
    boots++;
    if (cause == HAL_RESET_WATCHDOG) {
        wdt++;
    }
    out->boots = boots;
    out->wdt_resets = wdt;
    boot_record_encode(boots, wdt, bytes);
    out->stored = hal_eeprom_write(addr, bytes, BOOT_RECORD_SIZE) == 0 ? 1u : 0u;
}
