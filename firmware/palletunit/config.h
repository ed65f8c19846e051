/*
 * palletunit identity, outputs and the local loop's defaults (an OptiPallet-style unit on a pallet cover or a
 * container: its own O2/CO2 sensing, an N2 valve, an air valve, a fan).
 */
#ifndef CELLBENCH_PALLETUNIT_CONFIG_H
#define CELLBENCH_PALLETUNIT_CONFIG_H

#define PU_KIND          "palletunit"
#define PU_FW_VERSION    "0.1.0"
#define PU_CAPS          "o2,co2,temp,valve.n2,valve.air,fan,loop"
#define PU_SN_DEFAULT    "PU-0001"

/* Outputs (hal_output_set indexes). */
#define PU_OUT_N2   0u
#define PU_OUT_AIR  1u
#define PU_OUT_FAN  2u
#define PU_OUT_COUNT 3u

/* The loop's defaults (units as in common/sample.h). */
#define PU_O2_SETPOINT_DEFAULT   150   /* 1.50 kPa: a DCA-like low-O2 storage */
#define PU_O2_BAND_DEFAULT       20    /* +-0.20 kPa of hysteresis */
/* Near this O2 an N2 generator's product (about 97 % N2, the rest O2) lowers O2 no further: it holds a cover
 * at about 3.1 kPa (3 % of the pressure, and the leak's air). Below it respiration takes O2 down (DOMAIN.md
 * §6); N2 left open would hold the cover at the product's O2 for good. */
#define PU_N2_USEFUL_ABOVE_DEFAULT 350 /* 3.50 kPa */
#define PU_CO2_MAX_DEFAULT       1500  /* 1.500 kPa: above it, air flushes the CO2 out */
#define PU_CO2_BAND_DEFAULT      200   /* 0.200 kPa below the maximum before the air closes again */
#define PU_SENSOR_TIMEOUT_MS     10000u /* a sensor without a fresh value this long: safe state */
#define PU_CO2_POLL_MS           1000u  /* the CO2 module is asked this often, whatever the period, for the loop */
#define PU_FAN_RUNON_MS          30000u /* the fan runs on after the valves close, to mix the cover */

/* Limits the host's setpoints must keep (PROTOCOL.md would list them with the command). */
#define PU_O2_SETPOINT_MIN       30    /* 0.30 kPa */
#define PU_O2_SETPOINT_MAX       2100  /* 21.00 kPa */
#define PU_CO2_MAX_MIN           100   /* 0.100 kPa */
#define PU_CO2_MAX_MAX           20000 /* 20.000 kPa */

/* EEPROM map (palletunit): the gasboard's boot record (0..13) and calibration (32..73), then the setpoints
 * (palletunit/setpoint_record.h, 14 bytes), which SETPT stores so that they survive a power cycle. */
#define PU_EE_SETPT_ADDR         80u

#endif
