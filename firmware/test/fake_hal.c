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
    hal_sample_t sensors[HAL_SENSOR_COUNT];
    unsigned logs;
} fake;

void fake_reset(void)
{
    memset(&fake, 0, sizeof fake);
    fake.present = 1;
    fake.write_room = (size_t)-1;
}

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

void fake_sensor_set_at(hal_sensor_t sensor, int32_t value, uint32_t at_ms)
{
    fake.sensors[sensor].valid = 1;
    fake.sensors[sensor].value = value;
    fake.sensors[sensor].at_ms = at_ms;
}

void fake_sensor_set(hal_sensor_t sensor, int32_t value) { fake_sensor_set_at(sensor, value, fake.now); }

void fake_sensor_none(hal_sensor_t sensor)
{
    fake.sensors[sensor].valid = 0;
    fake.sensors[sensor].at_ms = fake.now;
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

void hal_output_set(uint8_t index, uint8_t on)
{
    if (index >= FAKE_OUTPUTS) {
        return;
    }
    fake.outputs[index] = on ? 1u : 0u;
    fake.output_calls[index]++;
}

void hal_sensor_get(hal_sensor_t sensor, hal_sample_t *out)
{
    if ((unsigned)sensor >= (unsigned)HAL_SENSOR_COUNT) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = fake.sensors[sensor];
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
