/*
 * gasboard board logic. The contract is in gasboard.h; the protocol rules in firmware/PROTOCOL.md.
 */
#include "gasboard/gasboard.h"

#include <string.h>

#include "common/hal.h"

/* Bytes read from the host link per poll: enough to empty a UART ring in one go, few enough that a flood of
 * input cannot delay a due RD by more than a few lines' worth of work. */
#define GB_RX_CHUNK  64u
#define GB_RX_BUDGET 256u

#define GB_IDLE_MAX_MS 1000u

/* SET's valve names, indexed by output number. */
static const char *const gb_output_names[GB_OUT_COUNT] = GB_OUT_NAMES;

/* Wrap-safe "has the time t come": true when now is at or past t, for distances up to 2^31 ms (24 days). */
static int time_reached(uint32_t now, uint32_t t)
{
    return (uint32_t)(now - t) < 0x80000000u;
}

gasboard_config_t gasboard_config_default(void)
{
    gasboard_config_t cfg;

    cfg.sn = GB_SN_DEFAULT;
    cfg.period_ms = GB_PERIOD_MS_DEFAULT;
    cfg.stale_ms = GB_STALE_MS_DEFAULT;
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
    if (gb->cfg.period_ms == 0u) {
        gb->cfg.period_ms = 1u;
    }
    frame_lineasm_reset(&gb->rx);
    gb->host_present = 1;
    /* Power-up state of every actuator is off (valves closed, scrubber stopped), whatever the pins did before. */
    for (i = 0; i < GB_OUT_COUNT; i++) {
        gb->outputs[i] = 0;
        hal_output_set(i, 0);
    }
}

/* ---- sending --------------------------------------------------------------------------------------------- */

/* Hands the frame in gb->tx (n bytes, 0 = the writer failed) to the link, counting what the link refused. */
static void send_frame(gasboard_t *gb, size_t n)
{
    size_t taken;

    if (n == 0u) {
        /* Only a bug can get here (a field breaking the grammar); say so rather than send a bad frame. */
        hal_log("gasboard: internal error: could not build a frame");
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
    frame_writer_str(&w, "kind", GB_KIND);
    frame_writer_str(&w, "fw", GB_FW_VERSION);
    frame_writer_str(&w, "sn", gb->cfg.sn);
    frame_writer_u32(&w, "proto", GB_PROTO_VERSION);
    frame_writer_str(&w, "caps", GB_CAPS);
    frame_writer_u32(&w, "t", now);
    send_frame(gb, frame_writer_end(&w));
}

/* One value of an RD: its fixed-point number, or NA when it has none (absent, or judged stale). */
static void write_reading(frame_writer_t *w, const char *key, const hal_sample_t *s, uint8_t decimals)
{
    if (s->valid) {
        frame_writer_fixed(w, key, s->value, decimals);
    } else {
        frame_writer_str(w, key, "NA");
    }
}

/*
 * One reading. Its t is when its values were measured (PROTOCOL.md), not when it is sent. The three values
 * may have been sampled at different moments (they will be once each sensor module has its own UART); the RD
 * carries the oldest sample time among the values it reports, so a receiver never takes a value for fresher
 * than it is. With every value NA there is no measurement; t is then the moment of the reading.
 */
static void send_reading(gasboard_t *gb, uint32_t now)
{
    static const uint8_t decimals[HAL_SENSOR_COUNT] = { 2u, 3u, 2u };
    static const char *const keys[HAL_SENSOR_COUNT] = { "o2", "co2", "temp" };
    hal_sample_t s[HAL_SENSOR_COUNT];
    frame_writer_t w;
    uint32_t t = now;
    uint32_t oldest_age = 0;
    uint8_t i;

    for (i = 0; i < HAL_SENSOR_COUNT; i++) {
        hal_sensor_get((hal_sensor_t)i, &s[i]);
        if (s[i].valid) {
            uint32_t age = (uint32_t)(now - s[i].at_ms);
            /* A sample time after now would wrap to a huge age: HAL clocks are monotonic, so only a bug or a
             * value far older than 2^31 ms does that, and NA is right for both. */
            if (age > gb->cfg.stale_ms || age >= 0x80000000u) {
                s[i].valid = 0;
            } else if (age >= oldest_age) {
                oldest_age = age;
                t = s[i].at_ms;
            }
        }
    }

    gb->seq++; /* starts at 1; wraps to 0 after 4294967295 as PROTOCOL.md says */
    frame_writer_begin(&w, gb->tx, sizeof gb->tx, "RD");
    frame_writer_u32(&w, "seq", gb->seq);
    frame_writer_u32(&w, "t", t);
    for (i = 0; i < HAL_SENSOR_COUNT; i++) {
        write_reading(&w, keys[i], &s[i], decimals[i]);
    }
    send_frame(gb, frame_writer_end(&w));
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
    gb->next_rd_ms = now + gb->cfg.period_ms; /* (re)start: the first RD one period after the ID */
    send_id(gb, id, now);
}

static void do_set(gasboard_t *gb, const frame_t *f, uint32_t id)
{
    static const char *const allowed[] = { "id", "valve", "on", NULL };
    const char *valve = frame_get(f, "valve");
    const char *on = frame_get(f, "on");
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
    for (out = 0; out < GB_OUT_COUNT; out++) {
        if (strcmp(valve, gb_output_names[out]) == 0) {
            break;
        }
    }
    if (out == GB_OUT_COUNT) {
        send_nak(gb, id, "E_ARG");
        return;
    }
    gb->outputs[out] = level;
    hal_output_set(out, level);
    send_ack(gb, id);
}

/* Frame types a board sends. Another board's frames (or our own, echoed back by a misconfigured link) must
 * never be answered: two boards answering each other would never stop. */
static int is_board_frame_type(const char *type)
{
    static const char *const types[] = { "ACK", "NAK", "ID", "ERR", "RD", NULL };
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
    } else if (strcmp(f.type, "SET") == 0) {
        if (!gb->hello_seen) {
            send_nak(gb, id, "E_STATE");
        } else {
            do_set(gb, &f, id);
        }
    } else {
        send_nak(gb, id, "E_UNKNOWN");
    }
}

/* ---- main entry points ----------------------------------------------------------------------------------- */

void gasboard_poll(gasboard_t *gb)
{
    uint8_t chunk[GB_RX_CHUNK];
    size_t budget = GB_RX_BUDGET;
    uint32_t now = hal_millis();
    int present = hal_host_present() ? 1 : 0;

    if (!present && gb->host_present) {
        /* The host went away: stop streaming until a HELLO comes (from whoever opens the link next), and drop
         * any half-received line so the next host's first line is not glued to the old one's tail. */
        gb->streaming = 0;
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

    if (gb->streaming && time_reached(now, gb->next_rd_ms)) {
        send_reading(gb, now);
        gb->next_rd_ms += gb->cfg.period_ms;
        if (time_reached(now, gb->next_rd_ms)) {
            /* More than a period behind (the loop was stalled, or a period of 1 ms): resume the rhythm from now
             * rather than send a burst of catch-up readings. */
            gb->next_rd_ms = now + gb->cfg.period_ms;
        }
    }
}

uint32_t gasboard_idle_ms(const gasboard_t *gb)
{
    uint32_t now;
    uint32_t left;

    if (!gb->streaming) {
        return GB_IDLE_MAX_MS;
    }
    now = hal_millis();
    if (time_reached(now, gb->next_rd_ms)) {
        return 0;
    }
    left = gb->next_rd_ms - now;
    return left < GB_IDLE_MAX_MS ? left : GB_IDLE_MAX_MS;
}
