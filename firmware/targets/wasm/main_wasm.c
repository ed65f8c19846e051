/*
 * A board as a WebAssembly module, stepped in lockstep by its host (firmware/wasm/wasm-board.ts): the board
 * logic, unchanged, on a HAL whose every function is an import from the host ("env" module; the functions
 * of common/hal.h, undefined here, become imports at link time). Built with CB_BOARD_PALLETUNIT it is the
 * palletunit.
 *
 * Exports:
 *   cb_init(period_ms, stale_ms, cells, flush_ms)   power-up (counts the boot in the host's EEPROM)
 *   cb_poll()                                       one pass of the main loop: never blocks
 *   cb_idle_ms()                                    ms until the board has timed work (0: poll again now)
 *   cb_sn_buffer()                                  17 bytes for the serial number (NUL-terminated), set
 *                                                   before cb_init; empty: config.h's default
 */
#include <stdint.h>

#include "targets/board_select.h"

static board_t board;

#define EXPORT(name) __attribute__((export_name(name)))

static char sn[GB_SN_MAX + 1u];

EXPORT("cb_sn_buffer") char *cb_sn_buffer(void)
{
    return sn;
}

EXPORT("cb_init") void cb_init(uint32_t period_ms, uint32_t stale_ms, uint32_t cells, uint32_t flush_ms)
{
    gasboard_config_t cfg = board_config_default();

    sn[GB_SN_MAX] = '\0';
    if (sn[0] != '\0') {
        cfg.sn = sn;
    }
    if (period_ms > 0u) {
        cfg.period_ms = period_ms;
    }
    if (stale_ms > 0u) {
        cfg.stale_ms = stale_ms;
    }
    if (cells >= 1u && cells <= GB_CELLS_MAX) {
        cfg.cells = (uint8_t)cells;
    }
    cfg.flush_ms = flush_ms;
    board_init(&board, &cfg);
}

EXPORT("cb_poll") void cb_poll(void)
{
    board_poll(&board);
}

EXPORT("cb_idle_ms") uint32_t cb_idle_ms(void)
{
    return board_idle_ms(&board);
}
