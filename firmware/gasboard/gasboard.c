/*
 * gasboard board logic. The contract is in gasboard.h; the protocol rules in firmware/PROTOCOL.md.
 */
#include "gasboard/gasboard.h"

#include <string.h>

#include "common/boot_record.h"
#include "common/hal.h"

/* Bytes read from the host link per poll: enough to empty a UART ring in one go, few enough that a flood of
 * input cannot delay a due RD by more than a few lines' worth of work. */
#define GB_RX_CHUNK  64u
#define GB_RX_BUDGET 256u

#define GB_IDLE_MAX_MS 1000u

/* Output kinds' names (SET's valve field), indexed by GB_OUT_N2 ... GB_OUT_SAMPLE. */
static const char *const gb_output_names[GB_OUT_PER_CELL] = GB_OUT_NAMES;

const board_profile_t gasboard_profile = {
    GB_KIND, GB_FW_VERSION, GB_CAPS, gb_output_names, (uint8_t)GB_OUT_ACTUATORS, (uint8_t)GB_OUT_PER_CELL,
    (uint8_t)GB_OUT_SAMPLE, NULL, NULL, NULL,
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
    return cfg;
}

void gasboard_init(gasboard_t *gb, const gasboard_config_t *cfg)
{
    boot_record_t br;
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
    frame_lineasm_reset(&gb->rx);
    reading_ring_init(&gb->ring, gb->ring_slots, (uint16_t)GB_RING_LEN);
    gb->host_present = 1;
    /* Power-up state of every actuator is off (valves closed, scrubber stopped), whatever the pins did before;
     * then the manifold opens cell 1's sample valve. */
    for (i = 0; i < GB_OUT_COUNT; i++) {
        gb->outputs[i] = 0;
        hal_output_set(i, 0);
    }
    boot_record_count((uint16_t)GB_EE_BOOT_ADDR, hal_reset_cause(), &br);
    gb->boot = br.boots;
    gb->wdt_resets = br.wdt_resets;
    if (!br.was_valid) {
        hal_log("gasboard: no intact boot record in EEPROM; counting boots from 1");
    }
    if (!br.stored) {
        hal_log("gasboard: could not store the boot record in EEPROM");
    }
    {
        uint8_t rec[CAL_RECORD_SIZE];
        memset(rec, 0xFF, sizeof rec);
        if (hal_eeprom_read((uint16_t)GB_EE_CAL_ADDR, rec, CAL_RECORD_SIZE) != 0 || !cal_decode(rec, &gb->cal)) {
            cal_factory(&gb->cal);
            if (rec[0] == 'C' && rec[1] == 'L') { /* erased (0xFF) is normal on a new board; this is not */
                hal_log("gasboard: calibration record in EEPROM is corrupted; using the factory calibration");
            }
        }
    }
    {
        uint32_t now = hal_millis();
        /* Measuring starts now: the first reading in a period (after a flush, with several cells). */
        manifold_init(&gb->manifold, gb->cfg.cells, gb->cfg.flush_ms, gb->cfg.period_ms, now);
        o2m_init(&gb->o2m, GB_O2_SILENCE_MS, now);
        /* The CO2 module is asked once a period, at most once a second: each reading gets a fresh value. */
        co2m_init(&gb->co2m, GB_CO2_ADDR, gb->cfg.period_ms < GB_CO2_POLL_MS ? gb->cfg.period_ms : GB_CO2_POLL_MS,
                  GB_CO2_TIMEOUT_MS, now);
    }
    if (gb->cfg.profile->sample_kind != 0xFFu) {
        gasboard_output(gb, out_index(gb, 1u, gb->cfg.profile->sample_kind), 1);
    }
    hal_watchdog_start((uint16_t)GB_WATCHDOG_MS);
}

/* ---- sending --------------------------------------------------------------------------------------------- */

