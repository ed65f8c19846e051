/* The fake HAL; see fake_hal.h. */
#include "test/fake_hal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    uint32_t now;
    uint8_t rx[FAKE_RX_MAX];
    size_t rx_len;
    size_t rx_pos;
    size_t read_chunk;
    char tx[FAKE_TX_MAX];
    size_t tx_len;
    size_t tx_pos; /* start of the first line not yet returned */
    size_t write_room;
    char line[FAKE_TX_MAX];
    int present;
    uint8_t outputs[FAKE_OUTPUTS];
    unsigned output_calls[FAKE_OUTPUTS];
    uint8_t uart_rx[HAL_UART_COUNT][FAKE_UART_MAX];
    size_t uart_rx_len[HAL_UART_COUNT];
    size_t uart_rx_pos[HAL_UART_COUNT];
    uint8_t uart_tx[HAL_UART_COUNT][FAKE_UART_MAX];
    size_t uart_tx_len[HAL_UART_COUNT];
    unsigned logs;
    size_t room;
    uint8_t eeprom[FAKE_EEPROM_SIZE];
    int eeprom_fail;
    unsigned eeprom_writes;
    hal_reset_cause_t cause;
    uint16_t wdt_timeout;
    uint8_t excl_a, excl_b, excl_on, excl_broken;
    unsigned wdt_kicks;
} fake;

void fake_reset(void)
{
    memset(&fake, 0, sizeof fake);
    fake.present = 1;
    fake.write_room = (size_t)-1;
    fake.room = (size_t)-1;
    memset(fake.eeprom, 0xFF, sizeof fake.eeprom);
}

void fake_power_cycle(hal_reset_cause_t cause)
{
    static uint8_t keep[FAKE_EEPROM_SIZE];

    memcpy(keep, fake.eeprom, sizeof keep);
    fake_reset();
    memcpy(fake.eeprom, keep, sizeof keep);
    fake.cause = cause;
}

void fake_set_room(size_t n) { fake.room = n; }

void fake_watch_exclusive(uint8_t a, uint8_t b)
{
    fake.excl_a = a;
    fake.excl_b = b;
    fake.excl_on = 1;
    fake.excl_broken = 0;
}

int fake_exclusive_broken(void) { return fake.excl_broken; }
uint8_t *fake_eeprom(void) { return fake.eeprom; }
void fake_eeprom_fail_writes(int fail) { fake.eeprom_fail = fail; }
unsigned fake_eeprom_writes(void) { return fake.eeprom_writes; }
uint16_t fake_watchdog_timeout(void) { return fake.wdt_timeout; }
unsigned fake_watchdog_kicks(void) { return fake.wdt_kicks; }

void fake_set_time(uint32_t ms) { fake.now = ms; }
void fake_advance(uint32_t ms) { fake.now += ms; }
void fake_set_read_chunk(size_t n) { fake.read_chunk = n; }
void fake_set_write_room(size_t n) { fake.write_room = n; }
void fake_set_present(int present) { fake.present = present; }
uint8_t fake_output(uint8_t index) { return index < FAKE_OUTPUTS ? fake.outputs[index] : 0u; }
unsigned fake_output_calls(uint8_t index) { return index < FAKE_OUTPUTS ? fake.output_calls[index] : 0u; }
unsigned fake_log_count(void) { return fake.logs; }
size_t fake_tx_pending(void) { return fake.tx_len - fake.tx_pos; }
size_t fake_rx_pending(void) { return fake.rx_len - fake.rx_pos; }

void fake_host_send_bytes(const void *bytes, size_t n)
{
    if (fake.rx_pos == fake.rx_len) {
        fake.rx_pos = fake.rx_len = 0;
    }
    if (n > FAKE_RX_MAX - fake.rx_len) {
        fprintf(stderr, "fake_hal: rx queue full\n");
        abort();
    }
    memcpy(&fake.rx[fake.rx_len], bytes, n);
    fake.rx_len += n;
}

void fake_host_send(const char *text) { fake_host_send_bytes(text, strlen(text)); }

const char *fake_host_next_line(void)
{
    size_t i;

    for (i = fake.tx_pos; i < fake.tx_len; i++) {
        if (fake.tx[i] == '\n') {
            size_t n = i - fake.tx_pos;
            memcpy(fake.line, &fake.tx[fake.tx_pos], n);
            fake.line[n] = '\0';
            fake.tx_pos = i + 1u;
            return fake.line;
        }
    }
    return NULL;
}

void fake_uart_send(hal_uart_t uart, const void *bytes, size_t n)
{
    if (fake.uart_rx_pos[uart] == fake.uart_rx_len[uart]) {
        fake.uart_rx_pos[uart] = fake.uart_rx_len[uart] = 0;
    }
    if (n > FAKE_UART_MAX - fake.uart_rx_len[uart]) {
        fprintf(stderr, "fake_hal: uart %d rx queue full\n", (int)uart);
        abort();
    }
    memcpy(&fake.uart_rx[uart][fake.uart_rx_len[uart]], bytes, n);
    fake.uart_rx_len[uart] += n;
}

size_t fake_uart_pending(hal_uart_t uart) { return fake.uart_rx_len[uart] - fake.uart_rx_pos[uart]; }

