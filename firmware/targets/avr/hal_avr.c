/*
 * common/hal.h for the gasboard's ATmega2560 board at 16 MHz (also what simavr runs).
 *
 *   USART0  host link, 115200 8N1 (U2X, UBRR 16: 2.1 % fast, within what UARTs tolerate)
 *   USART1  UART1, the O2 module, 9600 8N1
 *   USART2  UART2, the CO2 module (Modbus-RTU), 9600 8N1
 *   Timer0  CTC at 1 kHz: hal_millis()
 *   PORTA, PORTC, PORTL, PORTK   outputs 0-7, 8-15, 16-23, 24-31 (cell 1's N2, air, scrubber, sample valve on
 *                                PA0..PA3, cell 2's on PA4..PA7, ...)
 *   EEPROM  4 KiB, avr-libc's eeprom_*_block (a write waits about 3.4 ms a byte: only at power-up and CAL)
 *   WDT     the watchdog; MCUSR says at power-up whether it caused the reset
 *
 * Every UART has a receive ring filled by its RX interrupt and a transmit ring drained by its UDRE interrupt;
 * a full receive ring drops the byte (the board sees a broken line and counts it), a full transmit ring takes
 * nothing more (hal_host_room() says how much fits, so board logic drops whole frames, never half ones).
 */
#include <avr/eeprom.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/wdt.h>
#include <util/atomic.h>

#include "common/hal.h"
#include "targets/avr/hal_avr.h"

/* Ring sizes: powers of two, at most 256 (uint8_t indexes). */
#define HOST_RX_SIZE 128u
#define HOST_TX_SIZE 256u
#define MOD_RX_SIZE  64u
#define MOD_TX_SIZE  16u

typedef struct {
    volatile uint8_t head; /* written by the producer */
    volatile uint8_t tail; /* written by the consumer */
} ring_idx_t;

static uint8_t host_rx_buf[HOST_RX_SIZE];
static uint8_t host_tx_buf[HOST_TX_SIZE];
static uint8_t o2_rx_buf[MOD_RX_SIZE];
static uint8_t o2_tx_buf[MOD_TX_SIZE];
static uint8_t co2_rx_buf[MOD_RX_SIZE];
static uint8_t co2_tx_buf[MOD_TX_SIZE];
static ring_idx_t host_rx, host_tx, o2_rx, o2_tx, co2_rx, co2_tx;

static volatile uint32_t millis_now;
static uint8_t reset_flags;

/* Saved before anything else runs, and the watchdog stopped: after a watchdog reset it stays enabled with the
 * shortest timeout, which would reset the board again before main(). */
void hal_avr_early_init(void) __attribute__((naked, used, section(".init3")));
void hal_avr_early_init(void)
{
    reset_flags = MCUSR;
    MCUSR = 0;
    wdt_disable();
}

/* ---- rings ------------------------------------------------------------------------------------------------- */

static uint8_t ring_count(const ring_idx_t *r, uint8_t size)
{
    return (uint8_t)((uint8_t)(r->head - r->tail) & (uint8_t)(size - 1u));
}

static size_t ring_read(ring_idx_t *r, const uint8_t *buf, uint8_t size, uint8_t *out, size_t cap)
{
    size_t n = 0;

    while (n < cap && r->tail != r->head) {
        out[n++] = buf[r->tail];
        r->tail = (uint8_t)((r->tail + 1u) & (uint8_t)(size - 1u));
    }
    return n;
}

static size_t ring_write(ring_idx_t *r, uint8_t *buf, uint8_t size, const uint8_t *in, size_t len)
{
    size_t n = 0;

    while (n < len) {
        uint8_t next = (uint8_t)((r->head + 1u) & (uint8_t)(size - 1u));
        if (next == r->tail) {
            break; /* full */
        }
        buf[r->head] = in[n++];
        r->head = next;
    }
    return n;
}

static void ring_put_isr(ring_idx_t *r, uint8_t *buf, uint8_t size, uint8_t byte)
{
    uint8_t next = (uint8_t)((r->head + 1u) & (uint8_t)(size - 1u));

    if (next != r->tail) {
        buf[r->head] = byte;
        r->head = next;
    }
}

/* ---- interrupts ---------------------------------------------------------------------------------------------- */

ISR(TIMER0_COMPA_vect) { millis_now++; }

ISR(USART0_RX_vect) { ring_put_isr(&host_rx, host_rx_buf, (uint8_t)HOST_RX_SIZE, UDR0); }
ISR(USART1_RX_vect) { ring_put_isr(&o2_rx, o2_rx_buf, (uint8_t)MOD_RX_SIZE, UDR1); }
ISR(USART2_RX_vect) { ring_put_isr(&co2_rx, co2_rx_buf, (uint8_t)MOD_RX_SIZE, UDR2); }

#define UDRE_ISR(vect, ring, buf, size, udr, ucsrb, udrie)                                                    \
    ISR(vect)                                                                                               \
    {                                                                                                       \
        if (ring.tail == ring.head) {                                                                       \
            ucsrb &= (uint8_t)~(1u << udrie);                                                               \
        } else {                                                                                            \
            udr = buf[ring.tail];                                                                           \
            ring.tail = (uint8_t)((ring.tail + 1u) & (uint8_t)((size) - 1u));                               \
        }                                                                                                   \
    }
UDRE_ISR(USART0_UDRE_vect, host_tx, host_tx_buf, HOST_TX_SIZE, UDR0, UCSR0B, UDRIE0)
UDRE_ISR(USART1_UDRE_vect, o2_tx, o2_tx_buf, MOD_TX_SIZE, UDR1, UCSR1B, UDRIE1)
UDRE_ISR(USART2_UDRE_vect, co2_tx, co2_tx_buf, MOD_TX_SIZE, UDR2, UCSR2B, UDRIE2)

