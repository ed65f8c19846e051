/* The host target's plant link lines: T lines in, O and M lines out. */
#include <string.h>

#include "targets/host/plant_link.h"
#include "test/check.h"

static int parse(const char *line, uint32_t *ms)
{
    *ms = 0x55555555u; /* garbage, so a value left unset shows */
    return plant_parse_t_line(line, strlen(line), ms);
}

int main(void)
{
    uint32_t ms;
    char buf[96];
    static const char *const names[3] = { "n2", "air", "scrub" };
    uint8_t states[16];

    CHECK(parse("T 0", &ms));
    CHECK_EQ_U(ms, 0);
    CHECK(parse("T 123456", &ms));
    CHECK_EQ_U(ms, 123456);
    CHECK(parse("T 4294967295", &ms));
    CHECK_EQ_U(ms, 4294967295u);
    CHECK(parse("T 4294967296", &ms)); /* the board's clock wraps at 2^32 */
    CHECK_EQ_U(ms, 0);
    CHECK(parse("T 00000000000000000012", &ms));
    CHECK_EQ_U(ms, 12);

    /* Malformed: each is refused, none crashes. */
    {
        static const char *const bad[] = {
            "", "T", "T ", "T  1", "T1", "t 1", "T -1", "T 1.5", "T 1 ", " T 1", "T 1x", "S o2=1 co2=1 temp=1",
            "T 000000000000000000001",
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            if (!CHECK(!parse(bad[i], &ms))) {
                fprintf(stderr, "    accepted \"%s\"\n", bad[i]);
            }
        }
        /* NUL bytes: the length, not a terminator, bounds the line. */
        CHECK(!plant_parse_t_line("T 1\0002", 5, &ms));
    }

    /* O lines: one cell is the first part's line exactly. */
    memset(states, 0, sizeof states);
    states[1] = 1; /* cell 1 air */
    CHECK_EQ_U(plant_format_o_line(buf, sizeof buf, names, 3, states, 1, 4), 21);
    CHECK_STR(buf, "O n2=0 air=1 scrub=0\n");
    CHECK_EQ_U(plant_format_o_line(buf, 10, names, 3, states, 1, 4), 0);
    CHECK_EQ_U(plant_format_o_line(buf, 22, names, 3, states, 1, 4), 21);
    CHECK_EQ_U(plant_format_o_line(buf, 21, names, 3, states, 1, 4), 0);
    /* Three cells: a digit per cell. */
    states[4 + 0] = 1;  /* cell 2 n2 */
    states[8 + 2] = 1;  /* cell 3 scrub */
    CHECK_EQ_U(plant_format_o_line(buf, sizeof buf, names, 3, states, 3, 4), 27);
    CHECK_STR(buf, "O n2=010 air=100 scrub=001\n");

    /* M lines. */
    CHECK_EQ_U(plant_format_m_line(buf, sizeof buf, 1), 11);
    CHECK_STR(buf, "M sample=1\n");
    CHECK_EQ_U(plant_format_m_line(buf, sizeof buf, 0), 11);
    CHECK_STR(buf, "M sample=0\n");
    CHECK_EQ_U(plant_format_m_line(buf, sizeof buf, 255), 13);
    CHECK_STR(buf, "M sample=255\n");
    CHECK_EQ_U(plant_format_m_line(buf, 11, 1), 0);

    /* The sampled cell: the first cell whose sample output is on, 1-based; 0 when none is. */
    {
        /* 3 cells, 2 outputs per cell, the sample output is kind 1. */
        uint8_t outs[6] = { 1, 0, 0, 0, 1, 0 };
        CHECK_EQ_U(plant_sampled_cell(outs, 3, 2, 1), 0);
        outs[3] = 1;
        CHECK_EQ_U(plant_sampled_cell(outs, 3, 2, 1), 2);
        outs[5] = 1;
        CHECK_EQ_U(plant_sampled_cell(outs, 3, 2, 1), 2);
        outs[3] = 0;
        CHECK_EQ_U(plant_sampled_cell(outs, 3, 2, 1), 3);
    }
    return check_done();
}
