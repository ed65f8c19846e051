/*
 * palletunit: an OptiPallet-style unit for a pallet cover or a container. Its own O2 and CO2 modules (the
 * gasboard's drivers, firmware/MODULES.md), an N2 valve, an air valve and a fan, and a local setpoint loop
 * (palletunit/pallet_loop.h) that runs from power-up whether or not a host is there.
 *
 * It speaks the same protocol through the board protocol engine (common/board_engine.h), under the gasboard's
 * measuring (gasboard/gasboard.h), with its own profile: kind
 * palletunit, SET's valves n2, air, fan (refused with E_STATE while the loop drives them), and two commands of
 * its own (PROTOCOL.md, "palletunit"): SETPT (the loop's setpoints) and LOOP (the loop on or off).
 */
#ifndef CELLBENCH_PALLETUNIT_H
#define CELLBENCH_PALLETUNIT_H

#include "gasboard/gasboard.h"
#include "palletunit/pallet_loop.h"

typedef struct {
    gasboard_t core;    /* first (and the engine first in it): the engine's hooks get a board_engine_t * to it */
    pallet_loop_t loop;
    uint8_t loop_on;    /* the loop drives the outputs (1 from power-up) */
} palletunit_t;

extern const board_profile_t palletunit_profile;

/* The engine's defaults with the palletunit's profile and serial number. */
gasboard_config_t palletunit_config_default(void);

/* Starts the engine (boot count, calibration, modules) and the loop (on, with the setpoints stored in EEPROM by
 * the last SETPT, or config.h's when there is no intact record). */
void palletunit_init(palletunit_t *pu, const gasboard_config_t *cfg);

void palletunit_poll(palletunit_t *pu);
uint32_t palletunit_idle_ms(const palletunit_t *pu);

#endif