/* Hands the frame in gb->tx (n bytes, 0 = the writer failed) to the link, counting what the link refused. */
static void send_frame(gasboard_t *gb, size_t n)
{
    size_t taken;
    size_t need = n + (gb->tx_broken ? 1u : 0u);

    if (n == 0u) {
        /* Only a bug can get here (a field breaking the grammar); say so rather than send a bad frame. */
        hal_log("gasboard: internal error: could not build a frame");
        gb->counters.tx_dropped++;
        return;
    }
    if (hal_host_room() < need) {
        /* Dropped whole: a cut frame would cost the receiver the next frame too. */
        gb->counters.tx_dropped++;
        return;
    }
    if (gb->tx_broken) {
        /* The previous frame went out only in part. A lone '\n' ends that fragment as its own (bad) line at
         * the receiver; without it this frame would be glued to the fragment and lost too. */
        if (hal_host_write((const uint8_t *)"\n", 1u) != 1u) {
            gb->counters.tx_dropped++;
            return;
        }
        gb->tx_broken = 0;
    }
    taken = hal_host_write((const uint8_t *)gb->tx, n);
    if (taken == n) {
        gb->counters.tx_frames++;
    } else {
        gb->counters.tx_dropped++;
        gb->tx_broken = (taken > 0u);
    }
}

static void send_err(gasboard_t *gb, const char *code)
{
    frame_writer_t w;

    frame_writer_begin(&w, gb->tx, sizeof gb->tx, "ERR");
    frame_writer_str(&w, "code", code);
    send_frame(gb, frame_writer_end(&w));
}

static void send_ack(gasboard_t *gb, uint32_t id)
{
    frame_writer_t w;

    frame_writer_begin(&w, gb->tx, sizeof gb->tx, "ACK");
    frame_writer_u32(&w, "id", id);
    send_frame(gb, frame_writer_end(&w));
}

static void send_nak(gasboard_t *gb, uint32_t id, const char *code)
{
    frame_writer_t w;

    frame_writer_begin(&w, gb->tx, sizeof gb->tx, "NAK");
    frame_writer_u32(&w, "id", id);
    frame_writer_str(&w, "code", code);
    send_frame(gb, frame_writer_end(&w));
}

static void send_id(gasboard_t *gb, uint32_t id, uint32_t now)
{
    frame_writer_t w;

    frame_writer_begin(&w, gb->tx, sizeof gb->tx, "ID");
    frame_writer_u32(&w, "id", id);
    frame_writer_str(&w, "kind", gb->cfg.profile->kind);
    frame_writer_str(&w, "fw", gb->cfg.profile->fw);
    frame_writer_str(&w, "sn", gb->cfg.sn);
    frame_writer_u32(&w, "proto", GB_PROTO_VERSION);
    frame_writer_str(&w, "caps", gb->cfg.profile->caps);
    frame_writer_u32(&w, "t", now);
    frame_writer_u32(&w, "boot", gb->boot);
    frame_writer_u32(&w, "cal", gb->cal.count < GB_CAL_COUNT_MAX ? gb->cal.count : GB_CAL_COUNT_MAX);
    send_frame(gb, frame_writer_end(&w));
}

/* Builds the RD frame of a reading into gb->tx; returns its length (0 if it could not be built). */
static size_t build_rd(gasboard_t *gb, uint32_t seq, const reading_t *r)
{
    static const uint8_t decimals[READING_VALUES] = { 2u, 3u, 2u };
    static const char *const keys[READING_VALUES] = { "o2", "co2", "temp" };
    frame_writer_t w;
    uint8_t i;

    frame_writer_begin(&w, gb->tx, sizeof gb->tx, "RD");
    frame_writer_u32(&w, "seq", seq);
    frame_writer_u32(&w, "t", r->t_ms);
    for (i = 0; i < READING_VALUES; i++) {
        if (r->valid & (1u << i)) {
            frame_writer_fixed(&w, keys[i], r->value[i], decimals[i]);
        } else {
            frame_writer_str(&w, keys[i], "NA");
        }
    }
    frame_writer_u32(&w, "cell", r->cell);
    return frame_writer_end(&w);
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
                s.value = cal_apply(&gb->cal.gas[i], s.value);
            }
            if (!reading_ring_value_fits(s.value)) {
                gb->counters.value_range++;
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
    (void)reading_ring_push(&gb->ring, &r);
}

/* 1 when the link has room for an RD of len bytes and still one answer's worth after it: readings never take
 * the room a command's answer needs. */
static int room_for_rd(const gasboard_t *gb, size_t len)
{
    return hal_host_room() >= len + (gb->tx_broken ? 1u : 0u) + FRAME_BUF_SIZE;
}

