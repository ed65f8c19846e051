/*
 * A board on its ATmega2560 (and in simavr): the board logic, unchanged, on targets/avr/hal_avr.c. The gasboard
 * by default; built with CB_BOARD_PALLETUNIT, the palletunit. Serial number and periods are config.h's defaults.
 */
#include <avr/sleep.h>

#include "targets/avr/hal_avr.h"

#if defined(CB_BOARD_PALLETUNIT)
#include "palletunit/palletunit.h"
static palletunit_t board;
#define board_config_default palletunit_config_default
#define board_init palletunit_init
#define board_poll palletunit_poll
#define board_idle_ms palletunit_idle_ms
#else
#include "gasboard/gasboard.h"
static gasboard_t board;
#define board_config_default gasboard_config_default
#define board_init gasboard_init
#define board_poll gasboard_poll
#define board_idle_ms gasboard_idle_ms
#endif

int main(void)
{
    gasboard_config_t cfg = board_config_default();

    hal_avr_init();
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
