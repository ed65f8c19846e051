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