/* ---- setup --------------------------------------------------------------------------------------------------- */

void hal_avr_init(void)
{
    /* 1 kHz tick: 16 MHz / 64 / 250. */
    TCCR0A = (uint8_t)(1u << WGM01);
    TCCR0B = (uint8_t)((1u << CS01) | (1u << CS00));
    OCR0A = 249u;
    TIMSK0 = (uint8_t)(1u << OCIE0A);

    /* USART0 115200 (U2X), USART1 and USART2 9600; 8N1, RX interrupts on. */
    UCSR0A = (uint8_t)(1u << U2X0);
    UBRR0 = 16u;
    UCSR0C = (uint8_t)((1u << UCSZ01) | (1u << UCSZ00));
    UCSR0B = (uint8_t)((1u << RXEN0) | (1u << TXEN0) | (1u << RXCIE0));
    UBRR1 = 103u;
    UCSR1C = (uint8_t)((1u << UCSZ11) | (1u << UCSZ10));
    UCSR1B = (uint8_t)((1u << RXEN1) | (1u << TXEN1) | (1u << RXCIE1));
    UBRR2 = 103u;
    UCSR2C = (uint8_t)((1u << UCSZ21) | (1u << UCSZ20));
    UCSR2B = (uint8_t)((1u << RXEN2) | (1u << TXEN2) | (1u << RXCIE2));

    /* Outputs, all low. */
    PORTA = 0;
    PORTC = 0;
    PORTL = 0;
    PORTK = 0;
    DDRA = 0xFFu;
    DDRC = 0xFFu;
    DDRL = 0xFFu;
    DDRK = 0xFFu;
    sei();
}

/* ---- common/hal.h ---------------------------------------------------------------------------------------------- */

uint32_t hal_millis(void)
{
    uint32_t v;

    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { v = millis_now; }
    return v;
}

size_t hal_host_read(uint8_t *buf, size_t cap)
{
    return ring_read(&host_rx, host_rx_buf, (uint8_t)HOST_RX_SIZE, buf, cap);
}

size_t hal_host_write(const uint8_t *buf, size_t len)
{
    size_t n = ring_write(&host_tx, host_tx_buf, (uint8_t)HOST_TX_SIZE, buf, len);

    UCSR0B |= (uint8_t)(1u << UDRIE0);
    return n;
}

size_t hal_host_room(void)
{
    return (size_t)(HOST_TX_SIZE - 1u - ring_count(&host_tx, (uint8_t)HOST_TX_SIZE));
}

int hal_host_present(void)
{
    return 1; /* a bare UART cannot tell */
}

size_t hal_uart_read(hal_uart_t uart, uint8_t *buf, size_t cap)
{
    if (uart == HAL_UART_O2) {
        return ring_read(&o2_rx, o2_rx_buf, (uint8_t)MOD_RX_SIZE, buf, cap);
    }
    if (uart == HAL_UART_CO2) {
        return ring_read(&co2_rx, co2_rx_buf, (uint8_t)MOD_RX_SIZE, buf, cap);
    }
    return 0;
}

size_t hal_uart_write(hal_uart_t uart, const uint8_t *buf, size_t len)
{
    size_t n;

    if (uart == HAL_UART_O2) {
        n = ring_write(&o2_tx, o2_tx_buf, (uint8_t)MOD_TX_SIZE, buf, len);
        UCSR1B |= (uint8_t)(1u << UDRIE1);
        return n;
    }
    if (uart == HAL_UART_CO2) {
        n = ring_write(&co2_tx, co2_tx_buf, (uint8_t)MOD_TX_SIZE, buf, len);
        UCSR2B |= (uint8_t)(1u << UDRIE2);
        return n;
    }
    return 0;
}

void hal_output_set(uint8_t index, uint8_t on)
{
    volatile uint8_t *port;
    uint8_t bit = (uint8_t)(1u << (index & 7u));

    switch (index >> 3) {
    case 0:
        port = &PORTA;
        break;
    case 1:
        port = &PORTC;
        break;
    case 2:
        port = &PORTL;
        break;
    case 3:
        port = &PORTK;
        break;
    default:
        return;
    }
    if (on) {
        *port |= bit;
    } else {
        *port &= (uint8_t)~bit;
    }
}

uint16_t hal_eeprom_size(void)
{
    return (uint16_t)(E2END + 1u);
}

int hal_eeprom_read(uint16_t addr, void *buf, uint16_t len)
{
    if ((uint32_t)addr + len > (uint32_t)E2END + 1u) {
        return -1;
    }
    eeprom_read_block(buf, (const void *)(uintptr_t)addr, len);
    return 0;
}

int hal_eeprom_write(uint16_t addr, const void *buf, uint16_t len)
{
    if ((uint32_t)addr + len > (uint32_t)E2END + 1u) {
        return -1;
    }
    wdt_reset(); /* a long write must not look like a hang */
    eeprom_update_block(buf, (void *)(uintptr_t)addr, len);
    return 0;
}

hal_reset_cause_t hal_reset_cause(void)
{
    return (reset_flags & (1u << WDRF)) ? HAL_RESET_WATCHDOG : HAL_RESET_POWER;
}

void hal_watchdog_start(uint16_t timeout_ms)
{
    /* The longest period not over the request (15 ms .. 8 s). */
    uint8_t prescale = timeout_ms >= 8000u ? WDTO_8S : timeout_ms >= 4000u ? WDTO_4S : timeout_ms >= 2000u ? WDTO_2S
                       : timeout_ms >= 1000u ? WDTO_1S : timeout_ms >= 500u ? WDTO_500MS : WDTO_250MS;

    wdt_enable(prescale);
}

void hal_watchdog_kick(void)
{
    wdt_reset();
}