size_t fake_uart_take(hal_uart_t uart, uint8_t *buf, size_t cap)
{
    size_t n = fake.uart_tx_len[uart] < cap ? fake.uart_tx_len[uart] : cap;

    memcpy(buf, fake.uart_tx[uart], n);
    memmove(fake.uart_tx[uart], &fake.uart_tx[uart][n], fake.uart_tx_len[uart] - n);
    fake.uart_tx_len[uart] -= n;
    return n;
}

/* ---- common/hal.h ---------------------------------------------------------------------------------------- */

uint32_t hal_millis(void) { return fake.now; }

size_t hal_host_read(uint8_t *buf, size_t cap)
{
    size_t n = fake.rx_len - fake.rx_pos;

    if (n > cap) {
        n = cap;
    }
    if (fake.read_chunk != 0u && n > fake.read_chunk) {
        n = fake.read_chunk;
    }
    memcpy(buf, &fake.rx[fake.rx_pos], n);
    fake.rx_pos += n;
    return n;
}

size_t hal_host_write(const uint8_t *buf, size_t len)
{
    size_t n = len;

    if (!fake.present) {
        return 0;
    }
    if (fake.tx_pos == fake.tx_len) {
        fake.tx_pos = fake.tx_len = 0; /* every line was taken: start the capture over */
    }
    if (n > fake.write_room) {
        n = fake.write_room;
    }
    if (n > FAKE_TX_MAX - fake.tx_len) {
        fprintf(stderr, "fake_hal: tx capture full; read lines in the test\n");
        abort();
    }
    memcpy(&fake.tx[fake.tx_len], buf, n);
    fake.tx_len += n;
    if (fake.write_room != (size_t)-1) {
        fake.write_room -= n;
    }
    return n;
}

int hal_host_present(void) { return fake.present; }

size_t hal_host_room(void)
{
    size_t capture = FAKE_TX_MAX - (fake.tx_pos == fake.tx_len ? 0u : fake.tx_len);

    if (!fake.present) {
        return 0;
    }
    if (fake.room != (size_t)-1) {
        return fake.room;
    }
    return fake.write_room < capture ? fake.write_room : capture;
}

uint16_t hal_eeprom_size(void) { return (uint16_t)FAKE_EEPROM_SIZE; }

int hal_eeprom_read(uint16_t addr, void *buf, uint16_t len)
{
    if ((uint32_t)addr + len > FAKE_EEPROM_SIZE) {
        return -1;
    }
    memcpy(buf, &fake.eeprom[addr], len);
    return 0;
}

int hal_eeprom_write(uint16_t addr, const void *buf, uint16_t len)
{
    if (fake.eeprom_fail || (uint32_t)addr + len > FAKE_EEPROM_SIZE) {
        return -1;
    }
    memcpy(&fake.eeprom[addr], buf, len);
    fake.eeprom_writes++;
    return 0;
}

hal_reset_cause_t hal_reset_cause(void) { return fake.cause; }
void hal_watchdog_start(uint16_t timeout_ms) { fake.wdt_timeout = timeout_ms; }
void hal_watchdog_kick(void) { fake.wdt_kicks++; }

void hal_output_set(uint8_t index, uint8_t on)
{
    if (index >= FAKE_OUTPUTS) {
        return;
    }
    fake.outputs[index] = on ? 1u : 0u;
    fake.output_calls[index]++;
    if (fake.excl_on && fake.excl_a < FAKE_OUTPUTS && fake.excl_b < FAKE_OUTPUTS && fake.outputs[fake.excl_a] &&
        fake.outputs[fake.excl_b]) {
        fake.excl_broken = 1;
    }
}

size_t hal_uart_read(hal_uart_t uart, uint8_t *buf, size_t cap)
{
    size_t n;

    if ((unsigned)uart >= (unsigned)HAL_UART_COUNT) {
        return 0;
    }
    n = fake.uart_rx_len[uart] - fake.uart_rx_pos[uart];
    if (n > cap) {
        n = cap;
    }
    memcpy(buf, &fake.uart_rx[uart][fake.uart_rx_pos[uart]], n);
    fake.uart_rx_pos[uart] += n;
    return n;
}

size_t hal_uart_write(hal_uart_t uart, const uint8_t *buf, size_t len)
{
    size_t room;

    if ((unsigned)uart >= (unsigned)HAL_UART_COUNT) {
        return 0;
    }
    /* What nobody takes out is forgotten from the front: a module that is not there. */
    if (len > FAKE_UART_MAX - fake.uart_tx_len[uart]) {
        fake.uart_tx_len[uart] = 0;
    }
    room = FAKE_UART_MAX - fake.uart_tx_len[uart];
    if (len > room) {
        len = room;
    }
    memcpy(&fake.uart_tx[uart][fake.uart_tx_len[uart]], buf, len);
    fake.uart_tx_len[uart] += len;
    return len;
}

void hal_log(const char *fmt, ...)
{
    fake.logs++;
    if (getenv("FAKE_HAL_VERBOSE") != NULL) {
        va_list ap;
        va_start(ap, fmt);
        fputs("hal_log: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
}
