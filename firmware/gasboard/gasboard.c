/*
 * gasboard: its measuring (the sensor modules, readings every period) and its sampling manifold, under the
 * board protocol engine (common/board_engine.h). The contract is in gasboard.h.
 */
#include "gasboard/gasboard.h"

#include <string.h>

#include "common/hal.h"

#if GB_PROTO_VERSION != BOARD_PROTO_VERSION || GB_REPLAY_MAX != BOARD_REPLAY_MAX || \
    GB_ST_COUNTER_MAX != BOARD_ST_COUNTER_MAX || GB_CAL_COUNT_MAX != BOARD_CAL_COUNT_MAX
#error "gasboard/config.h must agree with the protocol engine's constants (common/board_engine.h)"
#endif

static void ask_co2_for_next_reading(gasboard_t *gb);

/* Output kinds' names (SET's valve field), indexed by GB_OUT_N2 ... GB_OUT_SAMPLE. */
static const char *const gb_output_names[GB_OUT_PER_CELL] = GB_OUT_NAMES;

const board_profile_t gasboard_profile = {
    GB_KIND, GB_FW_VERSION, GB_CAPS, gb_output_names, (uint8_t)GB_OUT_ACTUATORS, (uint8_t)GB_OUT_PER_CELL,
    (uint8_t)GB_OUT_SAMPLE, NULL, NULL, NULL,
};

/* The engine's view of a gasboard: the engine is the first member of gasboard_t. */
static gasboard_t *of(board_engine_t *e)
{
    return (gasboard_t *)(void *)e;
}

static const gasboard_t *of_const(const board_engine_t *e)
{
    return (const gasboard_t *)(const void *)e;
}

static void iface_sample(const board_engine_t *e, sensor_t sensor, sample_t *out)
{
    gasboard_sample(of_const(e), sensor, out);
}

static void iface_output(board_engine_t *e, uint8_t index, uint8_t on)
{
    gasboard_output(of(e), index, on);
}

static uint32_t iface_sensor_timeouts(const board_engine_t *e)
{
    return gasboard_sensor_timeouts(of_const(e));
}

/* ST's fields of the sensor modules: O2 lines malformed, CO2 answers with a bad CRC, CO2 exception answers. */
static void iface_st_extras(const board_engine_t *e, frame_writer_t *w)
{
    const gasboard_t *gb = of_const(e);

    board_engine_st_extra(w, "o2bad", gb->o2m.lines_bad);
    board_engine_st_extra(w, "mbcrc", gb->co2m.bad_crc);
    board_engine_st_extra(w, "mbex", gb->co2m.exceptions);
}

static const board_iface_t gasboard_iface = {
    (uint16_t)GB_EE_BOOT_ADDR,
    (uint16_t)GB_EE_CAL_ADDR,
    { { GB_CAL_O2_MAX_OFFSET, GB_CAL_O2_MIN_SPAN }, { GB_CAL_CO2_MAX_OFFSET, GB_CAL_CO2_MIN_SPAN } },
    iface_sample,
    iface_output,
    iface_sensor_timeouts,
    iface_st_extras,
};

/* The output index of a cell's kind, for this board's profile. */
static uint8_t out_index(const gasboard_t *gb, uint8_t cell, uint8_t kind)
{
    return (uint8_t)((cell - 1u) * gb->cfg.profile->per_cell + kind);
}

gasboard_config_t gasboard_config_default(void)
{
    gasboard_config_t cfg;

    cfg.profile = &gasboard_profile;
    cfg.sn = GB_SN_DEFAULT;
    cfg.period_ms = GB_PERIOD_MS_DEFAULT;
    cfg.stale_ms = GB_STALE_MS_DEFAULT;
    cfg.cells = GB_CELLS_DEFAULT;
    cfg.flush_ms = GB_FLUSH_MS_DEFAULT;
    cfg.co2_poll_ms = 0;
    return cfg;
}

