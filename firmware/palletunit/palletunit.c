/* The palletunit board: the protocol engine with the palletunit's profile and its loop; see palletunit.h. */
#include "palletunit/palletunit.h"

#include <string.h>

#include "common/hal.h"
#include "palletunit/config.h"
#include "palletunit/setpoint_record.h"

static const char *const pu_actuators[PU_OUT_COUNT] = { "n2", "air", "fan" };

/* SETPT's values: unsigned, at most this many digits. */
#define PU_SETPT_DIGITS 8u

/* SETPT id o2 co2 and LOOP id on (PROTOCOL.md, "palletunit"). */
static int pu_command(board_engine_t *e, const frame_t *f, uint32_t id, uint32_t now)
{
    palletunit_t *pu = (palletunit_t *)(void *)e; /* the engine is the first member of the first member */
    (void)now;

    if (strcmp(f->type, "SETPT") == 0) {
        static const char *const keys[] = { "id", "o2", "co2", NULL };
        int32_t o2;
        int32_t co2;
        if (e == NULL) {
            return 1;
        }
        if (!frame_only_keys(f, keys) || !frame_parse_fixed(frame_get(f, "o2"), 2u, PU_SETPT_DIGITS, 0, &o2) ||
            !frame_parse_fixed(frame_get(f, "co2"), 3u, PU_SETPT_DIGITS, 0, &co2)) {
            board_engine_nak(e, id, "E_ARG");
        } else if (!setpoint_valid(o2, co2)) {
            board_engine_nak(e, id, "E_RANGE");
        } else {
            /* Stored first, used after: a failed write changes nothing (as CAL). */
            uint8_t rec[SETPOINT_RECORD_SIZE];
            setpoint_record_encode(o2, co2, rec);
            if (hal_eeprom_write(PU_EE_SETPT_ADDR, rec, SETPOINT_RECORD_SIZE) != 0) {
                board_engine_nak(e, id, "E_STORE");
            } else {
                loop_set_setpoints(&pu->loop, o2, co2);
                board_engine_ack(e, id);
            }
        }
        return 1;
    }
    if (strcmp(f->type, "LOOP") == 0) {
        static const char *const keys[] = { "id", "on", NULL };
        const char *on = frame_get(f, "on");
        if (e == NULL) {
            return 1;
        }
        if (!frame_only_keys(f, keys) || on == NULL || (strcmp(on, "0") != 0 && strcmp(on, "1") != 0)) {
            board_engine_nak(e, id, "E_ARG");
            return 1;
        }
        pu->loop_on = on[0] == '1' ? 1u : 0u;
        if (!pu->loop_on) {
            /* The host takes over from a known state: everything closed, the fan off. */
            uint8_t k;
            for (k = 0; k < PU_OUT_COUNT; k++) {
                gasboard_output(&pu->core, k, 0);
            }
        }
        board_engine_ack(e, id);
        return 1;
    }
    return 0;
}

static int pu_set_allowed(const board_engine_t *e)
{
    return !((const palletunit_t *)(const void *)e)->loop_on;
}

/* The loop, every poll: from the calibrated samples to the outputs. */
static void pu_poll(board_engine_t *e, uint32_t now)
{
    palletunit_t *pu = (palletunit_t *)(void *)e;
    gasboard_t *gb = &pu->core;
    sample_t o2;
    sample_t co2;

    if (!pu->loop_on) {
        return;
    }
    gasboard_calibrated(gb, SENSOR_O2, &o2);
    gasboard_calibrated(gb, SENSOR_CO2, &co2);
    loop_step(&pu->loop, &o2, &co2, now);
    {
        const uint8_t want[PU_OUT_COUNT] = { pu->loop.n2, pu->loop.air, pu->loop.fan };
        uint8_t pass;
        uint8_t k;
        /* Closing first, then opening: N2 and air are never open together, not even between two writes. */
        for (pass = 0; pass < 2u; pass++) {
            for (k = 0; k < PU_OUT_COUNT; k++) {
                if (gb->outputs[k] != want[k] && want[k] == pass) {
                    gasboard_output(gb, k, want[k]);
                }
            }
        }
    }
}

const board_profile_t palletunit_profile = {
    PU_KIND, PU_FW_VERSION, PU_CAPS, pu_actuators, (uint8_t)PU_OUT_COUNT, (uint8_t)PU_OUT_COUNT, 0xFFu,
    pu_command, pu_set_allowed, pu_poll,
};

gasboard_config_t palletunit_config_default(void)
{
    gasboard_config_t cfg = gasboard_config_default();

    cfg.profile = &palletunit_profile;
    cfg.sn = PU_SN_DEFAULT;
    cfg.cells = 1;
    cfg.co2_poll_ms = PU_CO2_POLL_MS; /* the loop takes a sensor silent for PU_SENSOR_TIMEOUT_MS as failed */
    return cfg;
}

void palletunit_init(palletunit_t *pu, const gasboard_config_t *cfg)
{
    loop_params_t p = loop_params_default();
    gasboard_config_t c = *cfg;

    c.profile = &palletunit_profile;
    gasboard_init(&pu->core, &c);
    loop_init(&pu->loop, &p);
    pu->loop_on = 1;
    /* The setpoints the host last stored, if intact; else config.h's. */
    {
        uint8_t rec[SETPOINT_RECORD_SIZE];
        int32_t o2;
        int32_t co2;
        if (hal_eeprom_read(PU_EE_SETPT_ADDR, rec, SETPOINT_RECORD_SIZE) == 0) {
            if (setpoint_record_decode(rec, &o2, &co2)) {
                loop_set_setpoints(&pu->loop, o2, co2);
            } else {
                uint8_t i;
                uint8_t erased = 1;
                for (i = 0; i < SETPOINT_RECORD_SIZE; i++) {
                    erased = (uint8_t)(erased && rec[i] == 0xFFu);
                }
                if (!erased) {
                    hal_log("palletunit: setpoint record corrupted; using the default setpoints");
                }
            }
        }
    }
}

void palletunit_poll(palletunit_t *pu)
{
    gasboard_poll(&pu->core);
}

uint32_t palletunit_idle_ms(const palletunit_t *pu)
{
    uint32_t idle = gasboard_idle_ms(&pu->core);

    /* The loop looks at least once a second, so the safe state follows a silent sensor promptly. */
    return idle < 1000u ? idle : 1000u;
}