/* ---- commands -------------------------------------------------------------------------------------------- */

/* 1 when every field of f has one of the allowed keys (NULL-terminated list). */
static int only_keys(const frame_t *f, const char *const *allowed)
{
    uint8_t i;

    for (i = 0; i < f->nfields; i++) {
        const char *const *a;
        int known = 0;
        for (a = allowed; *a != NULL; a++) {
            if (strcmp(f->fields[i].key, *a) == 0) {
                known = 1;
                break;
            }
        }
        if (!known) {
            return 0;
        }
    }
    return 1;
}

static void do_hello(gasboard_t *gb, const frame_t *f, uint32_t id, uint32_t now)
{
    static const char *const allowed[] = { "id", "proto", NULL };
    uint32_t proto;

    if (!only_keys(f, allowed) || !frame_parse_u32(frame_get(f, "proto"), &proto)) {
        send_nak(gb, id, "E_ARG");
        return;
    }
    if (proto != GB_PROTO_VERSION) {
        /* A refused HELLO changes nothing: a session that was running keeps running. */
        send_nak(gb, id, "E_PROTO");
        return;
    }
    gb->hello_seen = 1;
    gb->streaming = 1;
    /* A new session: a replay the old one asked for ends without its ACK, and only readings taken from now on
     * go out live (older ones are the host's to ask for with REPLAY). */
    gb->replay.active = 0;
    gb->live_next = gb->ring.newest_seq + 1u;
    send_id(gb, id, now);
}

static void do_set(gasboard_t *gb, const frame_t *f, uint32_t id)
{
    static const char *const allowed[] = { "id", "valve", "on", "cell", NULL };
    const char *valve = frame_get(f, "valve");
    const char *on = frame_get(f, "on");
    const char *cell_text = frame_get(f, "cell");
    uint32_t cell = 1;
    uint8_t kind;
    uint8_t out;
    uint8_t level;

    if (!only_keys(f, allowed) || valve == NULL || on == NULL) {
        send_nak(gb, id, "E_ARG");
        return;
    }
    if (strcmp(on, "0") == 0) {
        level = 0;
    } else if (strcmp(on, "1") == 0) {
        level = 1;
    } else {
        send_nak(gb, id, "E_ARG");
        return;
    }
    /* cell: 1 when absent (a board of one cell, or a host that predates the manifold). */
    if (cell_text != NULL && (!frame_parse_u32(cell_text, &cell) || cell == 0u || cell > gb->cfg.cells)) {
        send_nak(gb, id, "E_ARG");
        return;
    }
    /* Only the actuators: the sample valves belong to the manifold. */
    for (kind = 0; kind < gb->cfg.profile->n_actuators; kind++) {
        if (strcmp(valve, gb->cfg.profile->actuators[kind]) == 0) {
            break;
        }
    }
    if (kind == gb->cfg.profile->n_actuators) {
        send_nak(gb, id, "E_ARG");
        return;
    }
    if (gb->cfg.profile->set_allowed != NULL && !gb->cfg.profile->set_allowed(gb)) {
        send_nak(gb, id, "E_STATE");
        return;
    }
    out = out_index(gb, (uint8_t)cell, kind);
    gasboard_output(gb, out, level);
    send_ack(gb, id);
}

/* REPLAY id from to (PROTOCOL.md): checks the range and starts sending; gasboard_poll does the sending. */
static void do_replay(gasboard_t *gb, const frame_t *f, uint32_t id)
{
    static const char *const allowed[] = { "id", "from", "to", NULL };
    uint32_t from;
    uint32_t to;
    uint32_t newest = gb->ring.newest_seq;

    if (!only_keys(f, allowed) || !frame_parse_u32(frame_get(f, "from"), &from) ||
        !frame_parse_u32(frame_get(f, "to"), &to) || from > to || to - from >= GB_REPLAY_MAX) {
        send_nak(gb, id, "E_ARG");
        return;
    }
    if (gb->replay.active) {
        send_nak(gb, id, "E_STATE"); /* one replay at a time */
        return;
    }
    memset(&gb->replay, 0, sizeof gb->replay);
    gb->replay.active = 1;
    gb->replay.id = id;
    gb->replay.next = from;
    /* Readings taken from now on are not part of this replay: they go out live after its ACK. */
    if (gb->ring.count > 0u && newest >= from) {
        gb->replay.left = (newest < to ? newest : to) - from + 1u;
    }
}