void gasboard_init(gasboard_t *gb, const gasboard_config_t *cfg)
{
    uint8_t i;

    memset(gb, 0, sizeof *gb);
    gb->cfg = *cfg;
    if (gb->cfg.sn == NULL) {
        gb->cfg.sn = GB_SN_DEFAULT;
    }
    if (gb->cfg.profile == NULL) {
        gb->cfg.profile = &gasboard_profile;
    }
    if (gb->cfg.profile->sample_kind == 0xFFu) {
        gb->cfg.cells = 1; /* no manifold */
    }
    if (gb->cfg.period_ms == 0u) {
        gb->cfg.period_ms = 1u;
    }
    if (gb->cfg.cells == 0u) {
        gb->cfg.cells = 1u;
    }
    if (gb->cfg.cells > GB_CELLS_MAX) {
        gb->cfg.cells = GB_CELLS_MAX;
    }
    /* Power-up state of every actuator is off (valves closed, scrubber stopped), whatever the pins did before;
     * then the manifold opens cell 1's sample valve. */
    for (i = 0; i < GB_OUT_COUNT; i++) {
        gb->outputs[i] = 0;
        hal_output_set(i, 0);
    }
    /* The protocol engine: boot record, calibration, silent on the link until a HELLO. */
    board_engine_init(&gb->engine, gb->cfg.profile, &gasboard_iface, gb->cfg.sn, gb->cfg.cells, gb->cfg.stale_ms,
                      gb->ring_slots, (uint16_t)GB_RING_LEN);
    {
        uint32_t now = hal_millis();
        uint32_t co2_every = gb->cfg.co2_poll_ms != 0u && gb->cfg.co2_poll_ms < gb->cfg.period_ms
                                 ? gb->cfg.co2_poll_ms
                                 : gb->cfg.period_ms;
        /* Measuring starts now: the first reading in a period (after a flush, with several cells). */
        manifold_init(&gb->manifold, gb->cfg.cells, gb->cfg.flush_ms, gb->cfg.period_ms, now);
        o2m_init(&gb->o2m, GB_O2_SILENCE_MS, now);
        co2m_init(&gb->co2m, GB_CO2_ADDR, co2_every, GB_CO2_TIMEOUT_MS, now);
        ask_co2_for_next_reading(gb);
    }
    if (gb->cfg.profile->sample_kind != 0xFFu) {
        gasboard_output(gb, out_index(gb, 1u, gb->cfg.profile->sample_kind), 1);
    }
    hal_watchdog_start((uint16_t)GB_WATCHDOG_MS);
}

/* ---- measuring ------------------------------------------------------------------------------------------- */

/*
 * The CO2 module is asked once per reading, GB_CO2_LEAD_MS before it is due (a period before it, with a
 * period shorter than that): each reading gets a value about a second old, and a board reporting once a
 * minute wakes its module once a minute, not sixty times. A board whose config asks for the module more
 * often than once a period (cfg.co2_poll_ms: a palletunit's loop) keeps that rhythm, which is fresh enough.
 */
static void ask_co2_for_next_reading(gasboard_t *gb)
{
    uint32_t lead = gb->cfg.period_ms < GB_CO2_LEAD_MS ? gb->cfg.period_ms : GB_CO2_LEAD_MS;

    if (gb->co2m.poll_ms < gb->cfg.period_ms) {
        return;
    }
    co2m_ask_at(&gb->co2m, gb->manifold.due_ms - lead);
}

/*
 * Takes one reading into the ring. Its t is when its values were measured (PROTOCOL.md), not when it is sent.
 * The three values may have been sampled at different moments; the reading carries the oldest sample time
 * among the values it reports, so a receiver never takes a value for fresher than it is. With every value NA
 * there is no measurement; t is then the moment of the reading.
 */
