/* The host target's plant link lines: S lines in, O lines out. */
#include <string.h>

#include "targets/host/plant_link.h"
#include "test/check.h"

static int parse(const char *line, plant_values_t *v)
{
    memset(v, 0x55, sizeof *v); /* garbage, so a field left unset shows */
    return plant_parse_s_line(line, strlen(line), v);
}

int main(void)
{
    plant_values_t v;
    char buf[64];
    static const char *const names[3] = { "n2", "air", "scrub" };
    uint8_t states[3] = { 0, 1, 0 };

    CHECK(parse("S o2=20.90 co2=0.040 temp=1.50", &v));
    CHECK(v.valid[HAL_SENSOR_O2] && v.valid[HAL_SENSOR_CO2] && v.valid[HAL_SENSOR_TEMP]);
    CHECK_EQ_I(v.value[HAL_SENSOR_O2], 2090);
    CHECK_EQ_I(v.value[HAL_SENSOR_CO2], 40);
    CHECK_EQ_I(v.value[HAL_SENSOR_TEMP], 150);

    /* NA, any order, negative values, fewer or more decimals (rounded half away from zero). */
    CHECK(parse("S temp=-0.5 co2=NA o2=NA", &v));
    CHECK(!v.valid[HAL_SENSOR_O2] && !v.valid[HAL_SENSOR_CO2] && v.valid[HAL_SENSOR_TEMP]);
    CHECK_EQ_I(v.value[HAL_SENSOR_TEMP], -50);
    CHECK(parse("S o2=21 co2=0.0445 temp=-1.005", &v));
    CHECK_EQ_I(v.value[HAL_SENSOR_O2], 2100);
    CHECK_EQ_I(v.value[HAL_SENSOR_CO2], 45);
    CHECK_EQ_I(v.value[HAL_SENSOR_TEMP], -101);
    CHECK(parse("S o2=0.004 co2=999999.9999 temp=0", &v));
    CHECK_EQ_I(v.value[HAL_SENSOR_O2], 0);
    CHECK_EQ_I(v.value[HAL_SENSOR_CO2], 1000000000);
    /* Unknown fields are skipped; extra spaces tolerated. */
    CHECK(parse("S o2=1.00  co2=2.000 temp=3.00 pressure=101325 ", &v));
    CHECK_EQ_I(v.value[HAL_SENSOR_O2], 100);

    /* Malformed: each is refused, none crashes. */
    {
        static const char *const bad[] = {
            "", "S", "S ", "X o2=1 co2=1 temp=1", "So2=1 co2=1 temp=1", "s o2=1 co2=1 temp=1",
            "S o2=1 co2=1", "S o2=1 co2=1 temp=1 o2=2", "S o2= co2=1 temp=1", "S o2 co2=1 temp=1",
            "S =1 o2=1 co2=1 temp=1", "S o2=1x co2=1 temp=1", "S o2=1. co2=1 temp=1", "S o2=.5 co2=1 temp=1",
            "S o2=- co2=1 temp=1", "S o2=1.2.3 co2=1 temp=1", "S o2=1234567 co2=1 temp=1", "S o2=na co2=1 temp=1",
            "S o2=+1 co2=1 temp=1", "S o2=1\t co2=1 temp=1",
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            if (!CHECK(!parse(bad[i], &v))) {
                fprintf(stderr, "    accepted \"%s\"\n", bad[i]);
            }
        }
        /* NUL bytes: the length, not a terminator, bounds the line. */
        CHECK(!plant_parse_s_line("S o2=1\0 co2=1 temp=1", 20, &v));
    }

    /* O lines. */
    CHECK_EQ_U(plant_format_o_line(buf, sizeof buf, names, states, 3), 21);
    CHECK_STR(buf, "O n2=0 air=1 scrub=0\n");
    CHECK_EQ_U(plant_format_o_line(buf, 10, names, states, 3), 0);
    CHECK_EQ_U(plant_format_o_line(buf, 22, names, states, 3), 21);
    CHECK_EQ_U(plant_format_o_line(buf, 21, names, states, 3), 0);
    return check_done();
}