/*
 * A decimal with up to `decimals` decimals ("20.95", "0", "-0.5", "5.000") as fixed point in that many decimals.
 * Returns 1 and *out on success; 0 for anything else or a magnitude over 9 digits.
 */
static int parse_fixed(const char *s, uint8_t decimals, int32_t *out)
{
    int32_t v = 0;
    uint8_t digits = 0;
    uint8_t frac = 0;
    int neg = 0;
    int point = 0;

    if (s == NULL) {
        return 0;
    }
    if (*s == '-') {
        neg = 1;
        s++;
    }
    if (*s < '0' || *s > '9') {
        return 0;
    }
    for (; *s != '\0'; s++) {
        if (*s == '.' && !point) {
            point = 1;
            if (s[1] == '\0') {
                return 0; /* "5." */
            }
            continue;
        }
        if (*s < '0' || *s > '9' || digits >= 9u || (point && frac >= decimals)) {
            return 0;
        }
        v = v * 10 + (*s - '0');
        digits++;
        if (point) {
            frac++;
        }
    }
    for (; frac < decimals; frac++) {
        if (v > 99999999) {
            return 0;
        }
        v *= 10;
    }
    *out = neg ? -v : v;
    return 1;
}

/* Stores the calibration in EEPROM; 1 when it was written. */
static int store_cal(const cal_set_t *cal)
{
    uint8_t rec[CAL_RECORD_SIZE];

    cal_encode(cal, rec);
    return hal_eeprom_write((uint16_t)GB_EE_CAL_ADDR, rec, CAL_RECORD_SIZE) == 0;
}

/* CAL id gas point [ref] (PROTOCOL.md, "Calibration"). */
static void do_cal(gasboard_t *gb, const frame_t *f, uint32_t id, uint32_t now)
{
    static const char *const allowed[] = { "id", "gas", "point", "ref", NULL };
    static const char *const gases[CAL_GASES] = { "o2", "co2" };
    static const uint8_t decimals[CAL_GASES] = { 2u, 3u };
    static const cal_limits_t limits[CAL_GASES] = {
        { GB_CAL_O2_MAX_OFFSET, GB_CAL_O2_MIN_SPAN },
        { GB_CAL_CO2_MAX_OFFSET, GB_CAL_CO2_MIN_SPAN },
    };
    const char *gas = frame_get(f, "gas");
    const char *point = frame_get(f, "point");
    const char *ref_text = frame_get(f, "ref");
    cal_set_t next = gb->cal;
    cal_result_t result = CAL_OK;
    int32_t ref = 0;
    uint8_t g;
    frame_writer_t w;

    if (!only_keys(f, allowed) || gas == NULL || point == NULL) {
        send_nak(gb, id, "E_ARG");
        return;
    }
    for (g = 0; g < CAL_GASES; g++) {
        if (strcmp(gas, gases[g]) == 0) {
            break;
        }
    }
    if (g == CAL_GASES) {
        send_nak(gb, id, "E_ARG");
        return;
    }
    if (strcmp(point, "factory") == 0) {
        if (ref_text != NULL) {
            send_nak(gb, id, "E_ARG");
            return;
        }
        next.gas[g].raw_zero = 0;
        next.gas[g].ref_zero = 0;
        next.gas[g].gain_num = 1;
        next.gas[g].gain_den = 1;
    } else if (strcmp(point, "zero") == 0 || strcmp(point, "span") == 0) {
        sample_t s;
        uint32_t age;
        if (!parse_fixed(ref_text, decimals[g], &ref)) {
            send_nak(gb, id, "E_ARG");
            return;
        }
        /* The raw value the sensor gives now: a fresh one, as a reading would take it. */
        gasboard_sample(gb, (sensor_t)g, &s);
        age = (uint32_t)(now - s.at_ms);
        if (!s.valid || age > gb->cfg.stale_ms || age >= 0x80000000u) {
            send_nak(gb, id, "E_SENSOR");
            return;
        }
        result = point[0] == 'z' ? cal_zero(&next.gas[g], s.value, ref, &limits[g])
                                 : cal_span(&next.gas[g], s.value, ref, &limits[g]);
        if (result != CAL_OK) {
            send_nak(gb, id, "E_RANGE");
            return;
        }
    } else {
        send_nak(gb, id, "E_ARG");
        return;
    }
    next.count = gb->cal.count < GB_CAL_COUNT_MAX ? gb->cal.count + 1u : GB_CAL_COUNT_MAX;
    if (!store_cal(&next)) {
        send_nak(gb, id, "E_STORE"); /* the old calibration stays, in EEPROM and in use */
        return;
    }
    gb->cal = next;
    frame_writer_begin(&w, gb->tx, sizeof gb->tx, "ACK");
    frame_writer_u32(&w, "id", id);
    frame_writer_u32(&w, "cal", gb->cal.count);
    send_frame(gb, frame_writer_end(&w));
}