static void take_reading(gasboard_t *gb, uint32_t now)
{
    sample_t s;
    reading_t r;
    uint32_t oldest_age = 0;
    uint8_t i;

    memset(&r, 0, sizeof r);
    r.t_ms = now;
    r.cell = gb->manifold.current;
    for (i = 0; i < READING_VALUES; i++) {
        gasboard_sample(gb, (sensor_t)i, &s);
        if (s.valid) {
            uint32_t age = (uint32_t)(now - s.at_ms);
            /* A sample time after now would wrap to a huge age: HAL clocks are monotonic, so only a bug or a
             * value far older than 2^31 ms does that, and NA is right for both. A sample from before the
             * manifold's flush ended is another cell's gas. */
            if (age > gb->cfg.stale_ms || age >= 0x80000000u || !manifold_sample_ok(&gb->manifold, s.at_ms)) {
                continue;
            }
            if (i < CAL_GASES) {
                s.value = cal_apply(&gb->engine.cal.gas[i], s.value);
            }
            if (!reading_ring_value_fits(s.value)) {
                gb->engine.counters.value_range++;
                continue;
            }
            r.value[i] = (int16_t)s.value;
            r.valid |= (uint8_t)(1u << i);
            if (age >= oldest_age) {
                oldest_age = age;
                r.t_ms = s.at_ms;
            }
        }
    }
    board_engine_push(&gb->engine, &r);
}

/* ---- main entry points ----------------------------------------------------------------------------------- */

void gasboard_poll(gasboard_t *gb)
{
    uint32_t now = hal_millis();

    hal_watchdog_kick(); /* the loop came round: a poll never blocks, so one that hangs is a fault */
    board_engine_read_link(&gb->engine, now);

    o2m_poll(&gb->o2m, now);
    co2m_poll(&gb->co2m, now);

    if (manifold_due(&gb->manifold, now)) {
        uint8_t was = gb->manifold.current;
        take_reading(gb, now);
        if (manifold_next(&gb->manifold, now)) {
            /* Break before make: the old cell's sample valve closes before the next one opens. */
            gasboard_output(gb, out_index(gb, was, gb->cfg.profile->sample_kind), 0);
            gasboard_output(gb, out_index(gb, gb->manifold.current, gb->cfg.profile->sample_kind), 1);
        }
        ask_co2_for_next_reading(gb);
        co2m_poll(&gb->co2m, now); /* a request due now (a period no longer than the lead) goes now */
    }

    board_engine_send(&gb->engine);
    if (gb->cfg.profile->poll != NULL) {
        gb->cfg.profile->poll(&gb->engine, now);
    }
}

void gasboard_output(gasboard_t *gb, uint8_t index, uint8_t on)
{
    if (index >= GB_OUT_COUNT) {
        return;
    }
    gb->outputs[index] = on ? 1u : 0u;
    hal_output_set(index, gb->outputs[index]);
}

void gasboard_calibrated(const gasboard_t *gb, sensor_t sensor, sample_t *out)
{
    gasboard_sample(gb, sensor, out);
    if (out->valid && (unsigned)sensor < CAL_GASES) {
        out->value = cal_apply(&gb->engine.cal.gas[sensor], out->value);
    }
}

uint32_t gasboard_idle_ms(const gasboard_t *gb)
{
    uint32_t now = hal_millis();
    uint32_t left = board_engine_idle_ms(&gb->engine);

    if (left != BOARD_ENGINE_IDLE_NONE) {
        return left; /* frames wait to be sent */
    }
    /* The earliest timed work: the next reading, the CO2 module's request or timeout, an O2 silence to count.
     * No cap: a target with a watchdog wakes its loop often enough for it (targets/host/main.c). */
    left = manifold_idle_ms(&gb->manifold, now);
    {
        uint32_t co2 = co2m_idle_ms(&gb->co2m, now);
        uint32_t o2 = o2m_idle_ms(&gb->o2m, now);
        if (co2 < left) {
            left = co2;
        }
        if (o2 < left) {
            left = o2;
        }
    }
    return left;
}

void gasboard_sample(const gasboard_t *gb, sensor_t sensor, sample_t *out)
{
    switch (sensor) {
    case SENSOR_O2:
        *out = gb->o2m.o2;
        return;
    case SENSOR_CO2:
        *out = gb->co2m.co2;
        return;
    case SENSOR_TEMP:
        *out = gb->o2m.temp;
        return;
    case SENSOR_COUNT:
    default:
        break;
    }
    memset(out, 0, sizeof *out);
}

uint32_t gasboard_sensor_timeouts(const gasboard_t *gb)
{
    return gb->o2m.timeouts + gb->co2m.timeouts;
}

uint32_t gasboard_last_seq(const gasboard_t *gb)
{
    return gb->engine.ring.newest_seq;
}
