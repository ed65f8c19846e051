/* The CO2 module driver; see co2_module.h and firmware/MODULES.md. */
#include "common/co2_module.h"

#include <string.h>

#include "common/hal.h"

#define CO2M_READ_BUDGET 64u

static int reached(uint32_t now, uint32_t t)
{
    return (uint32_t)(now - t) < 0x80000000u;
}

int32_t co2m_ppm_to_kpa1000(uint32_t ppm, uint16_t pres_dhpa)
{
    /* ppm * 1e-6 * (dhPa * 0.01 kPa) in 0.001 kPa = ppm * dhPa / 1e5 */
    uint64_t v = ((uint64_t)ppm * pres_dhpa + 50000u) / 100000u;
    return v > 0x7FFFFFFFu ? 0x7FFFFFFF : (int32_t)v;
}

void co2m_init(co2m_t *m, uint8_t addr, uint32_t poll_ms, uint32_t timeout_ms, uint32_t now)
{
    memset(m, 0, sizeof *m);
    m->addr = addr;
    m->poll_ms = poll_ms == 0u ? 1u : poll_ms;
    m->timeout_ms = timeout_ms == 0u ? 1u : timeout_ms;
    m->next_ms = now; /* ask at once */
}

static void take_answer(co2m_t *m, uint32_t now)
{
    const uint16_t *r = m->rx.regs;
    uint32_t ppm = ((uint32_t)r[CO2M_REG_PPM_HI] << 16) | r[CO2M_REG_PPM_LO];

    m->answers++;
    m->status = r[CO2M_REG_STATUS];
    if (m->status & (CO2M_ST_WARMUP | CO2M_ST_FAULT | CO2M_ST_RANGE | CO2M_ST_PRES_FAIL)) {
        m->faults++;
        m->co2.valid = 0;
        m->co2.at_ms = now;
        return;
    }
    m->co2.valid = 1;
    m->co2.value = co2m_ppm_to_kpa1000(ppm, r[CO2M_REG_PRES]);
    /* Measured when the module answered: the module's value is its newest, and a poll takes milliseconds. */
    m->co2.at_ms = now;
}

void co2m_poll(co2m_t *m, uint32_t now)
{
    uint8_t chunk[32];
    size_t budget = CO2M_READ_BUDGET;

    while (budget > 0u) {
        size_t got = hal_uart_read(HAL_UART_CO2, chunk, sizeof chunk);
        size_t i;
        if (got == 0u) {
            break;
        }
        if (got > sizeof chunk) {
            got = sizeof chunk;
        }
        budget = budget > got ? budget - got : 0u;
        for (i = 0; i < got; i++) {
            modbus_result_t res;
            if (!m->waiting) {
                m->noise++; /* nobody asked: a late answer, or garbage */
                continue;
            }
            res = modbus_rx_push(&m->rx, chunk[i]);
            if (res == MODBUS_NEED_MORE) {
                continue;
            }
            m->waiting = 0;
            if (m->rx.crc_seen) {
                m->bad_crc++;
            }
            m->noise += m->rx.skipped;
            if (res == MODBUS_ANSWER) {
                take_answer(m, now);
            } else {
                m->exceptions++;
            }
        }
    }
    if (m->waiting && (uint32_t)(now - m->sent_ms) >= m->timeout_ms) {
        /* No good answer in time: silence, a slow module, or only garbage and bad frames. */
        m->waiting = 0;
        m->timeouts++;
        if (m->rx.crc_seen) {
            m->bad_crc++;
        }
        m->noise += m->rx.skipped + m->rx.len;
    }
    if (!m->waiting && reached(now, m->next_ms)) {
        uint8_t req[8];
        size_t n = modbus_read_input_request(req, m->addr, 0u, CO2M_REGS);
        size_t taken = hal_uart_write(HAL_UART_CO2, req, n);
        if (taken != n) {
            m->tx_short++;
        }
        /* A request the UART took nothing of (nobody on the line, on the host target) is not waited for. */
        if (taken > 0u) {
            modbus_rx_start(&m->rx, m->addr, CO2M_REGS);
            m->waiting = 1;
            m->sent_ms = now;
            m->requests++;
        }
        m->next_ms += m->poll_ms;
        if (reached(now, m->next_ms)) {
            m->next_ms = now + m->poll_ms; /* behind: no burst of requests */
        }
    }
}

void co2m_ask_at(co2m_t *m, uint32_t t)
{
    if (m->requests > 0u && reached(m->sent_ms, t)) {
        return;
    }
    m->next_ms = t;
}

uint32_t co2m_idle_ms(const co2m_t *m, uint32_t now)
{
    uint32_t t = m->waiting ? m->sent_ms + m->timeout_ms : m->next_ms;

    return reached(now, t) ? 0u : t - now;
}
