/* See cli_option.h. */
#include "targets/host/cli_option.h"

#include <string.h>

int cli_take_option(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];

    if (strncmp(arg, name, n) != 0) {
        return 0;
    }
    if (arg[n] == '=') {
        *value = &arg[n + 1u];
        return 1;
    }
    if (arg[n] != '\0') {
        return 0;
    }
    *value = (*i + 1 < argc) ? argv[++*i] : NULL;
    return 1;
}

int cli_parse_clock(const char *value, int *plant_clock)
{
    if (value != NULL && strcmp(value, "mono") == 0) {
        *plant_clock = 0;
        return 1;
    }
    if (value != NULL && strcmp(value, "plant") == 0) {
        *plant_clock = 1;
        return 1;
    }
    return 0;
}

