/*
 * The board protocol engine. The contract is in board_engine.h; the protocol rules in firmware/PROTOCOL.md.
 */
#include "common/board_engine.h"

#include <string.h>

#include "common/boot_record.h"
#include "common/hal.h"

/* Bytes read from the host link per read: enough to empty a UART ring in one go, few enough that a flood of
 * input cannot delay a due RD by more than a few lines' worth of work. */
#define ENGINE_RX_CHUNK  64u
#define ENGINE_RX_BUDGET 256u

void board_engine_init(board_engine_t *e, const board_profile_t *profile, const board_iface_t *iface,
                       const char *sn, uint8_t cells, uint32_t stale_ms, reading_t *slots, uint16_t nslots)
{
    boot_record_t br;
    uint8_t rec[CAL_RECORD_SIZE];

    memset(e, 0, sizeof *e);
    e->profile = profile;
    e->iface = iface;
    e->sn = sn;
    e->cells = cells;
    e->stale_ms = stale_ms;
    frame_lineasm_reset(&e->rx);
    reading_ring_init(&e->ring, slots, nslots);
    e->host_present = 1;
    boot_record_count(iface->ee_boot_addr, hal_reset_cause(), &br);
    e->boot = br.boots;
    e->wdt_resets = br.wdt_resets;
    if (!br.was_valid) {
        hal_log("%s: no intact boot record in EEPROM; counting boots from 1", profile->kind);
    }
    if (!br.stored) {
        hal_log("%s: could not store the boot record in EEPROM", profile->kind);
    }
    memset(rec, 0xFF, sizeof rec);
    if (hal_eeprom_read(iface->ee_cal_addr, rec, CAL_RECORD_SIZE) != 0 || !cal_decode(rec, &e->cal)) {
        cal_factory(&e->cal);
        if (rec[0] == 'C' && rec[1] == 'L') { /* erased (0xFF) is normal on a new board; this is not */
            hal_log("%s: calibration record in EEPROM is corrupted; using the factory calibration", profile->kind);
        }
    }
}

/* ---- sending --------------------------------------------------------------------------------------------- */

/* Hands the frame in e->tx (n bytes, 0 = the writer failed) to the link, counting what the link refused. */
static void send_frame(board_engine_t *e, size_t n)
{
    size_t taken;
    size_t need = n + (e->tx_broken ? 1u : 0u);

    if (n == 0u) {
        /* Only a bug can get here (a field breaking the grammar); say so rather than send a bad frame. */
        hal_log("%s: internal error: could not build a frame", e->profile->kind);
        e->counters.tx_dropped++;
        return;
    }
    if (hal_host_room() < need) {
        /* Dropped whole: a cut frame would cost the receiver the next frame too. */
        e->counters.tx_dropped++;
        return;
    }
    if (e->tx_broken) {
        /* The previous frame went out only in part. A lone '\n' ends that fragment as its own (bad) line at
         * the receiver; without it this frame would be glued to the fragment and lost too. */
        if (hal_host_write((const uint8_t *)"\n", 1u) != 1u) {
            e->counters.tx_dropped++;
            return;
        }
        e->tx_broken = 0;
    }
    taken = hal_host_write((const uint8_t *)e->tx, n);
    if (taken == n) {
        e->counters.tx_frames++;
    } else {
        e->counters.tx_dropped++;
        e->tx_broken = (taken > 0u);
    }
}

static void send_err(board_engine_t *e, const char *code)
{
    frame_writer_t w;

    frame_writer_begin(&w, e->tx, sizeof e->tx, "ERR");
    frame_writer_str(&w, "code", code);
    send_frame(e, frame_writer_end(&w));
}

static void send_ack(board_engine_t *e, uint32_t id)
{
    frame_writer_t w;

    frame_writer_begin(&w, e->tx, sizeof e->tx, "ACK");
    frame_writer_u32(&w, "id", id);
    send_frame(e, frame_writer_end(&w));
}

static void send_nak(board_engine_t *e, uint32_t id, const char *code)
{
    frame_writer_t w;

    frame_writer_begin(&w, e->tx, sizeof e->tx, "NAK");
    frame_writer_u32(&w, "id", id);
    frame_writer_str(&w, "code", code);
    send_frame(e, frame_writer_end(&w));
}