/* An ST error counter, saturated so that ST's common fields always fit a line. */
static uint32_t st_counter(uint32_t v)
{
    return v < GB_ST_COUNTER_MAX ? v : GB_ST_COUNTER_MAX;
}

/* An optional ST field: written only when it fits the line, so ST itself is never lost to its extras. */
static void st_extra(frame_writer_t *w, const char *key, uint32_t value)
{
    if (frame_writer_fits(w, key, value)) {
        frame_writer_u32(w, key, value);
    }
}

/* STATUS id (PROTOCOL.md): one ST frame. */
static void do_status(gasboard_t *gb, const frame_t *f, uint32_t id, uint32_t now)
{
    static const char *const allowed[] = { "id", NULL };
    const gasboard_counters_t *c = &gb->counters;
    frame_writer_t w;

    if (!only_keys(f, allowed)) {
        send_nak(gb, id, "E_ARG");
        return;
    }
    frame_writer_begin(&w, gb->tx, sizeof gb->tx, "ST");
    frame_writer_u32(&w, "id", id);
    frame_writer_u32(&w, "up", now);
    frame_writer_u32(&w, "boot", gb->boot);
    frame_writer_u32(&w, "seq", gb->ring.newest_seq);
    frame_writer_u32(&w, "ring", gb->ring.count);
    frame_writer_u32(&w, "crc", st_counter(c->rx_bad_crc));
    frame_writer_u32(&w, "syn", st_counter(c->rx_bad_syntax + c->rx_no_id));
    frame_writer_u32(&w, "long", st_counter(c->rx_too_long));
    frame_writer_u32(&w, "sto", st_counter(gasboard_sensor_timeouts(gb)));
    frame_writer_u32(&w, "wdt", st_counter(gb->wdt_resets));
    frame_writer_u32(&w, "drop", st_counter(c->tx_dropped));
    /* Board-specific, after the fields every board has, each only while the line has room (the common fields
     * always fit: see GB_ST_COUNTER_MAX): lines taken as frames (answered or ignored), so that
     * ok + crc + syn + long is every line received; frames sent in full; the modules' counters (O2 lines
     * malformed, CO2 answers with a bad CRC, CO2 exception answers). A frame has at most 16 fields. */
    st_extra(&w, "ok", c->rx_ok - c->rx_no_id);
    st_extra(&w, "tx", c->tx_frames);
    st_extra(&w, "o2bad", gb->o2m.lines_bad);
    st_extra(&w, "mbcrc", gb->co2m.bad_crc);
    st_extra(&w, "mbex", gb->co2m.exceptions);
    send_frame(gb, frame_writer_end(&w));
}

/* Frame types a board sends. Another board's frames (or our own, echoed back by a misconfigured link) must
 * never be answered: two boards answering each other would never stop. */
static int is_board_frame_type(const char *type)
{
    static const char *const types[] = { "ACK", "NAK", "ID", "ERR", "RD", "ST", NULL };
    const char *const *t;

    for (t = types; *t != NULL; t++) {
        if (strcmp(type, *t) == 0) {
            return 1;
        }
    }
    return 0;
}

