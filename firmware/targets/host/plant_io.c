/* The plant link's ends on stdin and stdout; see plant_io.h. */
#define _XOPEN_SOURCE 700 /* read */
#include "targets/host/plant_io.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "targets/host/plant_link.h"

int plant_outputs_init(plant_outputs_t *o, const char *const *names, uint8_t kinds, uint8_t per_cell,
                       uint8_t sample_kind, uint8_t cells)
{
    memset(o, 0, sizeof *o);
    o->names = names;
    o->kinds = kinds;
    o->per_cell = per_cell == 0u ? 1u : per_cell;
    o->sample_kind = sample_kind;
    o->cells = cells == 0u ? 1u : cells;
    if (o->cells > PLANT_IO_CELLS_MAX || (unsigned)o->cells * o->per_cell > PLANT_IO_OUTPUTS_MAX ||
        o->kinds > o->per_cell) {
        return -1;
    }
    return 0;
}

static void write_plant(const char *line)
{
    /* The plant reads whole lines: flush each one at once, stdout being a pipe (fully buffered) in use. */
    fputs(line, stdout);
    fflush(stdout);
}

static void write_o_line(const plant_outputs_t *o)
{
    char line[8u + 8u * (PLANT_IO_CELLS_MAX + 8u)];

    if (plant_format_o_line(line, sizeof line, o->names, o->kinds, o->state, o->cells, o->per_cell) != 0u) {
        write_plant(line);
    }
}

static void write_m_line(const plant_outputs_t *o)
{
    char line[16];

    if (plant_format_m_line(line, sizeof line, plant_sampled_cell(o->state, o->cells, o->per_cell, o->sample_kind))
        != 0u) {
        write_plant(line);
    }
}

void plant_outputs_set(plant_outputs_t *o, unsigned index, uint8_t level)
{
    level = level ? 1u : 0u;
    if (index >= (unsigned)o->cells * o->per_cell || o->state[index] == level) {
        return;
    }
    o->state[index] = level;
    if (o->sample_kind != 0xFFu && index % o->per_cell == o->sample_kind) {
        write_m_line(o);
    } else if (index % o->per_cell < o->kinds) {
        write_o_line(o);
    }
}

void plant_outputs_announce(const plant_outputs_t *o)
{
    write_o_line(o);
    if (o->sample_kind != 0xFFu) {
        write_m_line(o);
    }
}

void plant_clock_init(plant_clock_t *c, pty_port_log_fn log)
{
    memset(c, 0, sizeof *c);
    frame_lineasm_reset(&c->rx);
    c->log = log;
}

static void take_line(plant_clock_t *c, const char *line, size_t len)
{
    uint32_t ms;

    c->lines++;
    if (!plant_parse_t_line(line, len, &ms)) {
        c->bad_lines++;
        if (c->bad_lines <= PLANT_CLOCK_LOG_MAX) {
            c->log("plant link: ignoring a malformed line (%lu so far%s)", (unsigned long)c->bad_lines,
                   c->bad_lines == PLANT_CLOCK_LOG_MAX ? "; not logging more" : "");
        }
        return;
    }
    if ((uint32_t)(ms - c->ms) < 0x80000000u) {
        c->ms = ms;
    }
}

void plant_clock_feed(plant_clock_t *c, const uint8_t *buf, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        frame_line_event_t ev = frame_lineasm_push(&c->rx, buf[i]);
        if (ev == FRAME_LINE_READY) {
            size_t len;
            const char *line = frame_lineasm_line(&c->rx, &len);
            take_line(c, line, len);
        } else if (ev == FRAME_LINE_TOOLONG) {
            c->lines++;
            c->bad_lines++;
        }
    }
}

int plant_clock_read_stdin(plant_clock_t *c)
{
    uint8_t buf[256];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);

    if (n == 0) {
        return 0;
    }
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) {
            return 1;
        }
        c->log("plant link: reading stdin: %s; taking it as the end", strerror(errno));
        return 0;
    }
    plant_clock_feed(c, buf, (size_t)n);
    return 1;
}