static void send_id(board_engine_t *e, uint32_t id, uint32_t now)
{
    frame_writer_t w;

    frame_writer_begin(&w, e->tx, sizeof e->tx, "ID");
    frame_writer_u32(&w, "id", id);
    frame_writer_str(&w, "kind", e->profile->kind);
    frame_writer_str(&w, "fw", e->profile->fw);
    frame_writer_str(&w, "sn", e->sn);
    frame_writer_u32(&w, "proto", BOARD_PROTO_VERSION);
    frame_writer_str(&w, "caps", e->profile->caps);
    frame_writer_u32(&w, "t", now);
    frame_writer_u32(&w, "boot", e->boot);
    frame_writer_u32(&w, "cal", e->cal.count < BOARD_CAL_COUNT_MAX ? e->cal.count : BOARD_CAL_COUNT_MAX);
    send_frame(e, frame_writer_end(&w));
}

/* Builds the RD frame of a reading into e->tx; returns its length (0 if it could not be built). */
static size_t build_rd(board_engine_t *e, uint32_t seq, const reading_t *r)
{
    static const uint8_t decimals[READING_VALUES] = { 2u, 3u, 2u };
    static const char *const keys[READING_VALUES] = { "o2", "co2", "temp" };
    frame_writer_t w;
    uint8_t i;

    frame_writer_begin(&w, e->tx, sizeof e->tx, "RD");
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

/* 1 when the link has room for an RD of len bytes and still one answer's worth after it: readings never take
 * the room a command's answer needs. */
static int room_for_rd(const board_engine_t *e, size_t len)
{
    return hal_host_room() >= len + (e->tx_broken ? 1u : 0u) + FRAME_BUF_SIZE;
}

/* ---- commands -------------------------------------------------------------------------------------------- */

static void do_hello(board_engine_t *e, const frame_t *f, uint32_t id, uint32_t now)
{
    static const char *const allowed[] = { "id", "proto", NULL };
    uint32_t proto;

    if (!frame_only_keys(f, allowed) || !frame_parse_u32(frame_get(f, "proto"), &proto)) {
        send_nak(e, id, "E_ARG");
        return;
    }
    if (proto != BOARD_PROTO_VERSION) {
        /* A refused HELLO changes nothing: a session that was running keeps running. */
        send_nak(e, id, "E_PROTO");
        return;
    }
    e->hello_seen = 1;
    e->streaming = 1;
    /* A new session: a replay the old one asked for ends without its ACK, and only readings taken from now on
     * go out live (older ones are the host's to ask for with REPLAY). */
    e->replay.active = 0;
    e->live_next = e->ring.newest_seq + 1u;
    send_id(e, id, now);
}

static void do_set(board_engine_t *e, const frame_t *f, uint32_t id)
{
    static const char *const allowed[] = { "id", "valve", "on", "cell", NULL };
    const char *valve = frame_get(f, "valve");
    const char *on = frame_get(f, "on");
    const char *cell_text = frame_get(f, "cell");
    uint32_t cell = 1;
    uint8_t kind;
    uint8_t out;
    uint8_t level;

    if (!frame_only_keys(f, allowed) || valve == NULL || on == NULL) {
        send_nak(e, id, "E_ARG");
        return;
    }
    if (strcmp(on, "0") == 0) {
        level = 0;
    } else if (strcmp(on, "1") == 0) {
        level = 1;
    } else {
        send_nak(e, id, "E_ARG");
        return;
    }
    /* cell: 1 when absent (a board of one cell, or a host that predates the manifold). */
    if (cell_text != NULL && (!frame_parse_u32(cell_text, &cell) || cell == 0u || cell > e->cells)) {
        send_nak(e, id, "E_ARG");
        return;
    }
    /* Only the actuators: the sample valves belong to the manifold. */
    for (kind = 0; kind < e->profile->n_actuators; kind++) {
        if (strcmp(valve, e->profile->actuators[kind]) == 0) {
            break;
        }
    }
    if (kind == e->profile->n_actuators) {
        send_nak(e, id, "E_ARG");
        return;
    }
    if (e->profile->set_allowed != NULL && !e->profile->set_allowed(e)) {
        send_nak(e, id, "E_STATE");
        return;
    }
    out = (uint8_t)((cell - 1u) * e->profile->per_cell + kind);
    e->iface->output(e, out, level);
    send_ack(e, id);
}

/* REPLAY id from to (PROTOCOL.md): checks the range and starts sending; board_engine_send does the sending. */
static void do_replay(board_engine_t *e, const frame_t *f, uint32_t id)
{
    static const char *const allowed[] = { "id", "from", "to", NULL };
    uint32_t from;
    uint32_t to;
    uint32_t newest = e->ring.newest_seq;

    if (!frame_only_keys(f, allowed) || !frame_parse_u32(frame_get(f, "from"), &from) ||
        !frame_parse_u32(frame_get(f, "to"), &to) || from > to || to - from >= BOARD_REPLAY_MAX) {
        send_nak(e, id, "E_ARG");
        return;
    }
    if (e->replay.active) {
        send_nak(e, id, "E_STATE"); /* one replay at a time */
        return;
    }
    memset(&e->replay, 0, sizeof e->replay);
    e->replay.active = 1;
    e->replay.id = id;
    e->replay.next = from;
    /* Readings taken from now on are not part of this replay: they go out live after its ACK. */
    if (e->ring.count > 0u && newest >= from) {
        e->replay.left = (newest < to ? newest : to) - from + 1u;
    }
}

/* Stores the calibration in EEPROM; 1 when it was written. */
static int store_cal(const board_engine_t *e, const cal_set_t *cal)
{
    uint8_t rec[CAL_RECORD_SIZE];

    cal_encode(cal, rec);
    return hal_eeprom_write(e->iface->ee_cal_addr, rec, CAL_RECORD_SIZE) == 0;
}

/* CAL id gas point [ref] (PROTOCOL.md, "Calibration"). */
static void do_cal(board_engine_t *e, const frame_t *f, uint32_t id, uint32_t now)
{
    static const char *const allowed[] = { "id", "gas", "point", "ref", NULL };
    static const char *const gases[CAL_GASES] = { "o2", "co2" };
    static const uint8_t decimals[CAL_GASES] = { 2u, 3u };
    const cal_limits_t *limits = e->iface->cal_limits;
    const char *gas = frame_get(f, "gas");
    const char *point = frame_get(f, "point");
    const char *ref_text = frame_get(f, "ref");
    cal_set_t next = e->cal;
    cal_result_t result = CAL_OK;
    int32_t ref = 0;
    uint8_t g;
    frame_writer_t w;

    if (!frame_only_keys(f, allowed) || gas == NULL || point == NULL) {
        send_nak(e, id, "E_ARG");
        return;
    }
    for (g = 0; g < CAL_GASES; g++) {
        if (strcmp(gas, gases[g]) == 0) {
            break;
        }
    }
    if (g == CAL_GASES) {
        send_nak(e, id, "E_ARG");
        return;
    }
    if (strcmp(point, "factory") == 0) {
        if (ref_text != NULL) {
            send_nak(e, id, "E_ARG");
            return;
        }
        next.gas[g].raw_zero = 0;
        next.gas[g].ref_zero = 0;
        next.gas[g].gain_num = 1;
        next.gas[g].gain_den = 1;
    } else if (strcmp(point, "zero") == 0 || strcmp(point, "span") == 0) {
        sample_t s;
        uint32_t age;
        if (!frame_parse_fixed(ref_text, decimals[g], FRAME_FIXED_DIGITS_MAX, 1, &ref)) {
            send_nak(e, id, "E_ARG");
            return;
        }
        /* The raw value the sensor gives now: a fresh one, as a reading would take it. */
        e->iface->sample(e, (sensor_t)g, &s);
        age = (uint32_t)(now - s.at_ms);
        if (!s.valid || age > e->stale_ms || age >= 0x80000000u) {
            send_nak(e, id, "E_SENSOR");
            return;
        }
        result = point[0] == 'z' ? cal_zero(&next.gas[g], s.value, ref, &limits[g])
                                 : cal_span(&next.gas[g], s.value, ref, &limits[g]);
        if (result != CAL_OK) {
            send_nak(e, id, "E_RANGE");
            return;
        }
    } else {
        send_nak(e, id, "E_ARG");
        return;
    }
    next.count = e->cal.count < BOARD_CAL_COUNT_MAX ? e->cal.count + 1u : BOARD_CAL_COUNT_MAX;
    if (!store_cal(e, &next)) {
        send_nak(e, id, "E_STORE"); /* the old calibration stays, in EEPROM and in use */
        return;
    }
    e->cal = next;
    frame_writer_begin(&w, e->tx, sizeof e->tx, "ACK");
    frame_writer_u32(&w, "id", id);
    frame_writer_u32(&w, "cal", e->cal.count);
    send_frame(e, frame_writer_end(&w));
}

/* An ST error counter, saturated so that ST's common fields always fit a line. */
static uint32_t st_counter(uint32_t v)
{
    return v < BOARD_ST_COUNTER_MAX ? v : BOARD_ST_COUNTER_MAX;
}

/* An optional ST field: written only when it fits the line, so ST itself is never lost to its extras. */
void board_engine_st_extra(frame_writer_t *w, const char *key, uint32_t value)
{
    if (frame_writer_fits(w, key, value)) {
        frame_writer_u32(w, key, value);
    }
}

/* STATUS id (PROTOCOL.md): one ST frame. */
static void do_status(board_engine_t *e, const frame_t *f, uint32_t id, uint32_t now)
{
    static const char *const allowed[] = { "id", NULL };
    const board_counters_t *c = &e->counters;
    frame_writer_t w;

    if (!frame_only_keys(f, allowed)) {
        send_nak(e, id, "E_ARG");
        return;
    }
    frame_writer_begin(&w, e->tx, sizeof e->tx, "ST");
    frame_writer_u32(&w, "id", id);
    frame_writer_u32(&w, "up", now);
    frame_writer_u32(&w, "boot", e->boot);
    frame_writer_u32(&w, "seq", e->ring.newest_seq);
    frame_writer_u32(&w, "ring", e->ring.count);
    frame_writer_u32(&w, "crc", st_counter(c->rx_bad_crc));
    frame_writer_u32(&w, "syn", st_counter(c->rx_bad_syntax + c->rx_no_id));
    frame_writer_u32(&w, "long", st_counter(c->rx_too_long));
    frame_writer_u32(&w, "sto", st_counter(e->iface->sensor_timeouts(e)));
    frame_writer_u32(&w, "wdt", st_counter(e->wdt_resets));
    frame_writer_u32(&w, "drop", st_counter(c->tx_dropped));
    /* Board-specific, after the fields every board has, each only while the line has room (the common fields
     * always fit: see BOARD_ST_COUNTER_MAX): lines taken as frames (answered or ignored), so that
     * ok + crc + syn + long is every line received; frames sent in full; the modules' counters (O2 lines
     * malformed, CO2 answers with a bad CRC, CO2 exception answers). A frame has at most 16 fields. */
    board_engine_st_extra(&w, "ok", c->rx_ok - c->rx_no_id);
    board_engine_st_extra(&w, "tx", c->tx_frames);
    e->iface->st_extras(e, &w);
    send_frame(e, frame_writer_end(&w));
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

static void handle_line(board_engine_t *e, char *line, size_t len, uint32_t now)
{
    frame_t f;
    uint32_t id;
    frame_verdict_t verdict = frame_parse(line, len, &f);

    switch (verdict) {
    case FRAME_OK:
        break;
    case FRAME_E_CRC:
        e->counters.rx_bad_crc++;
        send_err(e, "E_CRC");
        return;
    case FRAME_E_TOOLONG:
        /* Cannot come from the assembler (it reports long lines itself), kept for completeness. */
        e->counters.rx_too_long++;
        send_err(e, "E_TOOLONG");
        return;
    case FRAME_E_SYNTAX:
    default:
        e->counters.rx_bad_syntax++;
        send_err(e, "E_SYNTAX");
        return;
    }

    e->counters.rx_ok++;
    if (is_board_frame_type(f.type)) {
        e->counters.rx_ignored++;
        return;
    }
    if (!frame_parse_u32(frame_get(&f, "id"), &id) || id == 0u) {
        e->counters.rx_no_id++;
        send_err(e, "E_SYNTAX");
        return;
    }
    if (strcmp(f.type, "HELLO") == 0) {
        do_hello(e, &f, id, now); /* always allowed: it is what opens a session */
    } else if (strcmp(f.type, "SET") == 0 || strcmp(f.type, "REPLAY") == 0 || strcmp(f.type, "STATUS") == 0 ||
               strcmp(f.type, "CAL") == 0) {
        if (!e->hello_seen) {
            send_nak(e, id, "E_STATE");
        } else if (strcmp(f.type, "SET") == 0) {
            do_set(e, &f, id);
        } else if (strcmp(f.type, "CAL") == 0) {
            do_cal(e, &f, id, now);
        } else if (strcmp(f.type, "REPLAY") == 0) {
            do_replay(e, &f, id);
        } else {
            do_status(e, &f, id, now);
        }
    } else if (e->profile->command != NULL && e->hello_seen && e->profile->command(e, &f, id, now)) {
        /* a command of this kind of board, answered by its profile */
    } else if (e->profile->command != NULL && !e->hello_seen &&
               e->profile->command(NULL, &f, id, now)) {
        send_nak(e, id, "E_STATE"); /* known to the profile, but before the first HELLO */
    } else {
        send_nak(e, id, "E_UNKNOWN");
    }
}

/* ---- sending readings ------------------------------------------------------------------------------------- */

/* Sends replayed RD frames while the link has room, and the replay's ACK after the last. Returns the frames it
 * may still send this poll. */
static uint32_t pump_replay(board_engine_t *e, uint32_t budget)
{
    board_replay_t *rp = &e->replay;
    uint32_t looked = 0;
    reading_t r;

    while (rp->active && budget > 0u) {
        if (rp->left == 0u) {
            frame_writer_t w;
            size_t n;
            frame_writer_begin(&w, e->tx, sizeof e->tx, "ACK");
            frame_writer_u32(&w, "id", rp->id);
            frame_writer_u32(&w, "n", rp->n);
            if (rp->n > 0u) {
                frame_writer_u32(&w, "from", rp->first);
                frame_writer_u32(&w, "to", rp->final);
            }
            n = frame_writer_end(&w);
            if (hal_host_room() < n + (e->tx_broken ? 1u : 0u)) {
                break; /* the ACK waits for room rather than be lost */
            }
            rp->active = 0;
            send_frame(e, n);
            break;
        }
        if (!reading_ring_get(&e->ring, rp->next, &r)) {
            /* Older than the ring (or overwritten while the replay ran): skip it. A bounded number of lookups
             * per poll, though each is cheap. */
            rp->next++;
            rp->left--;
            if (++looked >= BOARD_REPLAY_MAX) {
                break;
            }
            continue;
        }
        {
            size_t n = build_rd(e, rp->next, &r);
            if (!room_for_rd(e, n)) {
                break; /* wait for the link to drain */
            }
            send_frame(e, n);
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
static void pump_live(board_engine_t *e, uint32_t budget)
{
    reading_t r;

    while (budget > 0u && e->live_next != e->ring.newest_seq + 1u) {
        size_t n;
        if (!reading_ring_get(&e->ring, e->live_next, &r)) {
            /* Overwritten before the link could take it: go on from the oldest held (and if even that is not
             * there, which only a corrupted state can make, from the next reading: never loop). */
            uint32_t oldest = reading_ring_oldest_seq(&e->ring);
            e->live_next = reading_ring_get(&e->ring, oldest, &r) ? oldest : e->ring.newest_seq + 1u;
            continue;
        }
        n = build_rd(e, e->live_next, &r);
        if (!room_for_rd(e, n)) {
            return;
        }
        send_frame(e, n);
        e->live_next++;
        budget--;
    }
}

/* ---- entry points ---------------------------------------------------------------------------------------- */

void board_engine_read_link(board_engine_t *e, uint32_t now)
{
    uint8_t chunk[ENGINE_RX_CHUNK];
    size_t budget = ENGINE_RX_BUDGET;
    int present = hal_host_present() ? 1 : 0;

    if (!present && e->host_present) {
        /* The host went away: stop sending until a HELLO comes (from whoever opens the link next), forget a
         * replay nobody is left to read, and drop any half-received line so the next host's first line is not
         * glued to the old one's tail. Measuring goes on. */
        e->streaming = 0;
        e->replay.active = 0;
        e->tx_broken = 0;
        frame_lineasm_reset(&e->rx);
    }
    e->host_present = (uint8_t)present;

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
            frame_line_event_t ev = frame_lineasm_push(&e->rx, chunk[i]);
            if (ev == FRAME_LINE_READY) {
                size_t len;
                char *line = frame_lineasm_line(&e->rx, &len);
                handle_line(e, line, len, now);
            } else if (ev == FRAME_LINE_TOOLONG) {
                e->counters.rx_too_long++;
                send_err(e, "E_TOOLONG");
            }
        }
    }
}

void board_engine_push(board_engine_t *e, const reading_t *r)
{
    (void)reading_ring_push(&e->ring, r);
}

void board_engine_send(board_engine_t *e)
{
    uint32_t frames = BOARD_TX_PER_POLL;

    if (e->replay.active) {
        frames = pump_replay(e, frames);
    }
    /* Readings taken while a replay is sent go out after its ACK (PROTOCOL.md). */
    if (e->streaming && !e->replay.active) {
        pump_live(e, frames);
    }
}

uint32_t board_engine_idle_ms(const board_engine_t *e)
{
    if (e->replay.active || (e->streaming && e->live_next != e->ring.newest_seq + 1u)) {
        /* Frames wait to be sent: at once if the link has room, else as soon as it may have drained. */
        return hal_host_room() >= FRAME_BUF_SIZE * 2u ? 0u : 1u;
    }
    return BOARD_ENGINE_IDLE_NONE;
}

void board_engine_ack(board_engine_t *e, uint32_t id)
{
    send_ack(e, id);
}

void board_engine_nak(board_engine_t *e, uint32_t id, const char *code)
{
    send_nak(e, id, code);
}