static void handle_line(gasboard_t *gb, char *line, size_t len, uint32_t now)
{
    frame_t f;
    uint32_t id;
    frame_verdict_t verdict = frame_parse(line, len, &f);

    switch (verdict) {
    case FRAME_OK:
        break;
    case FRAME_E_CRC:
        gb->counters.rx_bad_crc++;
        send_err(gb, "E_CRC");
        return;
    case FRAME_E_TOOLONG:
        /* Cannot come from the assembler (it reports long lines itself), kept for completeness. */
        gb->counters.rx_too_long++;
        send_err(gb, "E_TOOLONG");
        return;
    case FRAME_E_SYNTAX:
    default:
        gb->counters.rx_bad_syntax++;
        send_err(gb, "E_SYNTAX");
        return;
    }

    gb->counters.rx_ok++;
    if (is_board_frame_type(f.type)) {
        gb->counters.rx_ignored++;
        return;
    }
    if (!frame_parse_u32(frame_get(&f, "id"), &id) || id == 0u) {
        gb->counters.rx_no_id++;
        send_err(gb, "E_SYNTAX");
        return;
    }
    if (strcmp(f.type, "HELLO") == 0) {
        do_hello(gb, &f, id, now); /* always allowed: it is what opens a session */
    } else if (strcmp(f.type, "SET") == 0 || strcmp(f.type, "REPLAY") == 0 || strcmp(f.type, "STATUS") == 0 ||
               strcmp(f.type, "CAL") == 0) {
        if (!gb->hello_seen) {
            send_nak(gb, id, "E_STATE");
        } else if (strcmp(f.type, "SET") == 0) {
            do_set(gb, &f, id);
        } else if (strcmp(f.type, "CAL") == 0) {
            do_cal(gb, &f, id, now);
        } else if (strcmp(f.type, "REPLAY") == 0) {
            do_replay(gb, &f, id);
        } else {
            do_status(gb, &f, id, now);
        }
    } else if (gb->cfg.profile->command != NULL && gb->hello_seen && gb->cfg.profile->command(gb, &f, id, now)) {
        /* a command of this kind of board, answered by its profile */
    } else if (gb->cfg.profile->command != NULL && !gb->hello_seen &&
               gb->cfg.profile->command(NULL, &f, id, now)) {
        send_nak(gb, id, "E_STATE"); /* known to the profile, but before the first HELLO */
    } else {
        send_nak(gb, id, "E_UNKNOWN");
    }
}

/* ---- sending readings ------------------------------------------------------------------------------------- */

/* Sends replayed RD frames while the link has room, and the replay's ACK after the last. Returns the frames it
 * may still send this poll. */
static uint32_t pump_replay(gasboard_t *gb, uint32_t budget)
{
    gasboard_replay_t *rp = &gb->replay;
    uint32_t looked = 0;
    reading_t r;

    while (rp->active && budget > 0u) {
        if (rp->left == 0u) {
            frame_writer_t w;
            size_t n;
            frame_writer_begin(&w, gb->tx, sizeof gb->tx, "ACK");
            frame_writer_u32(&w, "id", rp->id);
            frame_writer_u32(&w, "n", rp->n);
            if (rp->n > 0u) {
                frame_writer_u32(&w, "from", rp->first);
                frame_writer_u32(&w, "to", rp->final);
            }
            n = frame_writer_end(&w);
            if (hal_host_room() < n + (gb->tx_broken ? 1u : 0u)) {
                break; /* the ACK waits for room rather than be lost */
            }
            rp->active = 0;
            send_frame(gb, n);
            break;
        }
        if (!reading_ring_get(&gb->ring, rp->next, &r)) {
            /* Older than the ring (or overwritten while the replay ran): skip it. A bounded number of lookups
             * per poll, though each is cheap. */
            rp->next++;
            rp->left--;
            if (++looked >= GB_REPLAY_MAX) {
                break;
            }
            continue;
        }
        {
            size_t n = build_rd(gb, rp->next, &r);
            if (!room_for_rd(gb, n)) {
                break; /* wait for the link to drain */
            }
            send_frame(gb, n);
        }
        if (rp->n == 0u) {
            rp->first = rp->next;
        }
        rp->final = rp->next;
        rp->n++;
        rp->next++;
        rp->left--;
        budget--;
    }
    return budget;
}

