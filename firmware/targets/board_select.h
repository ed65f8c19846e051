/*
 * Which board a target's main() runs: the gasboard by default, the palletunit when the Makefile defines
 * CB_BOARD_PALLETUNIT. One place for every target (host, avr, wasm), so the targets cannot disagree. Target
 * glue, so it lives under targets/: common/ includes no board header.
 *
 * Gives: board_t, and board_config_default / board_init / board_poll / board_idle_ms, which call the
 * chosen board's functions. Both boards share gasboard_config_t (the palletunit reuses the gasboard's
 * protocol engine through a board profile).
 */
#ifndef CB_BOARD_SELECT_H
#define CB_BOARD_SELECT_H

#if defined(CB_BOARD_PALLETUNIT)
#include "palletunit/palletunit.h"
typedef palletunit_t board_t;
#define board_config_default palletunit_config_default
#define board_init palletunit_init
#define board_poll palletunit_poll
#define board_idle_ms palletunit_idle_ms
#else
#include "gasboard/gasboard.h"
typedef gasboard_t board_t;
#define board_config_default gasboard_config_default
#define board_init gasboard_init
#define board_poll gasboard_poll
#define board_idle_ms gasboard_idle_ms
#endif

#endif /* CB_BOARD_SELECT_H */
