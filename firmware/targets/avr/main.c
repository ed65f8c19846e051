/*
 * A board on its ATmega2560 (and in simavr): the board logic, unchanged, on targets/avr/hal_avr.c. The gasboard
 * by default; built with CB_BOARD_PALLETUNIT, the palletunit. Serial number, periods and cells are config.h's
 * defaults unless the EEPROM holds a provisioning record (common/provision.h) that sets them: written at the
 * factory on a real board, by the simavr harness's --sn, --period-ms ... in the bench.
 */
#include <avr/sleep.h>

#include "common/hal.h"
#include "common/provision.h"
#include "targets/avr/hal_avr.h"

#include "targets/board_select.h"

static board_t board;

static provision_t prov; /* its serial number must outlive the board */

/* The provisioning record's settings over the defaults; an absent or corrupted record changes nothing. */
static void apply_provision(gasboard_config_t *cfg)
{
    uint8_t bytes[PROVISION_SIZE];

    if (hal_eeprom_read(PROVISION_ADDR, bytes, PROVISION_SIZE) != 0 || !provision_decode(bytes, &prov)) {
        return;
    }
    if (prov.sn[0] != '\0') {
        cfg->sn = prov.sn;
    }
    if (prov.period_ms != 0u) {
        cfg->period_ms = prov.period_ms;
    }
    if (prov.stale_ms != 0u) {
        cfg->stale_ms = prov.stale_ms;
    }
    if (prov.flush_ms != 0u) {
        cfg->flush_ms = prov.flush_ms;
    }
#if !defined(CB_BOARD_PALLETUNIT)
    if (prov.cells != 0u) {
        cfg->cells = prov.cells; /* the palletunit has no manifold: one cell */
    }
#endif
}

int main(void)
{
    gasboard_config_t cfg = board_config_default();

    hal_avr_init();
    apply_provision(&cfg);
    board_init(&board, &cfg);
    for (;;) {
        board_poll(&board);
        /* Idle until the next interrupt (the 1 ms tick at the latest): a received byte or the clock. */
        if (board_idle_ms(&board) > 0u) {
            set_sleep_mode(SLEEP_MODE_IDLE);
            sleep_mode();
        }
    }
}