/* Sends the readings taken since the last one sent live, while the link has room. */
static void pump_live(gasboard_t *gb, uint32_t budget)
{
    reading_t r;

    while (budget > 0u && gb->live_next != gb->ring.newest_seq + 1u) {
        size_t n;
        if (!reading_ring_get(&gb->ring, gb->live_next, &r)) {
            /* Overwritten before the link could take it: go on from the oldest held (and if even that is not
             * there, which only a corrupted state can make, from the next reading: never loop). */
            uint32_t oldest = reading_ring_oldest_seq(&gb->ring);
            gb->live_next = reading_ring_get(&gb->ring, oldest, &r) ? oldest : gb->ring.newest_seq + 1u;
            continue;
        }
        n = build_rd(gb, gb->live_next, &r);
        if (!room_for_rd(gb, n)) {
            return;
        }
        send_frame(gb, n);
        gb->live_next++;
        budget--;
    }
}

/* ---- main entry points ----------------------------------------------------------------------------------- */

void gasboard_poll(gasboard_t *gb)
{
    uint8_t chunk[GB_RX_CHUNK];
    size_t budget = GB_RX_BUDGET;
    uint32_t now = hal_millis();
    int present = hal_host_present() ? 1 : 0;

    hal_watchdog_kick(); /* the loop came round: a poll never blocks, so one that hangs is a fault */
    if (!present && gb->host_present) {
        /* The host went away: stop sending until a HELLO comes (from whoever opens the link next), forget a
         * replay nobody is left to read, and drop any half-received line so the next host's first line is not
         * glued to the old one's tail. Measuring goes on. */
        gb->streaming = 0;
        gb->replay.active = 0;
        gb->tx_broken = 0;
        frame_lineasm_reset(&gb->rx);
    }
    gb->host_present = (uint8_t)present;

    while (budget > 0u) {
        size_t want = budget < sizeof chunk ? budget : sizeof chunk;
        size_t got = hal_host_read(chunk, want);
        size_t i;

        if (got == 0u) {
            break;
        }
        if (got > want) {
            got = want; /* a HAL that overreports must not make us read past the chunk */
        }
        budget -= got;
        for (i = 0; i < got; i++) {
            frame_line_event_t ev = frame_lineasm_push(&gb->rx, chunk[i]);
            if (ev == FRAME_LINE_READY) {
                size_t len;
                char *line = frame_lineasm_line(&gb->rx, &len);
                handle_line(gb, line, len, now);
            } else if (ev == FRAME_LINE_TOOLONG) {
                gb->counters.rx_too_long++;
                send_err(gb, "E_TOOLONG");
            }
        }
    }

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
    }

    {
        uint32_t frames = GB_TX_PER_POLL;
        if (gb->replay.active) {
            frames = pump_replay(gb, frames);
        }
        /* Readings taken while a replay is sent go out after its ACK (PROTOCOL.md). */
        if (gb->streaming && !gb->replay.active) {
            pump_live(gb, frames);
        }
    }
    if (gb->cfg.profile->poll != NULL) {
        gb->cfg.profile->poll(gb, now);
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

void gasboard_ack(gasboard_t *gb, uint32_t id)
{
    send_ack(gb, id);
}

void gasboard_nak(gasboard_t *gb, uint32_t id, const char *code)
{
    send_nak(gb, id, code);
}

void gasboard_calibrated(const gasboard_t *gb, sensor_t sensor, sample_t *out)
{
    gasboard_sample(gb, sensor, out);
    if (out->valid && (unsigned)sensor < CAL_GASES) {
        out->value = cal_apply(&gb->cal.gas[sensor], out->value);
    }
}

uint32_t gasboard_idle_ms(const gasboard_t *gb)
{
    uint32_t now = hal_millis();
    uint32_t left;

    if (gb->replay.active || (gb->streaming && gb->live_next != gb->ring.newest_seq + 1u)) {
        /* Frames wait to be sent: at once if the link has room, else as soon as it may have drained. */
        return hal_host_room() >= FRAME_BUF_SIZE * 2u ? 0u : 1u;
    }
    left = manifold_idle_ms(&gb->manifold, now);
    {
        uint32_t co2 = co2m_idle_ms(&gb->co2m, now);
        if (co2 < left) {
            left = co2;
        }
    }
    return left < GB_IDLE_MAX_MS ? left : GB_IDLE_MAX_MS;
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
    return gb->ring.newest_seq;
}
